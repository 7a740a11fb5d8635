"""tests/python/test_fakt.py -- the Python module fakt (python/fakt).

Run from the top of the tree after `make all build/corpus.fakt`:
    FAKT_LIBRARY=build/libfakt.so PYTHONPATH=python python3 -m unittest tests/python/test_fakt.py
(tests/shell/python.sh does this). FAKT_CORPUS names the corpus database
(default: build/corpus.fakt beside the library). Writes go to a copy of the
corpus or a new database in a temporary directory.
"""

import datetime
import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest
from unittest import mock

import fakt

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.environ.get("FAKT_CORPUS") or os.path.join(
    os.path.dirname(os.path.abspath(fakt.library_path)), "corpus.fakt")

FIXTURE = """
entity nordkorea country "Nordkorea" aka "North Korea";
entity kim person "Kim Jong Un" aka "Kim Jong-un";
entity putin person "Wladimir Putin";
entity reuters agency "Reuters";
source s1 "Kim reist nach Russland" by reuters published @2023-09-12
  text "Kim Jong Un ist mit dem Zug nach Russland gereist.";
predicate met : entity "met in person";
predicate speed : quantity;
predicate on_day : date;
claim c1: kim met putin from s1 quote "mit dem Zug nach Russland";
"""


def corpus_connection():
    return fakt.connect(CORPUS, readonly=True)


class TempDir(unittest.TestCase):
    """A temporary directory per test, and connections closed at the end."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="fakt-py.")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def fresh(self, name="t.fakt", fixture=True):
        db = fakt.connect(os.path.join(self.dir, name))
        self.addCleanup(db.close)
        if fixture:
            db.executescript(FIXTURE)
        return db


# ---------------------------------------------------------------- library

class TestLibrary(unittest.TestCase):

    def test_codes_match_the_header(self):
        with open(os.path.join(TOP, "include", "fakt.h"), encoding="utf-8") as f:
            header = f.read()
        block = header[header.index("#define FAKT_OK"):header.index("/* Flags for fakt_open")]
        expected = {int(m.group(2)): m.group(1) for m in
                    re.finditer(r"^#define (FAKT_[A-Z]+)\s+(\d+)\s", block, re.M)}
        self.assertIn(27, expected)
        self.assertEqual(expected, fakt._CODENAMES)

    def test_version(self):
        self.assertRegex(fakt.libversion(), r"^\d+\.\d+\.\d+$")

    def run_python(self, env_library, code="import fakt; print(fakt.library_path)"):
        env = dict(os.environ, PYTHONPATH=os.path.join(TOP, "python"))
        env.pop("FAKT_LIBRARY", None)
        if env_library is not None:
            env["FAKT_LIBRARY"] = env_library
        return subprocess.run([sys.executable, "-c", code], env=env, cwd=tempfile.gettempdir(),
                              capture_output=True, text=True, timeout=60)

    def test_fakt_library_wins(self):
        with tempfile.TemporaryDirectory() as d:
            copy = os.path.join(d, "libcopy.so")
            shutil.copy(os.path.realpath(fakt.library_path), copy)
            r = self.run_python(copy)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout.strip(), copy)

    def test_tree_library_without_fakt_library(self):
        tree = os.path.join(TOP, "build", "libfakt.so")
        if not os.path.exists(tree):
            self.skipTest("no build/libfakt.so in the tree")
        r = self.run_python(None)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), tree)

    def test_bad_fakt_library_is_a_clear_import_error(self):
        for bad in ("/nonexistent/libfakt.so", os.path.abspath(__file__)):
            r = self.run_python(bad)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("ImportError: fakt: cannot load the library FAKT_LIBRARY=%s names" % bad,
                          r.stderr)


# ---------------------------------------------------------------- values

class TestValues(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.db = corpus_connection()

    @classmethod
    def tearDownClass(cls):
        cls.db.close()

    def test_every_type(self):
        cur = self.db.execute('find true, false, 7, -9223372036854775807, 1.5, 60km/h, -2.5km,'
                              ' @2023-09-10, @2023-09, @2019, "s\u00e4tze", kim_jong_un, a000_08, null;')
        row = cur.fetchone()
        expected = (True, False, 7, -9223372036854775807, 1.5, fakt.Quantity(60.0, "km/h"),
                    fakt.Quantity(-2.5, "km"), datetime.date(2023, 9, 10),
                    fakt.PartialDate(2023, 9), fakt.PartialDate(2019), "s\u00e4tze",
                    "kim_jong_un", "a000_08", None)
        self.assertEqual(row, expected)
        types = (bool, bool, int, int, float, fakt.Quantity, fakt.Quantity, datetime.date,
                 fakt.PartialDate, fakt.PartialDate, str, fakt.Entity, fakt.ClaimId, type(None))
        self.assertEqual(tuple(type(v) for v in row), types)
        self.assertEqual(type(row[11]), fakt.Entity)
        self.assertIsNone(cur.fetchone())

    def test_value_text_forms(self):
        self.assertEqual(str(fakt.Quantity(60.0, "km/h")), "60 km/h")
        self.assertEqual(str(fakt.Quantity(2.5, "km")), "2.5 km")
        self.assertEqual(str(fakt.PartialDate(2023, 9)), "2023-09")
        self.assertEqual(str(fakt.PartialDate(2019)), "2019")
        self.assertEqual(repr(fakt.Entity("kim")), "Entity('kim')")
        self.assertEqual(repr(fakt.ClaimId("a1")), "ClaimId('a1')")

    def test_stored_values_and_description(self):
        cur = self.db.execute("find ?c, ?d, ?who where ?c: summit_2023 summit_date ?d,"
                              " by(?c, ?who) order by ?d, ?c;")
        self.assertEqual(cur.columns, ["c", "d", "who"])
        self.assertEqual([d[0] for d in cur.description], ["c", "d", "who"])
        self.assertEqual(len(cur.description[0]), 7)
        rows = cur.fetchall()
        self.assertEqual(rows[0], ("a000_08", datetime.date(2023, 9, 12), "chosun_ilbo"))
        self.assertEqual(len(rows), 5)
        self.assertTrue(all(type(c) is fakt.ClaimId and type(w) is fakt.Entity for c, _, w in rows))
        self.assertEqual(sorted({d for _, d, _ in rows}),
                         [datetime.date(2023, 9, 12), datetime.date(2023, 9, 13)])

    def test_fetchmany_and_iteration(self):
        q = "find ?src, count() as n where ?c: ?s ?p ?o, source(?c, ?src) order by ?src;"
        all_rows = self.db.execute(q).fetchall()
        self.assertEqual([r[0] for r in all_rows], ["art000", "art001", "art002", "art003", "art004"])
        self.assertEqual(sum(r[1] for r in all_rows), self.db.execute(
            "find count() where ?c: ?s ?p ?o, source(?c, ?src);").fetchone()[0])
        cur = self.db.execute(q)
        self.assertEqual(cur.fetchmany(2), all_rows[:2])
        self.assertEqual(cur.fetchmany(), all_rows[2:3])          # arraysize 1
        self.assertEqual(list(cur), all_rows[3:])
        self.assertEqual(cur.fetchmany(5), [])


# ---------------------------------------------------------------- parameters

class TestParameters(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.db = corpus_connection()

    @classmethod
    def tearDownClass(cls):
        cls.db.close()

    Q = "find ?p, ?o where ?c: %s ?p ?o, source(?c, art002) order by ?p, ?o;"

    def test_by_name_position_and_entity(self):
        by_id = self.db.execute(self.Q % "dmitry_peskov").fetchall()
        self.assertGreater(len(by_id), 0)
        self.assertEqual(self.db.execute(self.Q % "$who", {"who": "Peskow"}).fetchall(), by_id)
        self.assertEqual(self.db.execute(self.Q % "$who", {"$who": "dmitry_peskov"}).fetchall(), by_id)
        self.assertEqual(self.db.execute(self.Q % "$1", ["Peskow"]).fetchall(), by_id)
        self.assertEqual(self.db.execute(self.Q % "?", (fakt.Entity("dmitry_peskov"),)).fetchall(), by_id)
        self.assertEqual(self.db.execute(self.Q % "$1", ["nobody at all"]).fetchall(), [])

    def test_scalar_parameters(self):
        row = self.db.execute("find $a, $b, $c, $d, $e, $a + 1;",
                              {"a": 41, "b": 2.5, "c": "x\"; retract a000_08; \"", "d": None,
                               "e": fakt.ClaimId("a000_08")}).fetchone()
        self.assertEqual(row, (41, 2.5, "x\"; retract a000_08; \"", None, "a000_08", 42))
        self.assertEqual([type(v) for v in row], [int, float, str, type(None), fakt.ClaimId, int])
        self.assertEqual(self.db.execute("find $2, $1;", [1, 2]).fetchone(), (2, 1))

    def test_parameter_mistakes(self):
        with self.assertRaisesRegex(fakt.ProgrammingError, r"no value for parameter \$b"):
            self.db.execute("find $a, $b;", {"a": 1})
        with self.assertRaisesRegex(fakt.ProgrammingError, r"no parameter \$c"):
            self.db.execute("find $a;", {"a": 1, "c": 2})
        with self.assertRaisesRegex(fakt.ProgrammingError, "has 2 parameters, 1 given"):
            self.db.execute("find ?, ?;", [1])
        with self.assertRaisesRegex(fakt.ProgrammingError, "dict or a sequence"):
            self.db.execute("find $1;", "a")
        with self.assertRaisesRegex(fakt.DataError, "integer out of range"):
            self.db.execute("find $1;", [2**63])
        with self.assertRaises(fakt.DataError) as cm:
            self.db.execute("find $1;", [fakt.Entity("no_such_entity")])
        self.assertEqual(cm.exception.codename, "FAKT_NOTFOUND")
        self.assertIn('unknown entity "no_such_entity"', cm.exception.message)
        for v in (b"bytes", object(), 1j):
            with self.assertRaisesRegex(fakt.NotSupportedError, "cannot bind a value of type"):
                self.db.execute("find $1;", [v])


class TestLiterals(unittest.TestCase):
    """Booleans, dates and quantities are bound through fakt_bind_literal."""

    VALUES = [True, False, datetime.date(2023, 9, 10), fakt.PartialDate(2023, 9),
              fakt.PartialDate(2019), fakt.Quantity(60, "km/h"), fakt.Quantity(2.5, "km"),
              fakt.Quantity(-3, "m"), fakt.Quantity(1e-05, "%"), fakt.Quantity(7, "times"),
              fakt.Quantity(5, "eur"), fakt.Quantity(1e20, "km")]

    @classmethod
    def setUpClass(cls):
        cls.db = corpus_connection()

    @classmethod
    def tearDownClass(cls):
        cls.db.close()

    def test_literal_text_reads_back_as_the_value(self):
        # the text given to fakt_bind_literal, read by the query parser
        for v in self.VALUES:
            lit = fakt._literal(v)
            got = self.db.execute("find %s;" % lit).fetchone()[0]
            self.assertEqual((lit, got, type(got)), (lit, v, type(v)))

    def test_literal_refusals(self):
        with self.assertRaisesRegex(fakt.DataError, "not a unit"):
            fakt._literal(fakt.Quantity(1, "km; retract a000_08"))
        with self.assertRaisesRegex(fakt.DataError, "not a unit"):
            fakt._literal(fakt.Quantity(2, "e3x"))          # 2e3x reads as 2000 x
        with self.assertRaisesRegex(fakt.DataError, "invalid date"):
            fakt._literal(fakt.PartialDate(2023, 13))
        with self.assertRaisesRegex(fakt.ProgrammingError, "datetime"):
            fakt._literal(datetime.datetime(2023, 9, 10, 12, 0))

    @unittest.skipIf(fakt._bind_literal is None,
                     "the library has no fakt_bind_literal (issue 21): the missing path is tested")
    def test_bind_literal(self):
        for v in self.VALUES:
            got = self.db.execute("find $1;", [v]).fetchone()[0]
            self.assertEqual((got, type(got)), (v, type(v)))
        rows = self.db.execute("find ?c where ?c: summit_2023 summit_date ?d, ?d = $day"
                               " order by ?c;", {"day": datetime.date(2023, 9, 13)}).fetchall()
        self.assertEqual(rows, [("a000_12",), ("a001_21",)])

    def test_without_bind_literal(self):
        with mock.patch.object(fakt, "_bind_literal", None):
            for v in self.VALUES:
                with self.assertRaises(fakt.NotSupportedError) as cm:
                    self.db.execute("find $x;", {"x": v})
                self.assertIn("needs fakt_bind_literal()", cm.exception.message)
                self.assertIn("parameter $x", cm.exception.message)
            # the others still bind
            self.assertEqual(self.db.execute("find $1, $2;", [1, None]).fetchone(), (1, None))


# ---------------------------------------------------------------- errors

class TestErrors(TempDir):

    def test_syntax_error_position(self):
        with corpus_connection() as db:
            with self.assertRaises(fakt.ProgrammingError) as cm:
                db.execute("find 1,\n  2 +;")
        e = cm.exception
        self.assertEqual((e.code, e.codename, e.line, e.column), (27, "FAKT_SYNTAX", 2, 6))
        self.assertTrue(e.message.startswith('line 2, col 6: near ";": syntax error'), e.message)
        self.assertEqual(str(e), e.message)

    def test_unknown_entity_in_text(self):
        with corpus_connection() as db:
            with self.assertRaises(fakt.Error) as cm:
                db.execute("find ?p where ?c: nobody_here ?p ?o;")
        self.assertEqual(cm.exception.codename, "FAKT_NOTFOUND")
        self.assertEqual((cm.exception.line, cm.exception.column), (1, 19))

    def test_script_error_positions_count_from_the_script(self):
        db = self.fresh()
        with self.assertRaises(fakt.ProgrammingError) as cm:
            db.executescript('entity a person "A";\n\n  entity b person "B"\n   + ;\nentity c person "C";')
        self.assertEqual((cm.exception.line, cm.exception.column), (4, 4))
        found = [r[0] for r in db.execute("find ?e where ?e: ?x ?y ?z;")]
        names = db.execute('find ?e where named(?e, "A");').fetchall()
        self.assertEqual(names, [("a",)])            # the first statement ran
        self.assertEqual(db.execute('find ?e where named(?e, "C");').fetchall(), [])
        self.assertEqual(found, ["c1"])
        # an error on the line where a later statement starts
        with self.assertRaises(fakt.ProgrammingError) as cm:
            db.executescript('entity d person "D"; find +;')
        self.assertEqual((cm.exception.line, cm.exception.column), (1, 27))   # the +, as in "find +;" at 1:6
        # and the next execute counts from its own text again
        with self.assertRaises(fakt.Error) as cm:
            db.execute("find +;")
        self.assertEqual((cm.exception.line, cm.exception.column), (1, 6))

    def test_failed_statement_changes_nothing(self):
        db = self.fresh()
        before = db.last_tx
        with self.assertRaises(fakt.IntegrityError) as cm:
            db.execute('claim c2: kim met putin from s1 quote "not in the article";')
        self.assertEqual(cm.exception.codename, "FAKT_CONSTRAINT")
        self.assertEqual(db.last_tx, before)
        self.assertEqual(db.execute("find ?c where ?c: kim met putin;").fetchall(), [("c1",)])

    def test_readonly(self):
        path = os.path.join(self.dir, "ro.fakt")
        self.fresh("ro.fakt").close()
        with fakt.connect(path, readonly=True) as db:
            with self.assertRaises(fakt.OperationalError) as cm:
                db.execute('entity x person "X";')
        self.assertEqual(cm.exception.codename, "FAKT_READONLY")

    def test_cannot_open(self):
        with self.assertRaises(fakt.Error) as cm:
            fakt.connect(os.path.join(self.dir, "no", "such", "dir.fakt"))
        self.assertEqual(cm.exception.codename, "FAKT_CANTOPEN")
        junk = os.path.join(self.dir, "junk")
        with open(junk, "wb") as f:
            f.write(b"not a database" * 1000)
        with self.assertRaises(fakt.Error) as cm:
            fakt.connect(junk, readonly=True)
        self.assertIn(cm.exception.codename, ("FAKT_NOTADB", "FAKT_CORRUPT"))


# ---------------------------------------------------------------- writes and transactions

class TestWrites(TempDir):

    def test_executescript_and_rowcount(self):
        db = self.fresh()
        self.assertEqual(db.execute("find ?s, ?o where ?c: ?s met ?o;").fetchall(), [("kim", "putin")])
        cur = db.execute('claim c2: kim speed 60km/h from s1 quote "mit dem Zug";')
        self.assertEqual(cur.rowcount, 1)
        self.assertIsNone(cur.description)
        self.assertEqual(db.execute("find ?v where ?c: kim speed ?v;").fetchone(),
                         (fakt.Quantity(60.0, "km/h"),))
        self.assertEqual(db.execute("find ?s where ?c: ?s met ?o;").rowcount, -1)

    def test_transaction_commits(self):
        path = os.path.join(self.dir, "t.fakt")
        db = self.fresh()
        tx = db.last_tx
        with db.transaction():
            self.assertTrue(db.in_transaction)
            db.execute('entity lee person "Lee";')
            db.execute('claim c3: lee met kim from s1 quote "Kim Jong Un";')
            self.assertEqual(db.execute("find ?o where ?c: lee met ?o;").fetchall(), [("kim",)])
        self.assertFalse(db.in_transaction)
        self.assertEqual(db.last_tx, tx + 1)
        self.assertEqual(db.last_claim, "c3")
        self.assertIsInstance(db.last_claim, fakt.ClaimId)
        db.execute('claim lee met kim;')
        gen = db.last_claim
        self.assertTrue(gen.startswith("_c"), gen)
        self.assertEqual(db.execute("find ?o where ?c: lee met ?o, ?c = $c;", {"c": gen}).fetchall(),
                         [("kim",)])
        db.close()
        with fakt.connect(path, readonly=True) as again:
            # c3 from the transaction and the generated claim after it
            self.assertEqual(again.execute("find ?c where ?c: lee met ?o, ?c = c3;").fetchall(), [("c3",)])
            self.assertEqual(again.execute("find count() where ?c: lee met kim;").fetchall(), [(2,)])

    def test_transaction_rolls_back_on_exception(self):
        db = self.fresh()
        tx = db.last_tx
        with self.assertRaisesRegex(KeyError, "boom"):
            with db.transaction():
                db.execute('entity lee person "Lee";')
                raise KeyError("boom")
        self.assertFalse(db.in_transaction)
        self.assertEqual(db.last_tx, tx)
        self.assertEqual(db.execute('find ?e where named(?e, "Lee");').fetchall(), [])
        # a failing statement inside: its error propagates, and all is undone
        with self.assertRaises(fakt.DataError):
            with db.transaction():
                db.execute('entity lee person "Lee";')
                db.execute("claim c4: lee met nobody_known;")
        self.assertEqual(db.execute('find ?e where named(?e, "Lee");').fetchall(), [])

    def test_commit_and_rollback_methods(self):
        db = self.fresh()
        db.commit()                                   # nothing open: nothing to do
        db.rollback()
        db.begin()
        with self.assertRaisesRegex(fakt.Error, "already open"):
            db.begin()
        db.execute('entity lee person "Lee";')
        db.rollback()
        self.assertEqual(db.execute('find ?e where named(?e, "Lee");').fetchall(), [])
        db.begin()
        db.execute('entity lee person "Lee";')
        db.commit()
        self.assertEqual(db.execute('find ?e where named(?e, "Lee");').fetchall(), [("lee",)])

    def test_corpus_copy(self):
        path = os.path.join(self.dir, "corpus.fakt")
        shutil.copy(CORPUS, path)
        with fakt.connect(path) as db:
            n = db.execute("find count() where ?c: ?s ?p ?o;").fetchone()[0]
            db.execute("retract a000_08;")
            self.assertEqual(db.execute("find count() where ?c: ?s ?p ?o;").fetchone()[0], n - 1)
        with corpus_connection() as db:
            self.assertEqual(db.execute("find count() where ?c: ?s ?p ?o;").fetchone()[0], n)


# ---------------------------------------------------------------- lifetime

class TestLifetime(TempDir):

    def test_close_finalizes_open_cursors(self):
        db = self.fresh()
        cur = db.execute("find ?a, ?b where ?a: ?s ?p ?o, ?b: ?s2 ?p2 ?o2;")
        cur2 = db.execute("find ?e where ?e: ?x ?y ?z;")
        self.assertEqual(len(db._cursors), 2)
        db.close()                                    # fakt_close would be FAKT_BUSY
        self.assertTrue(db.closed)
        with self.assertRaisesRegex(fakt.ProgrammingError, "closed"):
            cur.fetchone()
        with self.assertRaisesRegex(fakt.ProgrammingError, "closed"):
            db.execute("find 1;")
        with self.assertRaisesRegex(fakt.ProgrammingError, "closed"):
            cur2.fetchall()
        db.close()                                    # twice is fine

    def test_cursors_are_finalized_when_done_or_dropped(self):
        db = self.fresh()
        cur = db.execute("find ?e where ?e: ?x ?y ?z;")
        self.assertIn(cur, db._cursors)
        cur.fetchall()
        self.assertNotIn(cur, db._cursors)            # exhausted: finalized
        cur = db.execute("find ?s where ?c: ?s ?p ?o;")
        with cur:
            pass
        self.assertEqual(len(db._cursors), 0)         # closed by with
        db.execute("find ?s where ?c: ?s ?p ?o;")    # dropped unread
        gc.collect()
        self.assertEqual(len(db._cursors), 0)
        db.close()

    def test_one_connection_per_file(self):
        db = self.fresh()
        with self.assertRaisesRegex(fakt.ProgrammingError, "already open in this process"):
            fakt.connect(db.path)
        db.close()
        fakt.connect(db.path).close()

    def test_one_statement_per_execute(self):
        db = self.fresh()
        with self.assertRaisesRegex(fakt.ProgrammingError, "executescript"):
            db.execute('entity a person "A"; entity b person "B";')
        self.assertEqual(db.execute('find ?e where named(?e, "A");').fetchall(), [])
        self.assertEqual(db.execute("find 1; # a comment\n").fetchall(), [(1,)])

    def test_default_database(self):
        if os.path.realpath(CORPUS) != os.path.realpath(
                os.path.join(os.path.dirname(fakt.library_path), "corpus.fakt")):
            self.skipTest("the corpus is not beside the library")
        with fakt.connect() as db:
            self.assertEqual(os.path.realpath(db.path), os.path.realpath(CORPUS))
            self.assertTrue(db.readonly)      # the shipped corpus is never changed
            self.assertEqual(db.execute("find ?c where ?c: summit_2023 summit_date ?d"
                                        " order by ?c limit 1;").fetchall(), [("a000_08",)])
            # a rule lives for the connection; a write is refused
            db.execute("rule inside(?a, ?b) if ?a located_in ?b;")
            n = db.execute("find count() where chassan located_in ?p;").fetchall()
            self.assertGreater(n[0][0], 0)
            self.assertEqual(db.execute("find count() where inside(chassan, ?p);").fetchall(), n)
            with self.assertRaises(fakt.Error) as cm:
                db.execute('entity z9 person "Z";')
            self.assertEqual(cm.exception.codename, "FAKT_READONLY")


class TestInterrupt(unittest.TestCase):

    def setUp(self):
        self.db = corpus_connection()
        self.addCleanup(self.db.close)

    def test_interrupt_a_running_cursor(self):
        cur = self.db.execute("find ?a, ?b where ?a: ?s ?p ?o, ?b: ?s2 ?p2 ?o2;")
        self.assertIsNotNone(cur.fetchone())
        self.db.interrupt()
        with self.assertRaises(fakt.OperationalError) as cm:
            cur.fetchmany(100000)
        self.assertEqual(cm.exception.codename, "FAKT_INTERRUPT")
        # the next statement runs normally
        self.assertEqual(self.db.execute("find 1;").fetchone(), (1,))

    def test_interrupt_from_another_thread(self):
        done = threading.Event()

        def keep_interrupting():
            while not done.is_set():
                self.db.interrupt()
                done.wait(0.005)

        t = threading.Thread(target=keep_interrupting)
        t.start()
        try:
            # 26 million combinations: it runs until interrupted
            with self.assertRaises(fakt.OperationalError) as cm:
                self.db.execute("find count() where ?a: ?s ?p ?o, ?b: ?s2 ?p2 ?o2,"
                                " ?c: ?s3 ?p3 ?o3;")
        finally:
            done.set()
            t.join()
        self.assertEqual(cm.exception.code, fakt.INTERRUPT)


# A child process that opens PATH, begins a transaction with a write, says
# "held" and commits when its stdin gets a line.
HOLDER = """
import sys, fakt
db = fakt.connect(sys.argv[1])
db.begin()
db.execute('entity held person "Held";')
print("held", flush=True)
sys.stdin.readline()
db.commit()
db.close()
print("committed", flush=True)
"""


class TestBusyTimeout(TempDir):

    def holder(self, name, timeout):
        """A new database NAME whose writer a child process holds, and a
        connection to it with timeout; returns (child, connection)."""
        path = os.path.join(self.dir, name)
        self.fresh(name).close()
        env = dict(os.environ, PYTHONPATH=os.path.join(TOP, "python"))
        p = subprocess.Popen([sys.executable, "-c", HOLDER, path], env=env,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.addCleanup(p.wait, 60)
        self.addCleanup(p.stdout.close)
        self.addCleanup(p.stdin.close)
        self.assertEqual(p.stdout.readline(), "held\n")
        db = fakt.connect(path, timeout=timeout)
        self.addCleanup(db.close)
        return p, db

    def test_timeout_zero_fails_at_once_and_changes_nothing(self):
        p, db = self.holder("busy.fakt", 0)
        with self.assertRaises(fakt.OperationalError) as cm:
            db.execute('entity other person "Other";')
        self.assertEqual(cm.exception.codename, "FAKT_BUSY")
        self.assertIn("locked", str(cm.exception))
        self.assertIn("waited 0 ms", str(cm.exception))
        # a connection with a timeout of 0.25 s
        db.close()
        db = fakt.connect(os.path.join(self.dir, "busy.fakt"), timeout=0.25)
        self.addCleanup(db.close)
        with self.assertRaises(fakt.OperationalError) as cm:
            db.execute('entity other person "Other";')
        self.assertIn("waited 250 ms", str(cm.exception))
        # readers never wait
        self.assertEqual(db.execute("find count() where type(?e, person);").fetchone(), (2,))
        p.stdin.write("\n"); p.stdin.flush()
        self.assertEqual(p.stdout.readline(), "committed\n")
        # the failed write left nothing; the holder's is there
        with self.assertRaises(fakt.DataError) as cm:
            db.execute("find ?e where ?e = other;")
        self.assertIn('unknown entity "other"', str(cm.exception))
        self.assertEqual(db.execute("find count() where type(?e, person);").fetchone(), (3,))

    def test_a_write_waits_for_the_other_writer(self):
        p, db = self.holder("wait.fakt", 60)
        # the holder commits once this thread has sent its line; the write
        # below waits for it instead of failing
        t = threading.Thread(target=lambda: (p.stdin.write("\n"), p.stdin.flush()))
        t.start()
        db.execute('entity waited person "Waited";')
        t.join()
        self.assertEqual(p.stdout.readline(), "committed\n")
        self.assertEqual(sorted(str(r[0]) for r in db.execute("find ?e where type(?e, person);")),
                         ["held", "kim", "putin", "waited"])

    def test_bad_timeouts(self):
        path = os.path.join(self.dir, "t.fakt")
        for bad, exc in ((-1, ValueError), (float("nan"), ValueError), ("5", TypeError),
                         (None, TypeError), (True, TypeError)):
            with self.assertRaises(exc, msg=repr(bad)):
                fakt.connect(path, timeout=bad)
        self.assertFalse(os.path.exists(path))       # nothing was opened or created


class TestLimits(TempDir):
    """setlimit/getlimit, as sqlite3's: fakt_limits() one category at a time."""

    def people(self, n=40):
        db = self.fresh(fixture=False)
        with db.transaction():
            db.executescript("".join('entity p%d person "P %d";\n' % (i, i) for i in range(n)))
        return db

    def test_rows(self):
        db = self.people()
        q = "find ?e where type(?e, person);"
        self.assertEqual(db.getlimit(fakt.LIMIT_ROWS), 0)
        self.assertEqual(db.setlimit(fakt.LIMIT_ROWS, 10), 0)
        self.assertEqual(db.getlimit(fakt.LIMIT_ROWS), 10)
        with self.assertRaises(fakt.OperationalError) as cm:
            db.execute(q).fetchall()
        self.assertEqual(cm.exception.codename, "FAKT_LIMIT")
        self.assertIn("more than 10 rows", str(cm.exception))
        self.assertEqual(len(db.execute("find ?e where type(?e, person) limit 10;").fetchall()), 10)
        # negative: unchanged, the old value returned; the others untouched
        self.assertEqual(db.setlimit(fakt.LIMIT_ROWS, -1), 10)
        self.assertEqual(db.getlimit(fakt.LIMIT_ROWS), 10)
        self.assertEqual(db.getlimit(fakt.LIMIT_MEMORY), 0)
        self.assertEqual(db.setlimit(fakt.LIMIT_ROWS, 0), 10)
        self.assertEqual(len(db.execute(q).fetchall()), 40)

    def test_memory_keeps_the_others(self):
        db = self.people()
        db.setlimit(fakt.LIMIT_MEMORY, 1000)
        sort = "find ?a, ?b where type(?a, person), type(?b, person) order by ?b, ?a;"
        with self.assertRaises(fakt.OperationalError) as cm:
            db.execute(sort).fetchall()
        self.assertEqual(cm.exception.codename, "FAKT_LIMIT")
        self.assertIn("memory limit of 1000 bytes", str(cm.exception))
        # each call changes its own category: the rows limit set between
        # stays when the memory limit is lifted
        db.setlimit(fakt.LIMIT_ROWS, 1000)
        self.assertEqual(db.setlimit(fakt.LIMIT_MEMORY, 0), 1000)
        with self.assertRaises(fakt.OperationalError) as cm:
            db.execute(sort).fetchall()
        self.assertIn("more than 1000 rows", str(cm.exception))
        db.setlimit(fakt.LIMIT_ROWS, 0)
        self.assertEqual(len(db.execute(sort).fetchall()), 1600)

    def test_millis(self):
        db = self.people(60)
        # 60^5 rows to count: hundreds of millions of steps, never 1 ms
        big = "find count() where type(?a, person), type(?b, person), type(?c, person), " \
              "type(?d, person), type(?e, person);"
        self.assertEqual(db.setlimit(fakt.LIMIT_MILLIS, 1), 0)
        with self.assertRaises(fakt.OperationalError) as cm:
            db.execute(big).fetchall()
        self.assertEqual(cm.exception.codename, "FAKT_LIMIT")
        self.assertIn("time limit of 1 ms", str(cm.exception))
        self.assertEqual(db.execute("find count() where type(?a, person);").fetchone(), (60,))

    def test_refusals(self):
        db = self.people(1)
        for bad in (3, -1, 99):
            with self.assertRaises(fakt.ProgrammingError, msg=repr(bad)):
                db.setlimit(bad, 1)
            with self.assertRaises(fakt.ProgrammingError, msg=repr(bad)):
                db.getlimit(bad)
        for bad in (1.5, "1", None, True):
            with self.assertRaises(TypeError, msg=repr(bad)):
                db.setlimit(fakt.LIMIT_ROWS, bad)
            with self.assertRaises(TypeError, msg=repr(bad)):
                db.setlimit(bad, 1)
            with self.assertRaises(TypeError, msg=repr(bad)):
                db.getlimit(bad)
        with self.assertRaises(ValueError):
            db.setlimit(fakt.LIMIT_MEMORY, 2**63)
        self.assertEqual(db.getlimit(fakt.LIMIT_MEMORY), 0)
        db.close()
        with self.assertRaises(fakt.ProgrammingError):
            db.setlimit(fakt.LIMIT_ROWS, 1)
        with self.assertRaises(fakt.ProgrammingError):
            db.getlimit(fakt.LIMIT_ROWS)


class TestSetMapped(TempDir):

    def test_limits_and_refusals(self):
        db = self.fresh()
        db.set_mapped(1 << 20)
        self.assertEqual(db.execute("find count() where type(?e, person);").fetchone(), (2,))
        db.set_mapped(0)
        self.assertEqual(db.execute("find ?e where ?e = kim;").fetchone(), ("kim",))
        for bad, exc in ((-1, ValueError), (2**63, ValueError), (1.5, TypeError),
                         ("1", TypeError), (None, TypeError), (False, TypeError)):
            with self.assertRaises(exc, msg=repr(bad)):
                db.set_mapped(bad)
        db.close()
        with self.assertRaises(fakt.ProgrammingError):
            db.set_mapped(1 << 20)

    @unittest.skipUnless(os.path.exists("/proc/self/statm"), "needs /proc/self/statm")
    def test_a_small_limit_keeps_the_reads_mapped_pages_down(self):
        # a file of some 20 MB, read in full twice: under a 1 MiB limit the
        # process's mapped file pages grow by much less than the file
        db = self.fresh("big.fakt", fixture=False)
        with db.transaction():
            db.executescript("".join('entity m%d person "%s";\n' % (i, "x" * 200)
                                     for i in range(60000)))
        db.close()
        size = os.path.getsize(os.path.join(self.dir, "big.fakt"))
        self.assertGreater(size, 8 << 20)

        def file_pages():
            with open("/proc/self/statm") as f:
                return int(f.read().split()[2]) * os.sysconf("SC_PAGE_SIZE")

        def grown(limit):
            db = fakt.connect(os.path.join(self.dir, "big.fakt"), readonly=True)
            try:
                db.set_mapped(limit)
                m0, most = file_pages(), 0
                for _ in range(2):
                    for i in range(0, 60000, 7):
                        db.execute("find ?l where label(m%d, ?l);" % i).fetchone()
                        if i % 700 == 0:
                            most = max(most, file_pages() - m0)
                return most
            finally:
                db.close()

        self.assertLess(grown(1 << 20), size // 4)
        self.assertGreater(grown(0), size // 2)


if __name__ == "__main__":
    unittest.main()
