/*
** fakt.h -- the public interface of fakt, an embedded fact database.
**
** This header is the whole contract: anything not declared here is not API.
** The interface is modelled on sqlite3: a database handle (fakt), prepared
** statements (fakt_stmt), integer result codes, messages on the handle.
**
** Threads: a handle may be shared by any number of threads. Each thread
** prepares and steps its own statements; calls on one handle are serialised
** by a mutex inside it, and every statement reads its own snapshot, so each
** thread sees consistent results. A statement itself belongs to one thread
** at a time. An explicit transaction (begin ... commit) must be opened,
** used and closed by one thread (LMDB ties write transactions to a thread).
** fakt_errmsg() describes the last failed call on the handle by any thread:
** read it right after the call that failed; a thread sharing the handle
** reads the errors of its own statements with fakt_stmt_errmsg(). fakt_interrupt() may be called
** from any thread, or a signal handler, at any time; it stops every running
** statement of the handle.
** One handle per database file in a process: share it. fakt_open of a
** file this process already has open (by any name) fails with FAKT_MISUSE
** ("already open in this process"): LMDB's locks are per process, and a
** second environment on the same file would reset the first one's reader
** table. (Two handles that could only open the file read-only are not
** told apart.) Handles on different files are independent. The library
** has no global mutable state.
**
** Processes: any number of processes may read one database while one of
** them writes; readers see the last committed state as of the start of each
** statement (or of their explicit transaction) and never block the writer.
** The reader slots of processes that died are freed at the next open and
** at the next write transaction of any process, and a reader adopts the
** map of a file another process grew.
*/
#ifndef FAKT_H
#define FAKT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef FAKT_API
# define FAKT_API __attribute__((visibility("default")))
#endif

#define FAKT_VERSION        "0.1.0"
#define FAKT_VERSION_NUMBER 1000      /* major*1000000 + minor*1000 + patch */

/* Opaque handles. */
typedef struct fakt fakt;               /* an open database */
typedef struct fakt_stmt fakt_stmt;     /* a prepared statement */

/*
** Result codes. OK is 0; errors are small positive numbers; ROW and DONE
** are the two non-error results of fakt_step().
*/
#define FAKT_OK          0   /* success */
#define FAKT_ERROR       1   /* generic error (see the message) */
#define FAKT_INTERNAL    2   /* an internal invariant failed: a bug */
#define FAKT_PERM        3   /* write attempted on a read-only database */
#define FAKT_ABORT       4   /* the transaction a running statement read in ended */
#define FAKT_BUSY        5   /* another writer holds the write lock */
#define FAKT_NOMEM       7   /* out of memory */
#define FAKT_READONLY    8   /* database opened read-only */
#define FAKT_INTERRUPT   9   /* stopped by fakt_interrupt() */
#define FAKT_IOERR      10   /* an I/O error in the store */
#define FAKT_CORRUPT    11   /* the database file is damaged */
#define FAKT_NOTFOUND   12   /* unknown entity, predicate, claim, file ... */
#define FAKT_FULL       13   /* the database reached its maximum size */
#define FAKT_CANTOPEN   14   /* the database file cannot be opened */
#define FAKT_TOOBIG     18   /* a string, identifier or result is too large */
#define FAKT_CONSTRAINT 19   /* a quote not in its source, a redefinition ... */
#define FAKT_MISMATCH   20   /* a type error */
#define FAKT_MISUSE     21   /* the API was used wrongly */
#define FAKT_RANGE      25   /* a parameter index or column out of range */
#define FAKT_NOTADB     26   /* the file is not a fakt database */
#define FAKT_SYNTAX     27   /* a syntax error in the query text */
#define FAKT_FORMAT     28   /* the database has an unsupported format version */
#define FAKT_LIMIT      29   /* a per-query limit (rows, memory, time) was hit */
#define FAKT_ROW       100   /* fakt_step() has another row ready */
#define FAKT_DONE      101   /* fakt_step() has finished executing */

/* Flags for fakt_open(). */
#define FAKT_OPEN_READONLY  0x01   /* open for reading only */
#define FAKT_OPEN_READWRITE 0x02   /* open for reading and writing */
#define FAKT_OPEN_CREATE    0x04   /* create the file if it does not exist */

/* Column value types, as returned by fakt_column_type(). */
#define FAKT_NULL     0
#define FAKT_INTEGER  1
#define FAKT_FLOAT    2
#define FAKT_TEXT     3
#define FAKT_BOOL     4
#define FAKT_DATE     5   /* fakt_column_text gives 2023-09-10, 2023-09 or 2019 */
#define FAKT_QUANTITY 6   /* number with unit: _double gives the number */
#define FAKT_ENTITY   7   /* fakt_column_text gives the entity id */
#define FAKT_CLAIM    8   /* fakt_column_text gives the claim id */

/* Destructor sentinels for fakt_bind_text(). */
typedef void (*fakt_destructor)(void *);
#define FAKT_STATIC    ((fakt_destructor)0)   /* caller keeps the text alive */
#define FAKT_TRANSIENT ((fakt_destructor)-1)  /* fakt copies the text now */

/*
** Version of the library linked in; matches FAKT_VERSION of the header it was
** built with.
*/
FAKT_API const char *fakt_libversion(void);

/*
** Static English text for a result code, e.g. "syntax error". Never NULL.
*/
FAKT_API const char *fakt_errstr(int rc);

/*
** Open the database file at zPath (one file, plus a lock file "<real path>-lock"
** named after zPath with symbolic links resolved, so that every path to the
** file shares it; a file with several hard links is refused for writing,
** FAKT_CANTOPEN, as each name would have its own lock file). flags is a
** combination of FAKT_OPEN_*; 0 means READWRITE|CREATE. On success *ppDb is a
** new handle; on failure *ppDb is still a handle (unless out of memory, then
** NULL) whose fakt_errmsg() tells why; close it with fakt_close() either way.
** Returns FAKT_OK, FAKT_CANTOPEN, FAKT_PERM (no permission), FAKT_NOTADB,
** FAKT_CORRUPT, FAKT_FORMAT, FAKT_MISUSE (no path, or the file is already
** open in this process), FAKT_FULL (no room to map it), FAKT_NOMEM or
** FAKT_IOERR.
**
** zPath ":memory:" opens a new, empty, private database that is gone when
** the handle is closed. It lives in a file under $TMPDIR (or /tmp) that is
** removed, with its lock file, right after the open, so it never appears in
** the file system and no other handle can open it; its pages are in memory
** or in that unlinked file. With FAKT_OPEN_READONLY it stays empty.
** fakt_vacuum_into() copies it to a real file; fakt_check() reads it
** through its open descriptor (/proc/self/fd, Linux).
*/
FAKT_API int fakt_open(const char *zPath, int flags, fakt **ppDb);

/*
** Close a handle. Finalizes nothing on its own: it returns FAKT_BUSY (and
** closes nothing) while statements are unfinalized. An open explicit
** transaction is rolled back. fakt_close(NULL) is a harmless no-op.
** Returns FAKT_OK or FAKT_BUSY.
*/
FAKT_API int fakt_close(fakt *db);

/*
** Set limits for queries on this handle (0 = no limit). nMaxRows caps the rows
** a query may produce or materialise (FAKT_LIMIT), nMaxMem the bytes it may hold in
** memory, nMaxMillis its run time. Returns FAKT_OK or FAKT_MISUSE.
*/
FAKT_API int fakt_limits(fakt *db, int64_t nMaxRows, int64_t nMaxMem, int64_t nMaxMillis);

/*
** Set the largest size in bytes the database file may grow to (0: the
** default, 1 TiB; larger values are taken as given, up to what the address
** space allows). A write that would pass it fails with FAKT_FULL
** and changes nothing. Below the limit the map grows by itself: before each
** write transaction it makes room for max(used, 16 GiB) more (address space,
** not disk). Inside begin ... commit a claim that runs out of room after it
** began to write dooms the transaction: its commit fails with FAKT_FULL.
** Under an address-space limit (ulimit -v) the map grows only as far as
** it allows, and a write past that fails with FAKT_FULL saying so; a full
** disk fails a write with FAKT_FULL and "disk is full: cannot write PATH".
** Returns FAKT_OK, FAKT_MISUSE (NULL or closed handle, a negative size),
** FAKT_NOMEM or FAKT_IOERR (the map could not be changed).
*/
FAKT_API int fakt_set_max_size(fakt *db, int64_t nBytes);

/*
** About how many bytes of the database file a handle's reads leave in the
** process's resident set (0: no limit; the default is 256 MiB). fakt reads
** the file through a shared read-only map (LMDB), so every page a query
** touches counts as the process's memory until the kernel takes it back;
** past this limit the handle lets the map's pages go (they stay in the
** page cache, and come back, without a read from disk, when touched
** again). Its counterpart is SQLite's cache size: a lower limit costs
** queries over more of the file than it a page fault per page, a higher
** one costs memory. A write transaction keeps its own 48 MiB of mapped
** pages and at most 64 MiB of new pages in memory (SPEC.md 11.5).
** Returns FAKT_OK, or FAKT_MISUSE (NULL or closed handle, a negative size).
*/
FAKT_API int fakt_set_mapped(fakt *db, int64_t nBytes);

/*
** How long a write waits for another writer. One handle at a time, in any
** process, may write to a database; a write statement (or `begin`) of
** another waits up to nMs milliseconds for it to finish, then fails with
** FAKT_BUSY and the message "database is locked: another process (pid N)
** is writing to FILE ...", and changes nothing. The default is 5000 ms;
** 0 (or a negative value) fails at once. Readers never wait: a read sees
** the last committed state while the other writes. The wait is a poll
** (1 to 25 ms between tries) and is not stopped by fakt_interrupt(). On a
** file system without open-file-description locks the wait falls back to
** LMDB's own, which has no limit.
** Returns FAKT_OK, or FAKT_MISUSE for a NULL or closed handle.
*/
FAKT_API int fakt_busy_timeout(fakt *db, int nMs);

/*
** Compile the first statement of zSql (nByte bytes, or up to the NUL if nByte
** is negative). On success *ppStmt is the statement (NULL if the text held only
** space and comments) and *pzTail, if pzTail is not NULL, points just past
** it, so a caller can loop over a script. On failure *ppStmt is NULL,
** *pzTail points past the failing statement (to resynchronise a script), the
** code is returned and fakt_errmsg() gives "line L, col C: ..." text; line and
** column count from the start of zSql (see fakt_set_origin()).
** Returns FAKT_OK, FAKT_SYNTAX, FAKT_NOTFOUND (an unknown name),
** FAKT_MISMATCH (a type error), FAKT_CONSTRAINT (an ambiguous label),
** FAKT_RANGE (a date or number out of range), FAKT_TOOBIG, FAKT_ERROR (a
** rule that does not stratify or whose arity differs), FAKT_READONLY (a
** write statement on a read-only handle), FAKT_CORRUPT (a damaged stored
** rule), FAKT_NOMEM, FAKT_IOERR or FAKT_MISUSE (NULL arguments).
*/
FAKT_API int fakt_prepare(fakt *db, const char *zSql, int nByte,
                          fakt_stmt **ppStmt, const char **pzTail);

/*
** Tell the handle where the text passed to the next fakt_prepare() calls came
** from: zName (a file name, copied; NULL for none) is used as the base for
** relative `file` and `load` paths, and iLine/iCol (1-based) are the position
** of the first byte of the text, so positions in messages match the file.
** Returns FAKT_OK or FAKT_MISUSE (NULL handle, iLine or iCol below 1).
*/
FAKT_API int fakt_set_origin(fakt *db, const char *zName, int iLine, int iCol);

/*
** Bind a value to parameter i (1-based). Parameters are $name, $N or ?.
** Binds persist across fakt_reset(). fakt_bind_text copies the text; an
** xDel other than FAKT_STATIC (NULL) and FAKT_TRANSIENT is called once on
** z before fakt_bind_text returns, whatever it returns: on success and on
** every failure (p NULL, FAKT_RANGE, FAKT_MISUSE, FAKT_TOOBIG,
** FAKT_MISMATCH, FAKT_NOMEM), as in sqlite3, so the caller never frees z.
** fakt_bind_double refuses NaN and infinities with FAKT_RANGE (no value of
** fakt is NaN or infinite; the parameter is left null).
** Returns FAKT_OK, FAKT_RANGE (no such parameter; a non-finite double),
** FAKT_MISUSE (statement is running: reset it first), FAKT_NOMEM,
** FAKT_TOOBIG, FAKT_MISMATCH (text not UTF-8).
** A bound text is always a value: it is never parsed as query text.
*/
FAKT_API int fakt_bind_text(fakt_stmt *p, int i, const char *z, int n, fakt_destructor xDel);
FAKT_API int fakt_bind_int64(fakt_stmt *p, int i, int64_t v);
FAKT_API int fakt_bind_double(fakt_stmt *p, int i, double v);
FAKT_API int fakt_bind_null(fakt_stmt *p, int i);
/*
** Bind an entity or claim by its id (e.g. "kim_jong_un"), looked up at once.
** Returns FAKT_OK, FAKT_NOTFOUND (no such id), FAKT_RANGE, FAKT_MISUSE (NULL
** id, running statement), FAKT_NOMEM, FAKT_IOERR or FAKT_CORRUPT.
*/
FAKT_API int fakt_bind_entity(fakt_stmt *p, int i, const char *zId);
/*
** Bind one value written as a fakt literal (SPEC.md section 2.7): a number
** (-3, 2.5, 1e3), a quantity (60km/h, 1500 km), a date (@2023-09-10,
** @2023-09, @2019), a string ("text", with escapes), true, false, null, an
** entity or claim id (kim_jong_un, a000_06) or a label (~"Wladiwostok").
** zText[0..n) (n<0: up to the NUL) must be exactly one literal: anything
** else, a statement, an expression or a second value included, is refused
** with FAKT_MISMATCH and a message naming the text (and, for a syntax
** error, its column); no text is ever run. Ids and labels are resolved at
** once, in the open transaction or the last committed snapshot: an unknown
** id is FAKT_NOTFOUND, an ambiguous label FAKT_CONSTRAINT. fakt copies what
** it keeps; zText may be freed on return. On failure the parameter is NULL.
** Returns FAKT_OK, FAKT_MISMATCH, FAKT_NOTFOUND, FAKT_CONSTRAINT,
** FAKT_TOOBIG, FAKT_RANGE (index), FAKT_MISUSE (NULL statement or text, or
** a running statement), FAKT_NOMEM or FAKT_IOERR.
*/
FAKT_API int fakt_bind_literal(fakt_stmt *p, int i, const char *zText, int n);

/* Clear every binding back to NULL. Returns FAKT_OK or FAKT_MISUSE (NULL or
** running statement). */
FAKT_API int fakt_clear_bindings(fakt_stmt *p);

/* Number of parameters (the largest index). */
FAKT_API int fakt_bind_parameter_count(fakt_stmt *p);
/* Index of the parameter named zName ("$name", "$2"), 0 if there is none. */
FAKT_API int fakt_bind_parameter_index(fakt_stmt *p, const char *zName);
/* Name of parameter i ("$name"), NULL for a lone ? or out of range. */
FAKT_API const char *fakt_bind_parameter_name(fakt_stmt *p, int i);

/*
** Run the statement to its next row. Returns FAKT_ROW when a row is ready,
** FAKT_DONE when finished, or an error code (the statement is then reset):
** FAKT_MISMATCH (a type error in a value), FAKT_CONSTRAINT (a claim that
** exists with other content, a quote not in its source, a redefinition),
** FAKT_NOTFOUND, FAKT_ERROR (`commit` with no transaction open ...),
** FAKT_READONLY, FAKT_LIMIT (fakt_limits), FAKT_INTERRUPT, FAKT_ABORT (see
** below), FAKT_BUSY (another writer, fakt_busy_timeout), FAKT_FULL,
** FAKT_CANTOPEN or FAKT_PERM (a `load` file), FAKT_SYNTAX (in a `load`
** file), FAKT_RANGE, FAKT_TOOBIG, FAKT_CORRUPT, FAKT_NOMEM, FAKT_IOERR, or
** FAKT_MISUSE (NULL statement, a transaction of another thread).
** A step after FAKT_DONE resets the statement and runs it again, with the
** same bindings, in a new snapshot (as sqlite3_step does); for a write
** statement that means writing again.
** A write statement does all its work in the first call, which returns
** FAKT_DONE (or, for a statement that reports something, FAKT_ROW).
** A statement never outlives the transaction it reads in: when commit or
** rollback ends the explicit transaction a statement began stepping in
** while it still has rows to give, its row and cursors are dropped, and
** its next fakt_step returns FAKT_ABORT and resets it (so the step after
** that runs it again, from the start, in a fresh snapshot). fakt_reset
** and fakt_finalize on such a statement are safe.
*/
FAKT_API int fakt_step(fakt_stmt *p);

/*
** Columns of the current row. Names are valid until finalize. Values are
** valid until the next step, reset or finalize of this statement.
** _text renders any type as text (entity ids, dates as 2023-09, quantities
** as "60 km/h"); NULL for FAKT_NULL. _int64/_double convert numbers (0 for
** non-numbers; a quantity gives its number). _bytes is the length of _text.
*/
FAKT_API int         fakt_column_count(fakt_stmt *p);
FAKT_API const char *fakt_column_name(fakt_stmt *p, int i);
FAKT_API int         fakt_column_type(fakt_stmt *p, int i);
FAKT_API const char *fakt_column_text(fakt_stmt *p, int i);
FAKT_API int         fakt_column_bytes(fakt_stmt *p, int i);
FAKT_API int64_t     fakt_column_int64(fakt_stmt *p, int i);
FAKT_API double      fakt_column_double(fakt_stmt *p, int i);
/* Unit of a quantity column ("km/h"), NULL otherwise. */
FAKT_API const char *fakt_column_unit(fakt_stmt *p, int i);

/* Reset a statement to run again; bindings stay. Returns FAKT_OK. */
FAKT_API int fakt_reset(fakt_stmt *p);
/* Destroy a statement. fakt_finalize(NULL) is a no-op. Returns FAKT_OK. */
FAKT_API int fakt_finalize(fakt_stmt *p);
/* The text the statement was prepared from (owned by the statement). */
FAKT_API const char *fakt_sql(fakt_stmt *p);
/* 1 if the statement only reads, 0 if it may write. */
FAKT_API int fakt_stmt_readonly(fakt_stmt *p);

/*
** Callback for fakt_exec: called once per result row with the column count,
** the values as text (NULL for null) and the column names. A non-zero return
** stops fakt_exec with FAKT_ABORT-like FAKT_INTERRUPT.
*/
typedef int (*fakt_callback)(void *pArg, int nCol, char **azVal, char **azCol);

/*
** Run every statement of zSql in turn. On error stops, returns the code and,
** if pzErrMsg is not NULL, sets *pzErrMsg to a copy of the message which the
** caller frees with fakt_free() (NULL on success). A callback that returns
** non-zero stops the statement: fakt_exec then returns FAKT_INTERRUPT.
** Returns FAKT_OK, FAKT_MISUSE (NULL handle or text), FAKT_INTERRUPT, or
** the failing statement's code from fakt_prepare or fakt_step: FAKT_ERROR,
** FAKT_SYNTAX, FAKT_NOTFOUND, FAKT_MISMATCH, FAKT_CONSTRAINT, FAKT_RANGE,
** FAKT_TOOBIG, FAKT_READONLY, FAKT_LIMIT, FAKT_BUSY, FAKT_FULL,
** FAKT_CANTOPEN, FAKT_PERM, FAKT_CORRUPT, FAKT_ABORT, FAKT_NOMEM or
** FAKT_IOERR.
*/
FAKT_API int fakt_exec(fakt *db, const char *zSql, fakt_callback xCallback,
                       void *pArg, char **pzErrMsg);

/* 1 if zSql ends a complete statement (a ";" outside strings and comments). */
FAKT_API int fakt_complete(const char *zSql);

/* The message of the last failed call on db ("not an error" if none). Owned by db. */
FAKT_API const char *fakt_errmsg(fakt *db);
/* The code of the last failed call on db (FAKT_OK if the last call succeeded). */
FAKT_API int fakt_errcode(fakt *db);
/* Byte offset in the prepared text of the last error, or -1. */
FAKT_API int fakt_error_offset(fakt *db);
/*
** The error of the last call on statement p (fakt_step, a fakt_bind_*,
** fakt_clear_bindings) that failed, kept on the statement: "not an error"
** and FAKT_OK after a call that succeeded. Unlike fakt_errmsg(), which
** any thread's next call on the handle replaces, this is the statement's
** own, so a thread that steps its own statement reads its own error. The
** text belongs to the statement, valid until its next call or finalize.
** fakt_stmt_errcode(NULL) is FAKT_MISUSE.
*/
FAKT_API const char *fakt_stmt_errmsg(fakt_stmt *p);
FAKT_API int fakt_stmt_errcode(fakt_stmt *p);
/* Free memory returned by fakt (fakt_exec messages, fakt_mprintf ...). NULL is fine. */
FAKT_API void fakt_free(void *p);

/*
** Make the running statement(s) of db stop with FAKT_INTERRUPT at the next
** row or loop iteration (a `load`: before the next statement of its file;
** fakt_import: before the next record or statement). Safe to call from
** another thread or a signal handler. The flag is cleared when the next
** statement starts; an interrupted load or import stores nothing.
*/
FAKT_API void fakt_interrupt(fakt *db);

/*
** Progress of a `load` (as sqlite3_progress_handler): while a load
** statement runs, xProgress(pArg) is called after every nStatements
** statements of its file (those of nested loads included, a nested `load`
** counting as one more; the count starts again with each load statement),
** so a load of K statements calls it K/nStatements times (rounded down),
** whatever the time. A non-zero return stops the load as fakt_interrupt()
** does: its fakt_step returns FAKT_INTERRUPT ("interrupted", at the
** statement of the file it stopped after) and nothing of the file is
** stored. nStatements 0 or xProgress NULL removes the handler; a new
** handler replaces the last. It is called on the thread that steps the
** load, with the handle's mutex held: it must not use db (other than to
** call fakt_interrupt), and should return quickly. The shell shows a
** load's progress on a terminal through it. Returns FAKT_OK, or
** FAKT_MISUSE (NULL or closed handle, nStatements negative).
*/
FAKT_API int fakt_progress_handler(fakt *db, int nStatements, int (*xProgress)(void *pArg),
                                   void *pArg);

/*
** The id of the last claim a claim statement on this handle wrote, as
** text ("a000_06", or "_c17" for a claim written without an id), or NULL
** if none has yet. A claim statement that finds the same claim already
** there counts as writing it; one that fails changes nothing, and a later
** rollback does not take it back (as sqlite3_last_insert_rowid). Statements
** inside `load` count; fakt_import does not. The text belongs to the handle
** and stays valid until the next write statement on it or fakt_close;
** copy it to keep it, and to share the handle between writing threads.
*/
FAKT_API const char *fakt_last_claim(fakt *db);
/* Id of the last committed transaction (0 for an empty database). */
FAKT_API int64_t fakt_last_tx(fakt *db);
/* Number of claims changed (added or retracted) by the last write statement. */
FAKT_API int64_t fakt_changes(fakt *db);
/* 1 while an explicit transaction (begin ...) is open. */
FAKT_API int fakt_in_transaction(fakt *db);

/*
** Check the integrity of the whole database: first the structure of every
** page in use (the walk fakt_open does, SPEC.md 12.6; a damaged page is then
** the only problem reported), then that every index agrees with the others,
** with the dictionary and with the transaction log. Returns FAKT_OK,
** FAKT_CORRUPT, FAKT_MISUSE (a closed handle), FAKT_NOMEM or FAKT_IOERR;
** if pzReport is not NULL it receives a report (free with fakt_free)
** listing each problem, or "ok".
*/
FAKT_API int fakt_check(fakt *db, char **pzReport);

/*
** Write a compact copy of the database to the new file zPath, from the last
** committed transaction (like SQLite's VACUUM INTO). Every table is copied
** in key order, so the copy has no free pages and full leaf pages: after a
** bulk load in several transactions it can be less than half the size (in
** the 10M-claim benchmark, 2.8 GB against 7.1 GB). The handle stays
** open and usable, other readers and writers are not stopped, and the copy
** is an ordinary fakt database (open it, or rename it over the original
** once nothing has that open). FAKT_CANTOPEN if zPath exists; on any
** failure nothing is left at zPath. The copy is written to zPath-vacuum and
** appears at zPath only whole and synced: a vacuum killed midway leaves at
** most zPath-vacuum, which fakt_open refuses (FAKT_NOTADB) and the next
** vacuum into zPath reuses.
** Returns FAKT_OK, FAKT_MISUSE (NULL arguments), FAKT_CANTOPEN (zPath
** exists, or its directory does not), FAKT_BUSY (another vacuum into zPath
** is running), FAKT_PERM, FAKT_FULL (the disk), FAKT_NOMEM or FAKT_IOERR.
*/
FAKT_API int fakt_vacuum_into(fakt *db, const char *zPath);

/*
** Take an online backup of the database into the new file zPath: the same
** compact copy as fakt_vacuum_into(), named for its use, a read replica
** (SPEC.md 11.6). The copy is one snapshot, the last transaction committed
** when the backup begins (one LMDB read transaction spans the whole copy),
** so it is consistent while other handles and processes keep writing:
** their later commits are simply not in it, and none of them waits for the
** backup. A transaction this handle has open (begin without commit) is
** not in the copy either. The copy passes fakt_check(), keeps the last
** transaction id, and opens like any fakt database (read-only on the
** machines it is shipped to). FAKT_CANTOPEN if zPath exists (a backup never
** replaces a file: another process could have the old one open); on any
** failure nothing is left at zPath.
** Returns FAKT_OK, FAKT_MISUSE (NULL arguments), FAKT_CANTOPEN (zPath
** exists, or its directory does not), FAKT_BUSY (a vacuum or backup into
** zPath is running), FAKT_PERM, FAKT_FULL (the disk), FAKT_NOMEM or
** FAKT_IOERR.
*/
FAKT_API int fakt_backup(fakt *db, const char *zPath);

/*
** ---------------------------------------------------------------- interoperability
** Export and import (SPEC.md section 14). Both work on the visible state of
** the database (the last committed transaction; retracted claims are not
** exported; stored rules only by "jsonl", and by "sql" as views). Formats:
**
**   export  "nquads"   zPath: a file. RDF 1.1 N-Quads: each claim's triple
**                      in the named graph of the claim's IRI, its
**                      provenance, the entities, sources and predicates in
**                      the default graph (vocabulary in SPEC.md 14.2).
**           "jsonl"    zPath: a file. One JSON object per line: predicates,
**                      entities (places with lat/lon), sources (with their
**                      text), claims with all provenance (SPEC.md 14.3).
**                      nquads and jsonl take an optional zArg: a find
**                      statement whose first column holds claims; then
**                      only those claims are written, with their provenance.
**           "csv"      zPath: a directory (created if missing) that gets
**                      predicates.csv, entities.csv, aliases.csv,
**                      sources.csv and claims.csv (SPEC.md 14.4).
**           "dot"      zPath: a file; zArg: an entity id (or a label) whose
**                      claim graph is drawn for Graphviz (SPEC.md 14.6).
**           "geojson"  zPath: a file. A FeatureCollection of the places as
**                      Points and the route of zArg (an entity id; NULL:
**                      kim_jong_un if it exists) as a LineString.
**   import  "jsonl", "csv"  what the exports of those names write.
**           "geonames" a GeoNames tab-separated dump such as cities1000.txt:
**                      one city entity gn_GEONAMEID per row, with its
**                      alternate names as aliases, coordinates, population
**                      and country code (SPEC.md 14.5).
**
** Return FAKT_OK, or: FAKT_MISUSE (NULL db or path, unknown format, an
** explicit transaction is open during an import), FAKT_CANTOPEN (a file
** cannot be opened or created), FAKT_IOERR (a write failed), FAKT_SYNTAX (a
** malformed line of an import file), FAKT_TOOBIG (a line over 16 MiB), FAKT_NOTFOUND (dot: no such entity),
** FAKT_READONLY, FAKT_INTERRUPT, or the code of a statement the import ran.
** On error, if pzErr is not NULL, *pzErr is a message to free with
** fakt_free() ("PATH:LINE: MESSAGE" for errors in an import file); on
** success *pzErr is NULL. fakt_errmsg(db) gives the same text.
**
** An import runs as one transaction: all of it is stored, or nothing (a
** failed import changes nothing). Rows it cannot use (a GeoNames row with
** bad coordinates or too few fields) are skipped and counted; anything else
** wrong is an error. xProgress, if not NULL, is called with pArg every 4096
** rows and once at the end, with the rows taken and skipped so far. On
** return *pnRows and *pnSkipped (either may be NULL) hold the final counts.
** An export writes to zPath.tmp and renames it when complete, so a failed
** export leaves no partial file (csv: each file of the directory); through
** a symbolic link it writes the file the link points to that way. A FIFO,
** a device or a path in /dev or /proc (/dev/stdout) is written straight,
** never replaced. An import reads lines of at most 16 MiB (longer:
** FAKT_TOOBIG, naming the line).
*/
typedef void (*fakt_progress)(void *pArg, int64_t nRows, int64_t nSkipped);

FAKT_API int fakt_export(fakt *db, const char *zFormat, const char *zPath,
                         const char *zArg, char **pzErr);
FAKT_API int fakt_import(fakt *db, const char *zFormat, const char *zPath,
                         fakt_progress xProgress, void *pArg,
                         int64_t *pnRows, int64_t *pnSkipped, char **pzErr);

#ifdef __cplusplus
}
#endif
#endif /* FAKT_H */
