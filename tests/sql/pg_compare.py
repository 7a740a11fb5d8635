#!/usr/bin/env python3
"""tests/sql/pg_compare.py -- fakt's answers against PostgreSQL's.

  pg_compare.py FAKT DB PSQL... -- questions FILE.test...
  pg_compare.py FAKT DB PSQL... -- random LIST

questions: for each golden file (tests/questions/*.test), a copy of DB gets
the file's exec blocks (rules), is exported with `.export sql` into a fresh
PostgreSQL schema, and every query/ordered block is translated with
`explain sql`; a translation is run by psql and its rows must equal the
block's expected rows (which tool_golden checks are fakt's): as lists for
`ordered`, else as multisets. A block whose translation fakt refuses is
counted as untranslated, with the reason, never as passed.
random: LIST holds lines "DBFILE<TAB>QUERY" (difftest -E): each DBFILE
(a fakt script) is loaded, exported and compared the same way with the
rows fakt itself returns.
Numbers are compared as %.10g (fakt prints 684.0, PostgreSQL 684).
Ends with "N passed, N failed"; exit 1 on failure.
"""
import csv, io, os, re, shutil, subprocess, sys, tempfile

def norm(field):
    if re.fullmatch(r'-?\d+(\.\d+)?([eE][-+]?\d+)?', field):
        try:
            return '%.10g' % float(field)
        except ValueError:
            pass
    return field

def normrow(row):
    return '|'.join(norm(f) for f in row.split('|'))

def fakt_rows(fakt, db, query, mode='csv'):
    r = subprocess.run([fakt, '--readonly', '--mode', 'csv', '--no-headers', '-c', query, db],
                       capture_output=True, text=True)
    return r

def translate(fakt, db, query):
    q = query.strip()
    r = fakt_rows(fakt, db, 'explain sql ' + q)
    if r.returncode != 0:
        return None, r.stderr.strip()
    rows = list(csv.reader(io.StringIO(r.stdout)))
    return rows[0][0], None

def psql_rows(psql, schema, sql):
    text = 'SET search_path TO %s;\n%s;\n' % (schema, sql)
    r = subprocess.run(psql + ['-X', '-q', '-A', '-t', '-F', '|', '-P', 'null=NULL',
                               '-v', 'ON_ERROR_STOP=1'], input=text,
                       capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr.strip()
    out = r.stdout
    rows = out.split('\n')
    if rows and rows[-1] == '':
        rows.pop()
    return [row.replace('\n', '\\n') for row in rows], None

def load_schema(fakt, psql, db, schema, tmp):
    path = os.path.join(tmp, schema + '.sql')
    if os.path.exists(path):
        os.unlink(path)
    r = subprocess.run([fakt, '-c', '.export sql ' + path, db], capture_output=True, text=True)
    if r.returncode != 0:
        return 'export: ' + r.stderr
    text = 'DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s; SET search_path TO %s;\n' % (schema, schema, schema)
    with open(path) as f:
        text += f.read()
    r = subprocess.run(psql + ['-X', '-q', '-v', 'ON_ERROR_STOP=1'], input=text,
                       capture_output=True, text=True)
    if r.returncode != 0:
        return 'load: ' + r.stderr
    return None

def parse_test(path):
    """Blocks (kind, label, text, expected rows) of a golden file."""
    blocks, use_corpus = [], False
    lines = open(path, encoding='utf-8').read().split('\n')
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r'^(query|ordered|exec|error|check)\s+(\S+)', line)
        if line.strip() == 'use corpus':
            use_corpus = True
        if not m:
            i += 1
            continue
        kind, label = m.group(1), m.group(2)
        i += 1
        text = []
        while i < len(lines) and lines[i] != '----':
            text.append(lines[i]); i += 1
        i += 1
        exp = []
        while i < len(lines) and lines[i].strip() != '':
            exp.append(lines[i]); i += 1
        blocks.append((kind, label, '\n'.join(text), exp))
    return use_corpus, blocks

class Count:
    def __init__(self):
        self.passed = self.failed = self.untranslated = 0
        self.reasons = {}
    def fail(self, name, msg):
        self.failed += 1
        print('FAIL %s: %s' % (name, msg))

def compare(c, name, want, got, ordered):
    w = [normrow(r) for r in want]
    g = [normrow(r) for r in got]
    if not ordered:
        w, g = sorted(w), sorted(g)
    if w == g:
        c.passed += 1
    else:
        c.fail(name, 'rows differ\n    fakt:       %s\n    postgresql: %s' % (w[:8], g[:8]))

def questions(fakt, db, psql, files, tmp, c):
    loaded_base = False
    for n, path in enumerate(files):
        use_corpus, blocks = parse_test(path)
        if not use_corpus:
            continue
        execs = [b for b in blocks if b[0] == 'exec']
        if execs:
            mydb = os.path.join(tmp, 'q%d.fakt' % n)
            shutil.copyfile(db, mydb)
            ok = True
            for b in execs:
                r = subprocess.run([fakt, '-c', b[2], mydb], capture_output=True, text=True)
                ok = ok and r.returncode == 0
            if not ok:
                c.fail(path, 'exec blocks failed'); continue
            schema = 'q%d' % n
            err = load_schema(fakt, psql, mydb, schema, tmp)
        else:
            mydb, schema = db, 'corpus'
            err = None
            if not loaded_base:
                err = load_schema(fakt, psql, db, schema, tmp)
                loaded_base = True
        if err:
            c.fail(path, err); continue
        for kind, label, text, exp in blocks:
            if kind not in ('query', 'ordered'):
                continue
            name = '%s:%s' % (os.path.basename(path), label)
            sql, why = translate(fakt, mydb, text)
            if sql is None:
                c.untranslated += 1
                c.reasons[name] = why
                continue
            got, err = psql_rows(psql, schema, sql)
            if got is None:
                c.fail(name, 'PostgreSQL: %s\n    sql: %s' % (err, sql)); continue
            compare(c, name, exp, got, kind == 'ordered')

def random_queries(fakt, psql, listfile, tmp, c):
    schemas = {}
    for line in open(listfile, encoding='utf-8'):
        line = line.rstrip('\n')
        if not line:
            continue
        script, query = line.split('\t', 1)
        if script not in schemas:
            mydb = os.path.join(tmp, 'r%d.fakt' % len(schemas))
            r = subprocess.run([fakt, '-f', script, mydb], capture_output=True, text=True)
            if r.returncode != 0:
                c.fail(script, 'load: ' + r.stderr); continue
            schema = 'r%d' % len(schemas)
            err = load_schema(fakt, psql, mydb, schema, tmp)
            if err:
                c.fail(script, err); continue
            schemas[script] = (mydb, schema)
        mydb, schema = schemas[script]
        name = query
        r = fakt_rows(fakt, mydb, query)
        if r.returncode != 0:
            c.fail(name, 'fakt: ' + r.stderr); continue
        # a csv row of one null column is an empty line
        want = ['|'.join('NULL' if f == '' else f for f in (row or [''])) for row in csv.reader(io.StringIO(r.stdout))]
        sql, why = translate(fakt, mydb, query)
        if sql is None:
            c.untranslated += 1
            c.reasons[name] = why
            continue
        got, err = psql_rows(psql, schema, sql)
        if got is None:
            c.fail(name, 'PostgreSQL: %s\n    sql: %s' % (err, sql)); continue
        compare(c, name, want, got, ' order by ' in query)

def main():
    args = sys.argv[1:]
    k = args.index('--')
    fakt, db, psql = args[0], args[1], args[2:k]
    what, rest = args[k + 1], args[k + 2:]
    c = Count()
    tmp = tempfile.mkdtemp(prefix='fakt-pgcmp.')
    try:
        if what == 'questions':
            questions(fakt, db, psql, rest, tmp, c)
        else:
            random_queries(fakt, psql, rest[0], tmp, c)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for name, why in sorted(c.reasons.items()):
        print('untranslated %s: %s' % (name, why))
    print('%s: %d compared alike, %d untranslated' % (what, c.passed, c.untranslated))
    print('%d passed, %d failed' % (c.passed, c.failed))
    sys.exit(1 if c.failed else 0)

main()
