#!/usr/bin/env python3
"""rulecheck.py -- fakt's rules against clingo and SQLite (issue 26 point 4).

  B=build python3 tests/trust/rulecheck.py [-n 300] [-s SEED] [-k]

Generates N seeded random stratified programs over a few entities and
three base predicates (p0, p1 between entities, val to a number 0..9):
relations of one to three arguments, alone or in mutually recursive
pairs, with linear and non-linear recursion, constants in heads and
bodies, `!=` and `>` filters, and `not` of relations of lower strata.
Each program's claims come in two transactions, then some are
retracted. Four programs in ten that SQLite is not asked about get one
relation more whose recursive rule's step is its first rule's body,
renamed (gen_shared: fakt runs one plan for both). fakt answers every
relation, the relations with an argument
bound to an entity (which fakt may push in, SPEC 9.5), and every
relation `as of` the transaction before the retraction. clingo (Debian's
gringo package) computes the same program's model once over the claims
now and once over the claims then; every answer must match it. Where a
program is one relation with one recursive call per rule (what SQLite's
WITH RECURSIVE can say), SQLite's answers must match too.

Prints a line per disagreement (with -k the program is kept under
/tmp) and ends with "N passed, N failed".
"""
import os, random, re, shutil, sqlite3, subprocess, sys, tempfile

B = os.environ.get("B", "build")
FAKT = os.path.join(B, "fakt")

def entity(i):
  return "e%d" % i

class Lit:
  """One body literal: ('pat', s, p, o) | ('call', rel, args) | ('not', rel, args)
  | ('ne', x, y) | ('gt', x, k). Arguments are ('v', name) or ('c', entity)."""
  def __init__(self, kind, *a):
    self.kind = kind
    self.a = a

def fk_term(t):
  return "?" + t[1].lower() if t[0] == "v" else t[1]

def lp_term(t):
  return t[1].upper() if t[0] == "v" else t[1]

class Program:
  def __init__(self, rng, rng2=None):
    self.rng = rng
    self.nEnt = rng.randint(5, 9)
    self.rels = []          # (name, arity, group)
    self.rules = []         # (head rel index, head args, [Lit]) in definition order
    self.gen_facts()
    self.gen_rules()
    if rng2 is not None and rng2.random() < 0.4 and not self.sql_ok():
      self.gen_shared(rng2)

  # ---- facts
  def gen_facts(self):
    rng, n = self.rng, self.nEnt
    self.base = []          # (id, s, p, o)
    for p in ("p0", "p1"):
      for _ in range(rng.randint(n, 2 * n)):
        self.base.append((None, entity(rng.randrange(n)), p, entity(rng.randrange(n))))
    for i in range(n):
      if rng.random() < 0.6:
        self.base.append((None, entity(i), "val", rng.randrange(10)))
    self.base = [("b%d" % i,) + f[1:] for i, f in enumerate(dict.fromkeys(self.base))]
    self.extra = []
    for i in range(rng.randint(1, 4)):
      p = rng.choice(("p0", "p1"))
      self.extra.append(("x%d" % i, entity(rng.randrange(n)), p, entity(rng.randrange(n))))
    pool = self.base + self.extra
    self.retracted = set(c[0] for c in rng.sample(pool, rng.randint(1, min(3, len(pool)))))

  def facts(self, then):
    """The claims visible then (before the retraction) or now."""
    out = set()
    for c in self.base + self.extra:
      if then or c[0] not in self.retracted:
        out.add(c[1:])
    return out

  # ---- rules
  def term(self, bound, fresh):
    """A variable (bound, or new from fresh) or, sometimes, a constant."""
    rng = self.rng
    if rng.random() < 0.12:
      return ("c", entity(rng.randrange(self.nEnt)))
    if bound and rng.random() < 0.6:
      return ("v", rng.choice(sorted(bound)))
    return ("v", fresh.pop(0))

  def gen_rule(self, iRel, callable_rec, lower, nRecMax):
    rng = self.rng
    name, arity, _ = self.rels[iRel]
    fresh = list("ABCDEFGHIJKLMN")
    bound = set()
    body = []
    nPos = rng.randint(1, 3)
    nRec = 0
    for k in range(nPos):
      r = rng.random()
      if callable_rec and nRec < nRecMax and k > 0 and r < 0.45 or (callable_rec and nRec < nRecMax and k == 0 and r < 0.15):
        j = rng.choice(callable_rec)
        args = [self.term(bound, fresh) for _ in range(self.rels[j][1])]
        body.append(Lit("call", j, args))
        nRec += 1
      elif lower and r < 0.65:
        j = rng.choice(lower)
        args = [self.term(bound, fresh) for _ in range(self.rels[j][1])]
        body.append(Lit("call", j, args))
      else:
        s = self.term(bound, fresh)
        o = self.term(bound, fresh)
        body.append(Lit("pat", s, rng.choice(("p0", "p1")), o))
      for lit in body[-1:]:
        for t in (lit.a[1] if lit.kind == "call" else (lit.a[0], lit.a[2])):
          if t[0] == "v":
            bound.add(t[1])
    if not bound:
      a, b = fresh.pop(0), fresh.pop(0)
      body.append(Lit("pat", ("v", a), "p0", ("v", b)))
      bound |= {a, b}
    vars_ = sorted(bound)
    if rng.random() < 0.3:
      x = ("v", rng.choice(vars_))
      y = ("v", rng.choice(vars_)) if rng.random() < 0.5 else ("c", entity(rng.randrange(self.nEnt)))
      body.append(Lit("ne", x, y))
    if rng.random() < 0.2:
      x = ("v", rng.choice(vars_))
      n = fresh.pop(0)
      body.append(Lit("pat", x, "val", ("v", n)))
      body.append(Lit("gt", ("v", n), rng.randrange(9)))
    if lower and rng.random() < 0.35:
      j = rng.choice(lower)
      args = [("v", rng.choice(vars_)) if rng.random() < 0.85 else ("c", entity(rng.randrange(self.nEnt)))
              for _ in range(self.rels[j][1])]
      body.append(Lit("not", j, args))
    head = [("v", rng.choice(vars_)) if rng.random() < 0.9 else ("c", entity(rng.randrange(self.nEnt)))
            for _ in range(arity)]
    return (iRel, head, body), nRec

  def gen_rules(self):
    rng = self.rng
    nGroup = rng.randint(1, 3)
    for g in range(nGroup):
      lower = list(range(len(self.rels)))
      members = []
      for _ in range(2 if rng.random() < 0.25 else 1):
        members.append(len(self.rels))
        self.rels.append(("r%d" % len(self.rels), rng.randint(1, 3), g))
      first, later = [], []
      for m in members:
        # a rule over lower relations first: the name exists before others call it
        rule, _ = self.gen_rule(m, [], lower, 0)
        first.append(rule)
        for _ in range(rng.randint(1, 2)):
          rule, _ = self.gen_rule(m, members, lower, 2 if rng.random() < 0.3 else 1)
          later.append(rule)
      self.rules += first + later

  def gen_shared(self, rng2):
    """One more relation, whose recursive rule's step (its body without
    the call) is its first rule's body with the variables renamed, as in
    r(?a, ?b) if ?a p0 ?b; r(?x, ?y) if ?x p0 ?z, r(?z, ?y): pushed in,
    one run of the first rule's plan gives both (rules.c, stepIsRule).
    Sometimes the step differs (a literal more, or two swapped): two
    plans. Drawn from rng2, so the rest of the program is as it was;
    only where SQLite is not asked (it takes one relation)."""
    save, self.rng = self.rng, rng2
    try:
      lower = list(range(len(self.rels)))
      m = len(self.rels)
      self.rels.append(("r%d" % m, rng2.randint(2, 3), max(r[2] for r in self.rels) + 1))
      arity = self.rels[m][1]
      if rng2.random() < 0.6:
        # a short body, which reaches far: ?a p0 ?b[, ?b p1 ?c][, ?b != e3]
        A, B, C = ("v", "A"), ("v", "B"), ("v", "C")
        body = [Lit("pat", A, rng2.choice(("p0", "p1")), B)]
        if rng2.random() < 0.4:
          body.append(Lit("pat", B, rng2.choice(("p0", "p1")), C))
        if rng2.random() < 0.3:
          body.append(Lit("ne", B, ("c", entity(rng2.randrange(self.nEnt)))))
        vs = [A, B, C] if len(body) > 1 and body[1].kind == "pat" else [A, B]
        head = [rng2.choice(vs) for _ in range(arity)]
      else:
        (_, head, body), _ = self.gen_rule(m, [], lower, 0)
      pos = []
      for l in body:
        ts = (l.a[0], l.a[2]) if l.kind == "pat" else l.a[1] if l.kind == "call" else ()
        pos += [t[1] for t in ts if isinstance(t, tuple) and t[0] == "v" and t[1] not in pos]
      j = rng2.randrange(arity)
      if head[j][0] != "v":
        head[j] = ("v", rng2.choice(pos))
      ren = lambda t: ("v", t[1] + "2") if isinstance(t, tuple) and t[0] == "v" else t
      def renLit(l):
        if l.kind == "pat":
          return Lit("pat", ren(l.a[0]), l.a[1], ren(l.a[2]))
        if l.kind in ("call", "not"):
          return Lit(l.kind, l.a[0], [ren(t) for t in l.a[1]])
        if l.kind == "ne":
          return Lit("ne", ren(l.a[0]), ren(l.a[1]))
        return Lit("gt", ren(l.a[0]), l.a[1])
      step = [renLit(l) for l in body]
      r = rng2.random()
      if r < 0.15 and len(step) > 1:
        step[0], step[1] = step[1], step[0]
      elif r < 0.3:
        step.append(Lit("ne", ren(("v", rng2.choice(pos))), ("c", entity(rng2.randrange(self.nEnt)))))
      ys = [("v", "Y%d" % k) for k in range(arity)]
      rhead = [ren(head[j]) if k == j else ys[k] for k in range(arity)]
      nexts = [v for v in pos if v != head[j][1]] or pos      # the step goes somewhere
      call = [ren(("v", rng2.choice(nexts))) if k == j else ys[k] for k in range(arity)]
      step.insert(rng2.randint(0, len(step)), Lit("call", m, call))
      self.rules += [(m, head, body), (m, rhead, step)]
    finally:
      self.rng = save

  def recursive(self, rule):
    return [l for l in rule[2] if l.kind == "call" and self.rels[l.a[0]][2] == self.rels[rule[0]][2]]

  # ---- fakt
  def fakt_rule(self, rule):
    iRel, head, body = rule
    parts = []
    for l in body:
      if l.kind == "pat":
        o = str(l.a[2]) if isinstance(l.a[2], int) else fk_term(l.a[2])
        parts.append("%s %s %s" % (fk_term(l.a[0]), l.a[1], o))
      elif l.kind in ("call", "not"):
        c = "%s(%s)" % (self.rels[l.a[0]][0], ", ".join(fk_term(t) for t in l.a[1]))
        parts.append(("not " if l.kind == "not" else "") + c)
      elif l.kind == "ne":
        parts.append("%s != %s" % (fk_term(l.a[0]), fk_term(l.a[1])))
      else:
        parts.append("%s > %d" % (fk_term(l.a[0]), l.a[1]))
    return "rule %s(%s) if %s;" % (self.rels[iRel][0], ", ".join(fk_term(t) for t in head), ", ".join(parts))

  def fakt_script(self):
    L = ["begin;", "predicate p0 : entity;", "predicate p1 : entity;", "predicate val : number;"]
    L += ['entity %s thing "%s";' % (entity(i), entity(i)) for i in range(self.nEnt)]
    L += ["claim %s: %s %s %s;" % c for c in self.base]
    L += ["commit;", "begin;"]
    L += ["claim %s: %s %s %s;" % c for c in self.extra]
    L += ["commit;"]          # transaction 2: what `as of 2` sees
    L += ["retract %s;" % ", ".join(sorted(self.retracted))]
    L += [self.fakt_rule(r) for r in self.rules]
    self.queries = []         # (tag, rel, bound {arg: entity}, then)
    q = 0
    for iRel, (name, arity, _) in enumerate(self.rels):
      asks = [({}, False), ({}, True)]
      for j in range(arity):
        asks.append(({j: entity(self.rng.randrange(self.nEnt))}, False))
      for bnd, then in asks:
        q += 1
        tag = "q%d" % q
        args = [bnd[j] if j in bnd else "?v%d" % j for j in range(arity)]
        proj = ", ".join("?v%d as %s_%d" % (j, tag, j) for j in range(arity) if j not in bnd)
        if not proj:
          proj = '"yes" as %s_x' % tag
        L.append("find %s where %s(%s)%s;" % (proj, name, ", ".join(args), " as of 2" if then else ""))
        self.queries.append((tag, iRel, bnd, then))
    return "\n".join(L) + "\n"

  # ---- clingo
  def lp(self, then):
    L = []
    for (s, p, o) in sorted(self.facts(then), key=str):
      L.append("%s(%s,%s)." % (p, s, o))
    for iRel, head, body in self.rules:
      parts = []
      for l in body:
        if l.kind == "pat":
          o = str(l.a[2]) if isinstance(l.a[2], int) else lp_term(l.a[2])
          parts.append("%s(%s,%s)" % (l.a[1], lp_term(l.a[0]), o))
        elif l.kind in ("call", "not"):
          c = "%s(%s)" % (self.rels[l.a[0]][0], ",".join(lp_term(t) for t in l.a[1]))
          parts.append(("not " if l.kind == "not" else "") + c)
        elif l.kind == "ne":
          parts.append("%s != %s" % (lp_term(l.a[0]), lp_term(l.a[1])))
        else:
          parts.append("%s > %d" % (lp_term(l.a[0]), l.a[1]))
      L.append("%s(%s) :- %s." % (self.rels[iRel][0], ",".join(lp_term(t) for t in head), ", ".join(parts)))
    L += ["#show %s/%d." % (n, a) for (n, a, _) in self.rels]
    L += ["#defined %s/2." % p for p in ("p0", "p1", "val")]
    return "\n".join(L) + "\n"

  # ---- SQLite: one relation, every rule with at most one recursive call
  def sql_ok(self):
    if len(self.rels) != 1:
      return False
    if any(l.kind == "not" for r in self.rules for l in r[2]):
      return False
    return all(len(self.recursive(r)) <= 1 for r in self.rules)

  def sql(self):
    name, arity, _ = self.rels[0]
    cols = ["c%d" % j for j in range(arity)]
    sels = []
    order = sorted(self.rules, key=lambda r: len(self.recursive(r)))   # the seeds first
    for iRel, head, body in order:
      frm, where, env, n = [], [], {}, 0
      def bind(t, col):
        if t[0] == "c":
          where.append("%s = '%s'" % (col, t[1]))
        elif t[1] in env:
          where.append("%s = %s" % (col, env[t[1]]))
        else:
          env[t[1]] = col
      for l in body:
        if l.kind == "pat":
          n += 1
          a = "f%d" % n
          frm.append("fact %s" % a)
          where.append("%s.p = '%s'" % (a, l.a[1]))
          bind(l.a[0], a + ".s")
          if isinstance(l.a[2], tuple):
            bind(l.a[2], a + ".o")
        elif l.kind == "call":
          n += 1
          a = "t%d" % n
          frm.append("%s %s" % (name, a))
          for j, t in enumerate(l.a[1]):
            bind(t, "%s.c%d" % (a, j))
      for l in body:
        if l.kind == "ne":
          y = "'%s'" % l.a[1][1] if l.a[1][0] == "c" else env[l.a[1][1]]
          where.append("%s != %s" % (env[l.a[0][1]], y))
        elif l.kind == "gt":
          where.append("CAST(%s AS INTEGER) > %d" % (env[l.a[0][1]], l.a[1]))
      hs = ", ".join(("'%s'" % t[1]) if t[0] == "c" else env[t[1]] for t in head)
      sels.append("SELECT %s FROM %s%s" % (hs, ", ".join(frm), (" WHERE " + " AND ".join(where)) if where else ""))
    seeds = [s for s, r in zip(sels, order) if not self.recursive(r)]
    recs = [s for s, r in zip(sels, order) if self.recursive(r)]
    # SQLite allows one recursive SELECT: the recursive rules go through one
    # UNION of their own inside it is not allowed, so each is tried alone
    if len(recs) > 1 or not seeds:
      return None
    return "WITH RECURSIVE %s(%s) AS (%s) SELECT * FROM %s" % (
      name, ", ".join(cols), " UNION ".join(seeds + recs), name)

def run_clingo(text, tmp):
  path = os.path.join(tmp, "p.lp")
  with open(path, "w") as f:
    f.write(text)
  r = subprocess.run(["clingo", "-V0", path], capture_output=True, text=True)
  if "SATISFIABLE" not in r.stdout or "UNSATISFIABLE" in r.stdout:
    raise RuntimeError("clingo: " + r.stdout + r.stderr)
  model = {}
  for line in r.stdout.splitlines():
    for m in re.finditer(r"(r\d+)(?:\(([^)]*)\))?", line):
      args = tuple(m.group(2).split(",")) if m.group(2) else ()
      model.setdefault(m.group(1), set()).add(args)
  return model

def run_fakt(script, tmp):
  db = os.path.join(tmp, "p.fakt")
  for f in os.listdir(tmp):
    if f.startswith("p.fakt"):
      os.remove(os.path.join(tmp, f))
  r = subprocess.run([FAKT, "--mode", "csv", db], input=script, capture_output=True, text=True)
  out, cur = {}, None
  for line in r.stdout.splitlines():
    m = re.match(r"(q\d+)_", line)
    if m:
      cur = m.group(1)
      out[cur] = set()
    elif cur:
      out[cur].add(tuple(line.split(",")) if line else ())
  return out, r.returncode, r.stderr

def main():
  n, seed, keep = 300, 26, False
  argv = sys.argv[1:]
  while argv:
    a = argv.pop(0)
    if a == "-n": n = int(argv.pop(0))
    elif a == "-s": seed = int(argv.pop(0))
    elif a == "-k": keep = True
  if shutil.which("clingo") is None:
    print("FAIL rulecheck: clingo is not installed (apt-get install gringo)")
    print("0 passed, 1 failed")
    return 1
  npass = nfail = nsql = nq = 0
  tmp = tempfile.mkdtemp(prefix="fakt-rulecheck.")
  try:
    for i in range(n):
      rng = random.Random(seed * 100003 + i)
      prog = Program(rng, random.Random(seed * 100003 + i + 7777777))
      script = prog.fakt_script()
      now, then = run_clingo(prog.lp(False), tmp), run_clingo(prog.lp(True), tmp)
      got, rc, err = run_fakt(script, tmp)
      bad = []
      if rc != 0:
        bad.append("fakt failed: " + err.strip()[:300])
      for tag, iRel, bnd, at in prog.queries:
        nq += 1
        name, arity, _ = prog.rels[iRel]
        rows = (then if at else now).get(name, set())
        want = set()
        for row in rows:
          if all(row[j] == v for j, v in bnd.items()):
            free = tuple(row[j] for j in range(arity) if j not in bnd)
            want.add(free if free else ("yes",))
        if got.get(tag) != want:
          bad.append("%s %s%s%s: fakt %s, clingo %s" % (tag, name, bnd or "", " as of 2" if at else "",
                     sorted(got.get(tag, {"<none>"}))[:8], sorted(want)[:8]))
      if prog.sql_ok():
        q = prog.sql()
        if q:
          nsql += 1
          con = sqlite3.connect(":memory:")
          con.execute("CREATE TABLE fact(s, p, o)")
          con.executemany("INSERT INTO fact VALUES (?,?,?)", [(s, p, str(o)) for (s, p, o) in prog.facts(False)])
          rows = set(tuple(r) for r in con.execute(q))
          con.close()
          if rows != now.get(prog.rels[0][0], set()):
            bad.append("sqlite %s: %s, clingo %s" % (q, sorted(rows)[:8], sorted(now.get(prog.rels[0][0], set()))[:8]))
      if bad:
        nfail += 1
        print("FAIL rulecheck program %d (seed %d):" % (i, seed))
        for b in bad[:6]:
          print("  " + b)
        if keep:
          path = "/tmp/rulecheck-%d-%d" % (seed, i)
          with open(path + ".fk", "w") as f: f.write(script)
          with open(path + ".lp", "w") as f: f.write(prog.lp(False))
          print("  kept in %s.fk / .lp" % path)
      else:
        npass += 1
  finally:
    shutil.rmtree(tmp, ignore_errors=True)
  print("rulecheck: %d programs, %d queries against clingo, %d programs against SQLite too" % (n, nq, nsql))
  print("%d passed, %d failed" % (npass, nfail))
  return 1 if nfail else 0

if __name__ == "__main__":
  sys.exit(main())
