"""fakt -- Python access to the fakt fact database.

A thin layer over the C library (include/fakt.h) through ctypes: standard
library only, nothing to compile.

    import fakt
    with fakt.connect() as db:                    # the corpus database
        for who, date in db.execute(
                "find ?who, ?d where ?c: summit_2023 summit_date ?d,"
                " by(?c, ?who) order by ?d;"):
            print(who, date)

The library is found through the FAKT_LIBRARY environment variable (a path
to libfakt.so), then the source tree's build/libfakt.so (next to python/),
or, for an installed module, the library `make install` put beside it, then
the system loader (libfakt.so.0). `library_path` tells which one was loaded.

Values come back as Python values: None, bool, int, float, str,
datetime.date (a full date), PartialDate (2023-09, 2019), Quantity (60 km/h),
Entity and ClaimId (str subclasses holding the id). Parameters ($name with a
dict, $N or ? with a sequence) are bound, never pasted into the text.

Threads: a Connection may be shared by threads (the C handle serialises its
calls; so does the connection's lock, so that an error's message is the one
of the call that failed). A Cursor belongs to one thread at a time, and an
explicit transaction must be begun, used and ended by one thread.
interrupt() may be called from any thread.
"""

import contextlib
import ctypes
import ctypes.util
import datetime
import os
import re
import threading
import weakref
from typing import NamedTuple, Optional

__all__ = [
    "connect", "Connection", "Cursor", "Entity", "ClaimId", "PartialDate",
    "Quantity", "Error", "OperationalError", "ProgrammingError",
    "IntegrityError", "DataError", "InternalError", "NotSupportedError",
    "library_path", "libversion", "LIMIT_ROWS", "LIMIT_MEMORY", "LIMIT_MILLIS",
]

# `make install` replaces these two lines with the installed paths.
_INSTALLED_LIBRARY = None
_INSTALLED_DB = None

_HERE = os.path.dirname(os.path.abspath(__file__))
_TREE_LIBRARY = os.path.join(os.path.dirname(os.path.dirname(_HERE)), "build", "libfakt.so")

# ---------------------------------------------------------------- result codes
# The FAKT_* codes of include/fakt.h (tests/python checks they agree).
OK, ERROR, INTERNAL, PERM, ABORT, BUSY, NOMEM, READONLY, INTERRUPT = 0, 1, 2, 3, 4, 5, 7, 8, 9
IOERR, CORRUPT, NOTFOUND, FULL, CANTOPEN, TOOBIG, CONSTRAINT = 10, 11, 12, 13, 14, 18, 19
MISMATCH, MISUSE, RANGE, NOTADB, SYNTAX, FORMAT, LIMIT = 20, 21, 25, 26, 27, 28, 29
ROW, DONE = 100, 101

# Connection.setlimit() categories: the three limits of fakt_limits().
LIMIT_ROWS, LIMIT_MEMORY, LIMIT_MILLIS = 0, 1, 2
_LIMIT_NAMES = ("rows", "memory", "millis")

_CODENAMES = {
    0: "FAKT_OK", 1: "FAKT_ERROR", 2: "FAKT_INTERNAL", 3: "FAKT_PERM",
    4: "FAKT_ABORT", 5: "FAKT_BUSY", 7: "FAKT_NOMEM", 8: "FAKT_READONLY", 9: "FAKT_INTERRUPT",
    10: "FAKT_IOERR", 11: "FAKT_CORRUPT", 12: "FAKT_NOTFOUND", 13: "FAKT_FULL",
    14: "FAKT_CANTOPEN", 18: "FAKT_TOOBIG", 19: "FAKT_CONSTRAINT",
    20: "FAKT_MISMATCH", 21: "FAKT_MISUSE", 25: "FAKT_RANGE", 26: "FAKT_NOTADB",
    27: "FAKT_SYNTAX", 28: "FAKT_FORMAT", 29: "FAKT_LIMIT", 100: "FAKT_ROW",
    101: "FAKT_DONE",
}

_OPEN_READONLY, _OPEN_READWRITE, _OPEN_CREATE = 0x01, 0x02, 0x04

# Column types (fakt_column_type).
_T_NULL, _T_INTEGER, _T_FLOAT, _T_TEXT, _T_BOOL = 0, 1, 2, 3, 4
_T_DATE, _T_QUANTITY, _T_ENTITY, _T_CLAIM = 5, 6, 7, 8

# ---------------------------------------------------------------- errors


class Error(Exception):
    """An error of fakt or of its use.

    code      the FAKT_* result code (an int)
    codename  its name, e.g. "FAKT_SYNTAX"
    message   the library's message, as fakt_errmsg() gave it
    line, column  the position the message names ("line 3, col 7: ..."),
              counted from the start of the text given to execute() or
              executescript(); None when the message has none
    """

    def __init__(self, message, code=ERROR):
        super().__init__(message)
        self.message = message
        self.code = code
        self.codename = _CODENAMES.get(code, "FAKT_%d" % code)
        m = re.match(r"line (\d+), col (\d+): ", message)
        self.line = int(m.group(1)) if m else None
        self.column = int(m.group(2)) if m else None


class OperationalError(Error):
    """The database could not do it: busy, read-only, full, interrupted, I/O ..."""


class ProgrammingError(Error):
    """The query or the call is wrong: syntax, unknown parameter, closed handle ..."""


class IntegrityError(Error):
    """A constraint failed: a quote not in its source, a redefinition ..."""


class DataError(Error):
    """A value is wrong: a type error, an unknown entity, a value too large."""


class InternalError(Error):
    """The database is damaged, or not a fakt database, or fakt has a bug."""


class NotSupportedError(Error):
    """The loaded library cannot do it (e.g. bind a date without fakt_bind_literal)."""


_ERROR_CLASS = {
    SYNTAX: ProgrammingError, MISUSE: ProgrammingError, RANGE: ProgrammingError,
    CONSTRAINT: IntegrityError,
    MISMATCH: DataError, NOTFOUND: DataError, TOOBIG: DataError,
    INTERNAL: InternalError, CORRUPT: InternalError, NOTADB: InternalError,
    FORMAT: InternalError,
}


def _error(code, message):
    return _ERROR_CLASS.get(code, OperationalError)(message, code)


# ---------------------------------------------------------------- values


class Entity(str):
    """An entity (or source, predicate, type, stance): the str is its id."""
    __slots__ = ()

    def __repr__(self):
        return "Entity(%s)" % str.__repr__(self)


class ClaimId(str):
    """A claim: the str is its id (a000_06, _c28)."""
    __slots__ = ()

    def __repr__(self):
        return "ClaimId(%s)" % str.__repr__(self)


class PartialDate(NamedTuple):
    """A date of year or month precision: PartialDate(2019), PartialDate(2023, 9).
    Full dates are datetime.date."""
    year: int
    month: Optional[int] = None

    def __str__(self):
        if self.month is None:
            return "%04d" % self.year
        return "%04d-%02d" % (self.year, self.month)


class Quantity(NamedTuple):
    """A number with a unit: Quantity(60.0, "km/h"). No unit conversion is
    done: Quantity(1, "km") and Quantity(1000, "m") are different values."""
    value: float
    unit: str

    def __str__(self):
        v = self.value
        if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
            v = int(v)
        return "%s %s" % (v, self.unit)


# A unit as the lexer reads it (SPEC.md 2.7).
_UNIT_RE = re.compile(r"[A-Za-z%°µ][A-Za-z0-9/%°²³]*\Z")


def _literal(value):
    """The fakt literal text of a value that has no fakt_bind_* of its own."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        raise ProgrammingError("a datetime has a time of day, which fakt dates lack: "
                               "bind its .date()", MISUSE)
    if isinstance(value, datetime.date):
        return "@%04d-%02d-%02d" % (value.year, value.month, value.day)
    if isinstance(value, PartialDate):
        y, m = value.year, value.month
        if not isinstance(y, int) or not 1 <= y <= 9999 or \
                (m is not None and (not isinstance(m, int) or not 1 <= m <= 12)):
            raise DataError("invalid date: %r" % (value,), RANGE)
        return "@" + str(value)
    if isinstance(value, Quantity):
        v, unit = value.value, value.unit
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise DataError("a quantity's value must be a number: %r" % (value,), MISMATCH)
        if not isinstance(unit, str) or not _UNIT_RE.match(unit):
            raise DataError("not a unit fakt can write: %r" % (unit,), MISMATCH)
        if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
            raise DataError("number out of range: %r" % (value,), RANGE)
        if unit[0] in "eE" and unit[1:2].isdigit():
            raise DataError("not a unit fakt can write after a number: %r" % (unit,), MISMATCH)
        text = repr(v) if isinstance(v, float) else str(v)
        if "e" in text and "." not in text:
            text = text.replace("e", ".0e")        # 1e-05% would read as 1 e-05%
        return text + unit
    return None


def _date_value(text):
    parts = text.split("-")
    if len(parts) == 3:
        return datetime.date(int(parts[0]), int(parts[1]), int(parts[2]))
    if len(parts) == 2:
        return PartialDate(int(parts[0]), int(parts[1]))
    return PartialDate(int(parts[0]))


# ---------------------------------------------------------------- the library

_c_int64 = ctypes.c_int64
_vp = ctypes.c_void_p


def _load():
    """Load libfakt: FAKT_LIBRARY, then the tree's (or the installed) library,
    then the system loader. Returns (CDLL, path or name)."""
    env = os.environ.get("FAKT_LIBRARY")
    if env:
        try:
            return ctypes.CDLL(env), env
        except OSError as e:
            raise ImportError("fakt: cannot load the library FAKT_LIBRARY=%s names: %s"
                              % (env, e)) from None
    tried = []
    first = _INSTALLED_LIBRARY or _TREE_LIBRARY
    if os.path.exists(first):
        return ctypes.CDLL(first), first
    tried.append(first)
    for name in (ctypes.util.find_library("fakt"), "libfakt.so.0"):
        if not name:
            continue
        try:
            return ctypes.CDLL(name), name
        except OSError:
            tried.append(name)
    raise ImportError("fakt: cannot find libfakt (tried %s); build it with `make`, "
                      "install it, or set FAKT_LIBRARY to its path" % ", ".join(tried))


_lib, library_path = _load()


def _proto(name, restype, *argtypes):
    f = getattr(_lib, name)
    f.restype = restype
    f.argtypes = argtypes
    return f


_c_char_p = ctypes.c_char_p
_int = ctypes.c_int
_fakt_libversion = _proto("fakt_libversion", _c_char_p)
_fakt_errstr = _proto("fakt_errstr", _c_char_p, _int)
_fakt_open = _proto("fakt_open", _int, _c_char_p, _int, ctypes.POINTER(_vp))
_fakt_close = _proto("fakt_close", _int, _vp)
_fakt_prepare = _proto("fakt_prepare", _int, _vp, _vp, _int, ctypes.POINTER(_vp), ctypes.POINTER(_vp))
_fakt_set_origin = _proto("fakt_set_origin", _int, _vp, _c_char_p, _int, _int)
_fakt_bind_text = _proto("fakt_bind_text", _int, _vp, _int, _c_char_p, _int, _vp)
_fakt_bind_int64 = _proto("fakt_bind_int64", _int, _vp, _int, _c_int64)
_fakt_bind_double = _proto("fakt_bind_double", _int, _vp, _int, ctypes.c_double)
_fakt_bind_null = _proto("fakt_bind_null", _int, _vp, _int)
_fakt_bind_entity = _proto("fakt_bind_entity", _int, _vp, _int, _c_char_p)
_fakt_bind_parameter_count = _proto("fakt_bind_parameter_count", _int, _vp)
_fakt_bind_parameter_name = _proto("fakt_bind_parameter_name", _c_char_p, _vp, _int)
_fakt_step = _proto("fakt_step", _int, _vp)
_fakt_column_count = _proto("fakt_column_count", _int, _vp)
_fakt_column_name = _proto("fakt_column_name", _c_char_p, _vp, _int)
_fakt_column_type = _proto("fakt_column_type", _int, _vp, _int)
_fakt_column_text = _proto("fakt_column_text", _vp, _vp, _int)
_fakt_column_bytes = _proto("fakt_column_bytes", _int, _vp, _int)
_fakt_column_int64 = _proto("fakt_column_int64", _c_int64, _vp, _int)
_fakt_column_double = _proto("fakt_column_double", ctypes.c_double, _vp, _int)
_fakt_column_unit = _proto("fakt_column_unit", _c_char_p, _vp, _int)
_fakt_finalize = _proto("fakt_finalize", _int, _vp)
_fakt_stmt_readonly = _proto("fakt_stmt_readonly", _int, _vp)
_fakt_errmsg = _proto("fakt_errmsg", _c_char_p, _vp)
_fakt_errcode = _proto("fakt_errcode", _int, _vp)
_fakt_interrupt = _proto("fakt_interrupt", None, _vp)
_fakt_last_tx = _proto("fakt_last_tx", _c_int64, _vp)
_fakt_changes = _proto("fakt_changes", _c_int64, _vp)
_fakt_in_transaction = _proto("fakt_in_transaction", _int, _vp)
_fakt_busy_timeout = _proto("fakt_busy_timeout", _int, _vp, _int)
_fakt_limits = _proto("fakt_limits", _int, _vp, _c_int64, _c_int64, _c_int64)

# fakt_set_mapped(db, bytes): how much of the file reads leave mapped.
if hasattr(_lib, "fakt_set_mapped"):
    _fakt_set_mapped = _proto("fakt_set_mapped", _int, _vp, _c_int64)
else:
    _fakt_set_mapped = None

# fakt_bind_literal(stmt, i, text, n) binds one value written as a fakt
# literal (@2023-09, 60km/h, true). Libraries before it lack the symbol; then
# booleans, dates and quantities cannot be bound (NotSupportedError).
if hasattr(_lib, "fakt_bind_literal"):
    _bind_literal = _proto("fakt_bind_literal", _int, _vp, _int, _c_char_p, _int)
else:
    _bind_literal = None

# fakt_last_claim(db): the id of the last claim written on the handle.
if hasattr(_lib, "fakt_last_claim"):
    _fakt_last_claim = _proto("fakt_last_claim", _c_char_p, _vp)
else:
    _fakt_last_claim = None

_TRANSIENT = _vp(-1)


def libversion():
    """The version of the loaded library, e.g. "0.1.0"."""
    return _fakt_libversion().decode()


def _decode(b):
    return None if b is None else b.decode("utf-8", "replace")


# ---------------------------------------------------------------- connection

_open_paths = {}                    # realpath -> weakref to its open Connection
_open_paths_lock = threading.Lock()


def _default_db():
    cands = [_INSTALLED_DB] if _INSTALLED_DB else []
    if os.sep in library_path:
        d = os.path.dirname(library_path)
        cands += [os.path.join(d, "corpus.fakt"),
                  os.path.join(d, os.pardir, "share", "fakt", "corpus.fakt")]
    for c in cands:
        if os.path.exists(c):
            return c
    raise ProgrammingError("no default database here (looked for %s): pass a path"
                           % (", ".join(cands) or "nothing"), MISUSE)


def connect(path=None, readonly=False, timeout=5.0):
    """Open the database file at path (created if missing unless readonly).
    With no path: the corpus database beside the library (build/corpus.fakt
    in the source tree, PREFIX/share/fakt/corpus.fakt when installed),
    always read-only, as the fakt shell opens it: rules defined on it live
    for the connection, and the shipped file is never changed.
    timeout: how many seconds a write waits for another process's writer
    before it fails with OperationalError (FAKT_BUSY); 0 fails at once.
    A file may be open once per process: share the Connection."""
    if path is None:
        return Connection(_default_db(), True, timeout)
    return Connection(path, readonly, timeout)


def _timeout_ms(timeout):
    """timeout (seconds, a number >= 0) as fakt_busy_timeout's milliseconds."""
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError("timeout must be a number of seconds, not %s" % type(timeout).__name__)
    if not timeout >= 0:
        raise ValueError("timeout must be 0 or more seconds, not %r" % (timeout,))
    return int(min(timeout * 1000.0, 2147483647.0))


class Connection:
    """An open fakt database (a fakt handle)."""

    def __init__(self, path, readonly=False, timeout=5.0):
        self._db = None
        nMs = _timeout_ms(timeout)
        self._lock = threading.RLock()
        self._cursors = weakref.WeakSet()
        self._origin_moved = False
        self._limits = [0, 0, 0]        # fakt_limits() has no getter: kept here
        self.path = os.fspath(path)
        self.readonly = bool(readonly)
        key = os.path.realpath(self.path)
        with _open_paths_lock:
            other = _open_paths.get(key)
            if other is not None and other() is not None and other()._db is not None:
                raise ProgrammingError("%s is already open in this process: share that "
                                       "Connection (LMDB allows one per file)" % self.path, MISUSE)
            db = _vp()
            rc = _fakt_open(os.fsencode(self.path), _OPEN_READONLY if readonly else 0,
                            ctypes.byref(db))
            if rc != OK:
                msg = _decode(_fakt_errmsg(db)) if db.value else _decode(_fakt_errstr(rc))
                _fakt_close(db)
                raise _error(rc, "%s: %s" % (self.path, msg))
            _fakt_busy_timeout(db, nMs)
            self._db = db
            self._key = key
            _open_paths[key] = weakref.ref(self)

    def __repr__(self):
        return "<fakt.Connection %r%s>" % (self.path, "" if self._db else " closed")

    # -- lifetime
    def close(self):
        """Finalize every open cursor's statement, then close the handle
        (an open explicit transaction is rolled back). Closing twice is fine."""
        with self._lock:
            if self._db is None:
                return
            for cur in list(self._cursors):
                cur._finalize()
            rc = _fakt_close(self._db)
            if rc != OK:
                raise self._err(rc)
            self._db = None
        with _open_paths_lock:
            ref = _open_paths.get(self._key)
            if ref is not None and ref() in (self, None):
                del _open_paths[self._key]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    @property
    def closed(self):
        return self._db is None

    def _check(self):
        if self._db is None:
            raise ProgrammingError("the connection is closed", MISUSE)
        return self._db

    def _err(self, rc):
        """The Error for rc, with the handle's message (call with the lock held)."""
        msg = None
        if self._db is not None and _fakt_errcode(self._db) == rc:
            msg = _decode(_fakt_errmsg(self._db))
        return _error(rc, msg or _decode(_fakt_errstr(rc)))

    # -- statements
    def _set_origin(self, line, col):
        if line == 1 and col == 1 and not self._origin_moved:
            return
        _fakt_set_origin(self._db, None, line, col)
        self._origin_moved = (line, col) != (1, 1)

    def _prepare(self, buf, offset, size):
        """Prepare the statement at byte offset of buf (the lock is held).
        Returns (stmt or None, offset past it)."""
        stmt, tail = _vp(), _vp()
        base = ctypes.addressof(buf)
        rc = _fakt_prepare(self._db, base + offset, size - offset,
                           ctypes.byref(stmt), ctypes.byref(tail))
        if rc != OK:
            raise self._err(rc)
        return (stmt if stmt.value else None), (tail.value - base if tail.value else size)

    def cursor(self):
        return Cursor(self)

    def execute(self, text, params=None):
        """Prepare one statement, bind params (a dict for $name parameters, a
        sequence for $1.. or ?), run it to its first row and return the Cursor.
        A write statement has done its work when execute() returns."""
        return Cursor(self).execute(text, params)

    def executescript(self, text):
        """Run every statement of text in turn, discarding rows; stop at the
        first error and raise it with its line and column in text. Statements
        before the error stay done (an explicit `begin` in text stays open:
        see rollback())."""
        data = text.encode("utf-8")
        buf = ctypes.create_string_buffer(data, len(data) + 1)
        off, line, col = 0, 1, 1
        with self._lock:
            self._check()
            try:
                while off < len(data):
                    self._set_origin(line, col)
                    stmt, tail = self._prepare(buf, off, len(data))
                    chunk = data[off:tail].decode("utf-8")
                    nl = chunk.count("\n")
                    line, col = line + nl, (len(chunk) - chunk.rfind("\n")) if nl else col + len(chunk)
                    off = tail
                    if stmt is None:
                        continue
                    try:
                        while True:
                            rc = _fakt_step(stmt)
                            if rc == ROW:
                                continue
                            if rc != DONE:
                                raise self._err(rc)
                            break
                    finally:
                        _fakt_finalize(stmt)
            finally:
                self._set_origin(1, 1)

    # -- transactions
    @property
    def in_transaction(self):
        """True while an explicit transaction (begin ...) is open."""
        with self._lock:
            return bool(_fakt_in_transaction(self._check()))

    def begin(self):
        self.execute("begin;").close()

    def commit(self):
        """Commit the open explicit transaction; nothing if there is none."""
        with self._lock:
            if _fakt_in_transaction(self._check()):
                self.execute("commit;").close()

    def rollback(self):
        """Roll the open explicit transaction back; nothing if there is none."""
        with self._lock:
            if _fakt_in_transaction(self._check()):
                self.execute("rollback;").close()

    @contextlib.contextmanager
    def transaction(self):
        """`with db.transaction():` runs begin, then commit at the end of the
        block, or rollback if it raises. Use it from one thread."""
        self.begin()
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        try:
            self.execute("commit;").close()
        except BaseException:
            self.rollback()
            raise

    # -- other
    def set_mapped(self, nbytes):
        """About how many bytes of the file this connection's reads leave
        mapped in the process (fakt_set_mapped; 0: no limit; the default is
        256 MiB). Past it the pages go back to the page cache, to be faulted
        in again when read: less memory, slower random reads over a file
        larger than the limit. Like sqlite3's cache_size pragma."""
        if _fakt_set_mapped is None:
            raise NotSupportedError("the loaded library (%s) has no fakt_set_mapped()" % library_path)
        if isinstance(nbytes, bool) or not isinstance(nbytes, int):
            raise TypeError("set_mapped takes a number of bytes, not %s" % type(nbytes).__name__)
        if nbytes < 0 or nbytes > 2**63 - 1:
            raise ValueError("set_mapped takes 0 (no limit) or a positive number of bytes, not %d" % nbytes)
        with self._lock:
            rc = _fakt_set_mapped(self._check(), nbytes)
            if rc != OK:
                raise self._err(rc)

    def setlimit(self, category, limit):
        """Set one of the limits on the statements of this connection, as
        sqlite3's setlimit does, and return its previous value. category is
        fakt.LIMIT_ROWS (the rows a query may produce or hold), LIMIT_MEMORY
        (the bytes a query may hold in memory) or LIMIT_MILLIS (its run
        time); 0 is no limit, the default; a negative limit leaves it as it
        is. A statement past a limit raises OperationalError (FAKT_LIMIT)
        and the connection goes on."""
        for name, v in (("category", category), ("limit", limit)):
            if isinstance(v, bool) or not isinstance(v, int):
                raise TypeError("setlimit: %s must be an int, not %s" % (name, type(v).__name__))
        if category not in (LIMIT_ROWS, LIMIT_MEMORY, LIMIT_MILLIS):
            raise ProgrammingError("setlimit: no limit category %d (fakt.LIMIT_ROWS, "
                                   "LIMIT_MEMORY, LIMIT_MILLIS)" % category, RANGE)
        if limit > 2**63 - 1:
            raise ValueError("setlimit: %s limit %d is too large" % (_LIMIT_NAMES[category], limit))
        with self._lock:
            db = self._check()
            old = self._limits[category]
            if limit >= 0:
                new = list(self._limits)
                new[category] = limit
                rc = _fakt_limits(db, new[0], new[1], new[2])
                if rc != OK:
                    raise self._err(rc)
                self._limits = new
            return old

    def getlimit(self, category):
        """The current value of a limit (see setlimit); 0: none."""
        if isinstance(category, bool) or not isinstance(category, int):
            raise TypeError("getlimit: category must be an int, not %s" % type(category).__name__)
        if category not in (LIMIT_ROWS, LIMIT_MEMORY, LIMIT_MILLIS):
            raise ProgrammingError("getlimit: no limit category %d (fakt.LIMIT_ROWS, "
                                   "LIMIT_MEMORY, LIMIT_MILLIS)" % category, RANGE)
        with self._lock:
            self._check()
            return self._limits[category]

    def interrupt(self):
        """Make the running statements of this connection stop with an
        OperationalError (FAKT_INTERRUPT). Safe from any thread."""
        db = self._db
        if db is not None:
            _fakt_interrupt(db)

    @property
    def last_tx(self):
        """Id of the last committed transaction."""
        with self._lock:
            return _fakt_last_tx(self._check())

    @property
    def last_claim(self):
        """Id of the last claim a claim statement on this connection wrote
        (a ClaimId such as '_c17' for a claim written without an id), or
        None. Like sqlite3's lastrowid, a rollback does not take it back."""
        if _fakt_last_claim is None:
            raise NotSupportedError("the loaded library (%s) has no fakt_last_claim()" % library_path)
        with self._lock:
            z = _fakt_last_claim(self._check())
        return None if z is None else ClaimId(z.decode("utf-8"))

    @property
    def changes(self):
        """Claims added or retracted by the last write statement."""
        with self._lock:
            return _fakt_changes(self._check())


# ---------------------------------------------------------------- cursor


class Cursor:
    """The rows of one statement. Iterate over it, or fetchone / fetchmany /
    fetchall. Its statement is finalized when the rows run out, on close(),
    when the connection closes, or (last resort) when the cursor is collected."""

    arraysize = 1

    def __init__(self, connection):
        self.connection = connection
        self._stmt = None
        self._row = None            # the row stepped to, not yet returned
        self.description = None
        self.rowcount = -1

    def __repr__(self):
        return "<fakt.Cursor%s>" % ("" if self._stmt else " done")

    def execute(self, text, params=None):
        con = self.connection
        data = text.encode("utf-8")
        buf = ctypes.create_string_buffer(data, len(data) + 1)
        with con._lock:
            con._check()
            self._finalize()
            con._set_origin(1, 1)
            stmt, tail = con._prepare(buf, 0, len(data))
            if stmt is None:
                raise ProgrammingError("no statement in the text", MISUSE)
            try:
                if tail < len(data):
                    more, _ = con._prepare(buf, tail, len(data))
                    if more is not None:
                        _fakt_finalize(more)
                        raise ProgrammingError("execute() runs one statement: use "
                                               "executescript() for several", MISUSE)
                self._bind(stmt, params)
                n = _fakt_column_count(stmt)
                self.description = tuple(
                    (_decode(_fakt_column_name(stmt, i)), None, None, None, None, None, None)
                    for i in range(n)) or None
                readonly = _fakt_stmt_readonly(stmt)
            except BaseException:
                _fakt_finalize(stmt)
                raise
            self._stmt = stmt
            con._cursors.add(self)
            self._advance()
            self.rowcount = -1 if readonly else _fakt_changes(con._db)
        return self

    @property
    def columns(self):
        """The column names (as in description), or [] for no columns."""
        return [d[0] for d in self.description or ()]

    # -- binding
    def _bind(self, stmt, params):
        n = _fakt_bind_parameter_count(stmt)
        if params is None:
            params = ()
        if isinstance(params, dict):
            names = {}
            for i in range(1, n + 1):
                name = _decode(_fakt_bind_parameter_name(stmt, i))
                if name is None:
                    raise ProgrammingError("parameter %d is a ? : pass a sequence" % i, MISUSE)
                key = name[1:]
                if key not in params and name not in params:
                    raise ProgrammingError("no value for parameter %s" % name, MISUSE)
                names[key] = i
                self._bind_one(stmt, i, name, params[key] if key in params else params[name])
            extra = [k for k in params if (k[1:] if k.startswith("$") else k) not in names]
            if extra:
                raise ProgrammingError("the statement has no parameter %s" % ", ".join(
                    "$" + k.lstrip("$") for k in extra), MISUSE)
        elif isinstance(params, (str, bytes)):
            raise ProgrammingError("parameters must be a dict or a sequence, not %s"
                                   % type(params).__name__, MISUSE)
        else:
            params = list(params)
            if len(params) != n:
                raise ProgrammingError("the statement has %d parameter%s, %d given"
                                       % (n, "" if n == 1 else "s", len(params)), MISUSE)
            for i, v in enumerate(params, 1):
                self._bind_one(stmt, i, _decode(_fakt_bind_parameter_name(stmt, i)) or "?%d" % i, v)

    def _bind_one(self, stmt, i, name, v):
        if v is None:
            rc = _fakt_bind_null(stmt, i)
        elif isinstance(v, (Entity, ClaimId)):
            rc = _fakt_bind_entity(stmt, i, str(v).encode("utf-8"))
        elif isinstance(v, str):
            b = v.encode("utf-8")
            rc = _fakt_bind_text(stmt, i, b, len(b), _TRANSIENT)
        elif isinstance(v, int) and not isinstance(v, bool):
            if not -2**63 <= v < 2**63:
                raise DataError("parameter %s: integer out of range" % name, RANGE)
            rc = _fakt_bind_int64(stmt, i, v)
        elif isinstance(v, float):
            rc = _fakt_bind_double(stmt, i, v)
        else:
            lit = _literal(v)
            if lit is None:
                raise NotSupportedError("parameter %s: cannot bind a value of type %s"
                                        % (name, type(v).__name__), MISUSE)
            if _bind_literal is None:
                raise NotSupportedError(
                    "parameter %s: binding a %s needs fakt_bind_literal(), which the "
                    "loaded library (%s) lacks" % (name, type(v).__name__, library_path), MISUSE)
            b = lit.encode("utf-8")
            rc = _bind_literal(stmt, i, b, len(b))
        if rc != OK:
            e = self.connection._err(rc)
            raise type(e)("parameter %s: %s" % (name, e.message), rc)

    # -- stepping
    def _advance(self):
        """Step to the next row into self._row (None when done, and the
        statement is finalized). The connection's lock is held."""
        stmt = self._stmt
        if stmt is None:
            self._row = None
            return
        rc = _fakt_step(stmt)
        if rc == ROW:
            self._row = self._read_row(stmt)
            return
        self._row = None
        err = self.connection._err(rc) if rc != DONE else None
        self._finalize()
        if err is not None:
            raise err

    @staticmethod
    def _read_row(stmt):
        row = []
        for i in range(_fakt_column_count(stmt)):
            t = _fakt_column_type(stmt, i)
            if t == _T_NULL:
                row.append(None)
            elif t == _T_INTEGER:
                row.append(_fakt_column_int64(stmt, i))
            elif t == _T_FLOAT:
                row.append(_fakt_column_double(stmt, i))
            elif t == _T_BOOL:
                row.append(_fakt_column_int64(stmt, i) != 0)
            elif t == _T_QUANTITY:
                row.append(Quantity(_fakt_column_double(stmt, i), _decode(_fakt_column_unit(stmt, i))))
            else:
                p = _fakt_column_text(stmt, i)
                s = ctypes.string_at(p, _fakt_column_bytes(stmt, i)).decode("utf-8") if p else None
                if t == _T_DATE:
                    s = _date_value(s)
                elif t == _T_ENTITY:
                    s = Entity(s)
                elif t == _T_CLAIM:
                    s = ClaimId(s)
                row.append(s)
        return tuple(row)

    def _finalize(self):
        stmt, self._stmt = self._stmt, None
        if stmt is not None:
            self._row = None
            _fakt_finalize(stmt)
            self.connection._cursors.discard(self)

    def fetchone(self):
        """The next row as a tuple, or None when there are no more."""
        con = self.connection
        with con._lock:
            row = self._row
            if row is None:
                if con._db is None:
                    raise ProgrammingError("the connection is closed", MISUSE)
                return None
            self._advance()
            return row

    def fetchmany(self, size=None):
        rows = []
        for _ in range(self.arraysize if size is None else size):
            row = self.fetchone()
            if row is None:
                break
            rows.append(row)
        return rows

    def fetchall(self):
        rows = []
        while True:
            row = self.fetchone()
            if row is None:
                return rows
            rows.append(row)

    def __iter__(self):
        return self

    def __next__(self):
        row = self.fetchone()
        if row is None:
            raise StopIteration
        return row

    def close(self):
        """Finalize the statement now (the remaining rows are dropped)."""
        with self.connection._lock:
            self._finalize()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __del__(self):
        try:
            if self._stmt is not None:
                self.close()
        except Exception:
            pass
