/*
** difftest.c -- differential test of fakt's query engine against SQLite.
**
** A seeded generator makes small random databases (entities, typed and
** untyped predicates, duplicate claims, retractions) and random `find`
** queries over them; each query is also translated to SQL over the same
** claims held in an in-memory SQLite table, and the two results must agree
** as multisets (as lists when the query orders by every column). A failing
** case prints its seed, both texts and both results, then shrinks the query
** to a minimal reproduction. Ends with "N passed, N failed".
**
**   difftest [-n QUERIES] [-d DATABASES] [-s SEED] [-q DB:QUERY] [-w SCRIPT] [-E PREFIX] [-v]
**
** ==== The mapping (why each translation means the same in both) ====
**
** Data. SQLite holds one table claims(c, s, p, o, live): one row per stored
** claim, c the claim id, s/p the subject and predicate ids as text, o the
** object with SQLite's dynamic typing: an INTEGER for numbers, TEXT for
** entity ids and for strings. Entity ids are e0..eN; every string starts
** with an ASCII capital letter and never looks like an id or a number, so
** (a) no string equals an entity id, as in fakt (SPEC 5.3: values of
** different types are unequal), and (b) in a column that mixes types the
** order number < string < entity of SPEC 5.4 is also SQLite's order
** (INTEGER < TEXT; capitals sort before 'e' bytewise). Retracted claims
** have live=0 and every pattern requires live=1 (SPEC 11.3).
**
** Patterns. Each positive pattern is one row of claims (bag semantics: two
** claims with the same subject, predicate and object give two rows, in
** both). A variable's first positive occurrence is its binding; every other
** occurrence adds an equality. `not` becomes NOT EXISTS over its own
** aliases (its local variables are fresh names); `optional { P }` (one
** pattern, fresh new variables) becomes a LEFT JOIN, which gives the same
** "one row per match, else one row of nulls" (SPEC 4.9).
**
** Filters. Ordering comparisons only between two integers or two strings
** (bytewise in both: SPEC 5.4, SQLite's BINARY collation); entities only
** with = and !=; untyped objects with = and != against any constant (a
** different type is simply unequal in both). Filters never mention a
** variable that can be null, so SQL's three-valued logic never shows.
** starts_with(S, T) with ASCII T is substr(S, 1, len(T)) = T.
**
** Arithmetic. Only integers, small enough never to overflow: + - * and
** / and % by non-zero constants (both truncate toward zero, % takes the
** sign of the dividend). Null (from optional) in arithmetic gives null.
**
** Aggregates. count(), count(X), count(distinct X), sum and avg of
** integers, min and max of anything. Grouping by every non-aggregate
** projection equals SQL's GROUP BY of the same expressions; without one,
** an empty input gives one row (count 0, sum/min/max/avg null) in both
** (SPEC 4.9). Floats (avg) are compared as %.10g.
**
** Order and limit. `order by` always names every column (through
** aliases), so the order is total up to identical rows, and results are
** then compared as lists: limit/offset must pick the same rows. Nulls sort
** first ascending in both.
*/
#include "fakt.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ==== Random numbers (splitmix64) ==== */

static uint64_t gRng;
static uint64_t rnd64(void) {
  uint64_t z = (gRng += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
static int rnd(int n) { return n <= 1 ? 0 : (int)(rnd64() % (uint64_t)n); }
static int chance(int pct) { return rnd(100) < pct; }

/* ==== A growable string ==== */

typedef struct Str { char *z; size_t n, cap; } Str;

static void sAppendV(Str *s, const char *zFmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int k = vsnprintf(NULL, 0, zFmt, ap2);
  va_end(ap2);
  if (s->n + (size_t)k + 1 > s->cap) {
    s->cap = (s->n + (size_t)k + 1) * 2 + 64;
    s->z = realloc(s->z, s->cap);
    if (!s->z) { perror("realloc"); exit(2); }
  }
  vsnprintf(s->z + s->n, (size_t)k + 1, zFmt, ap);
  s->n += (size_t)k;
}
static void sApp(Str *s, const char *zFmt, ...) {
  va_list ap;
  va_start(ap, zFmt);
  sAppendV(s, zFmt, ap);
  va_end(ap);
}
static void sReset(Str *s) { s->n = 0; if (s->z) s->z[0] = 0; }
static const char *sZ(Str *s) { return s->z ? s->z : ""; }

/* ==== The data ==== */

/* Predicates: two entity-valued, one number, one string, one untyped. */
enum { P_PE, P_PF, P_PI, P_PS, P_PA, N_PRED };
static const char *azPred[N_PRED] = { "pe", "pf", "pi", "ps", "pa" };

/* Every string starts with an ASCII capital (see the mapping above). */
static const char *azStr[] = {
  "Alpha", "Beta", "Gamma", "Delta", "Ab", "Abc", "A b", "Zeta", "Quote\"d",
  "Back\\slash", "Gr\xc3\xbc\xc3\x9f" "e", "Semi;colon", "Tab\tX", "B", "Ba",
  "Hash#x", "Find ?x where", "Na\xc3\xafve", "Abd", "X",
};
#define N_STR ((int)(sizeof(azStr) / sizeof(azStr[0])))

/* Value kinds of an object or variable. */
enum { K_ENT = 1, K_INT, K_STR, K_MIX, K_PRED, K_CLAIM };

typedef struct Claim { int s, p, kind, v, live; } Claim;  /* v: entity no, int, or string index */

typedef struct Data {
  int nEnt;
  int nClaim;
  Claim *a;
} Data;

static void escFakt(Str *s, const char *z) {
  sApp(s, "\"");
  for (; *z; z++) {
    if (*z == '"') sApp(s, "\\\"");
    else if (*z == '\\') sApp(s, "\\\\");
    else if (*z == '\t') sApp(s, "\\t");
    else sApp(s, "%c", *z);
  }
  sApp(s, "\"");
}
static void escSql(Str *s, const char *z) {
  sApp(s, "'");
  for (; *z; z++) { if (*z == '\'') sApp(s, "''"); else sApp(s, "%c", *z); }
  sApp(s, "'");
}

static void objFakt(Str *s, int kind, int v) {
  if (kind == K_ENT) sApp(s, "e%d", v);
  else if (kind == K_INT) sApp(s, "%d", v);
  else escFakt(s, azStr[v]);
}

/* Make a random database: nEnt entities, nClaim claims, some duplicated,
** some retracted in a later transaction, a few added after that. */
static void genData(Data *d) {
  d->nEnt = 15 + rnd(30);
  d->nClaim = 150 + rnd(250);
  d->a = calloc((size_t)d->nClaim, sizeof(Claim));
  for (int i = 0; i < d->nClaim; i++) {
    Claim *c = &d->a[i];
    if (i > 0 && chance(5)) { *c = d->a[rnd(i)]; c->live = 1; continue; }
    c->s = rnd(d->nEnt);
    c->p = rnd(N_PRED);
    c->live = 1;
    int k = c->p == P_PE || c->p == P_PF ? K_ENT : c->p == P_PI ? K_INT : c->p == P_PS ? K_STR
          : (rnd(3) == 0 ? K_ENT : rnd(2) ? K_INT : K_STR);
    c->kind = k;
    c->v = k == K_ENT ? rnd(d->nEnt) : k == K_INT ? rnd(120) - 20 : rnd(N_STR);
  }
}

/* The fakt script that builds the database; nFirst claims in the first
** transaction, then the retractions, then the rest. */
static void dataScript(Data *d, Str *s) {
  sApp(s, "predicate pe : entity; predicate pf : entity; predicate pi : number;\n"
          "predicate ps : string; predicate pa;\n");
  for (int i = 0; i < d->nEnt; i++) sApp(s, "entity e%d thing \"Thing %d\";\n", i, i);
  int nFirst = d->nClaim * 9 / 10;
  sApp(s, "begin;\n");
  for (int i = 0; i < nFirst; i++) {
    Claim *c = &d->a[i];
    sApp(s, "claim k%d: e%d %s ", i, c->s, azPred[c->p]);
    objFakt(s, c->kind, c->v);
    sApp(s, ";\n");
  }
  sApp(s, "commit;\n");
  int nRet = 0;
  for (int i = 0; i < nFirst; i++) {
    if (!chance(10)) continue;
    sApp(s, "%sk%d", nRet++ ? ", " : "retract ", i);
    d->a[i].live = 0;
  }
  if (nRet) sApp(s, ";\n");
  for (int i = nFirst; i < d->nClaim; i++) {
    Claim *c = &d->a[i];
    sApp(s, "claim k%d: e%d %s ", i, c->s, azPred[c->p]);
    objFakt(s, c->kind, c->v);
    sApp(s, ";\n");
  }
}

static int loadSqlite(Data *d, sqlite3 *db) {
  if (sqlite3_exec(db, "CREATE TABLE claims(c TEXT, s TEXT, p TEXT, o, live INT);"
                       "CREATE INDEX cps ON claims(p, s); CREATE INDEX cpo ON claims(p, o);"
                       "CREATE INDEX cs ON claims(s); CREATE INDEX co ON claims(o);",
                   0, 0, 0) != SQLITE_OK) return 0;
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db, "INSERT INTO claims VALUES(?,?,?,?,?)", -1, &st, 0) != SQLITE_OK) return 0;
  sqlite3_exec(db, "BEGIN", 0, 0, 0);
  for (int i = 0; i < d->nClaim; i++) {
    Claim *c = &d->a[i];
    char zC[32], zS[32], zO[32];
    snprintf(zC, sizeof zC, "k%d", i);
    snprintf(zS, sizeof zS, "e%d", c->s);
    sqlite3_bind_text(st, 1, zC, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, zS, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, azPred[c->p], -1, SQLITE_STATIC);
    if (c->kind == K_INT) sqlite3_bind_int64(st, 4, c->v);
    else if (c->kind == K_ENT) { snprintf(zO, sizeof zO, "e%d", c->v); sqlite3_bind_text(st, 4, zO, -1, SQLITE_TRANSIENT); }
    else sqlite3_bind_text(st, 4, azStr[c->v], -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, c->live);
    if (sqlite3_step(st) != SQLITE_DONE) { sqlite3_finalize(st); return 0; }
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  sqlite3_exec(db, "COMMIT", 0, 0, 0);
  return 1;
}

/* ==== Queries ==== */

/* A term: a variable, an entity, integer, string or predicate constant. */
enum { T_NONE, T_VAR, T_ENT, T_INT, T_STR, T_PRED };
typedef struct Term { int k, v; } Term;

/* An expression: a term, or a op b (op one of + - * / %), or -a ('n'). */
typedef struct Expr { Term a; int op; Term b; } Expr;

typedef struct Pat { Term c, s, p, o; } Pat;          /* c.k==T_NONE: no ?c: */
typedef struct Cmp { Expr a; int op; Expr b; } Cmp;   /* op: 0 = 1 != 2 < 3 <= 4 > 5 >= 6 starts_with */

enum { L_PAT, L_CMP, L_NOT, L_OPT };
#define MAXB 3
typedef struct Lit {
  int kind;
  int nPat; Pat aPat[MAXB];      /* L_PAT: 1; L_NOT: 1..3; L_OPT: 1 */
  int nCmp; Cmp aCmp[MAXB];      /* L_CMP: 1; L_NOT: 0..2 */
} Lit;

enum { A_NONE, A_COUNT0, A_COUNT, A_SUM, A_MIN, A_MAX, A_AVG };
static const char *azAgg[] = { "", "count", "count", "sum", "min", "max", "avg" };
typedef struct Proj { int agg, bDistinct, bDesc; Expr e; } Proj;

/* Where a variable is bound: by positive patterns, inside optional j, or
** local to not j. */
enum { H_POS, H_OPT, H_NOT };
#define MAXV 24
#define MAXL 10
#define MAXP 5
typedef struct Query {
  int nVar; int aType[MAXV]; int aHome[MAXV]; int aHomeIdx[MAXV];
  int nLit; Lit aLit[MAXL];
  int nProj; Proj aProj[MAXP];
  int bDistinct, bOrder, nLimit, nOffset;   /* nLimit/nOffset -1: none */
} Query;

static const char *azCmp[] = { "=", "!=", "<", "<=", ">", ">=" };

/* ---- generation ---- */

static int newVar(Query *q, int type, int home, int idx) {
  if (q->nVar >= MAXV) return -1;
  q->aType[q->nVar] = type; q->aHome[q->nVar] = home; q->aHomeIdx[q->nVar] = idx;
  return q->nVar++;
}

/* A random existing positive variable of the given type, or -1. */
static int pickVar(Query *q, int type) {
  int a[MAXV], n = 0;
  for (int i = 0; i < q->nVar; i++) if (q->aHome[i] == H_POS && q->aType[i] == type) a[n++] = i;
  return n ? a[rnd(n)] : -1;
}
static Term tv(int v) { Term t = { T_VAR, v }; return t; }
static Term tc(int k, int v) { Term t = { k, v }; return t; }

static int predKind(int p) {
  return p == P_PE || p == P_PF ? K_ENT : p == P_PI ? K_INT : p == P_PS ? K_STR : K_MIX;
}

/* A constant of kind k. */
static Term constOf(Data *d, int k) {
  if (k == K_ENT) return tc(T_ENT, rnd(d->nEnt));
  if (k == K_INT) return tc(T_INT, rnd(120) - 20);
  if (k == K_STR) return tc(T_STR, rnd(N_STR));
  int r = rnd(3);
  return constOf(d, r == 0 ? K_ENT : r == 1 ? K_INT : K_STR);
}

/* A pattern for home h (index hi); the subject is `subj` if it is a term,
** else a new variable or a constant. */
static Pat genPat(Data *d, Query *q, int home, int hi, Term subj, int bAllowVarPred, int bConstSubj) {
  Pat p;
  memset(&p, 0, sizeof p);
  p.c.k = T_NONE;
  int pr = rnd(N_PRED);
  if (bAllowVarPred && chance(8)) { int v = newVar(q, K_PRED, home, hi); p.p = v >= 0 ? tv(v) : tc(T_PRED, pr); }
  else p.p = tc(T_PRED, pr);
  int ok = p.p.k == T_VAR ? K_MIX : predKind(pr);
  if (subj.k != T_NONE) p.s = subj;
  else if (bConstSubj || chance(15)) p.s = constOf(d, K_ENT);
  else { int v = newVar(q, K_ENT, home, hi); p.s = v >= 0 ? tv(v) : constOf(d, K_ENT); }
  /* object: share an existing variable of the same type, a constant, or new */
  int r = rnd(100);
  int ex = ok == K_MIX ? -1 : pickVar(q, ok);
  if (home == H_POS && r < 15 && ex >= 0 && !(p.s.k == T_VAR && p.s.v == ex)) p.o = tv(ex);
  else if (r < 35 && ok != K_MIX) p.o = constOf(d, ok);
  else if (r < 40) p.o = constOf(d, K_MIX);   /* a constant of any type, maybe mismatching */
  else { int v = newVar(q, ok, home, hi); p.o = v >= 0 ? tv(v) : constOf(d, ok == K_MIX ? K_INT : ok); }
  if (home == H_POS && chance(15)) { int v = newVar(q, K_CLAIM, home, hi); if (v >= 0) p.c = tv(v); }
  /* a typed predicate with a mismatching constant object is a compile-time
  ** type error in claims but not in queries; keep it only for `pa` */
  if (p.p.k == T_PRED && ok != K_MIX && p.o.k != T_VAR) {
    int kk = p.o.k == T_ENT ? K_ENT : p.o.k == T_INT ? K_INT : K_STR;
    if (kk != ok) p.o = constOf(d, ok);
  }
  return p;
}

/* A comparison over variables of home h (positive, or not j). */
static int genCmp(Data *d, Query *q, int home, int hi, Cmp *c) {
  int a[MAXV], n = 0;
  for (int i = 0; i < q->nVar; i++)
    if ((q->aHome[i] == H_POS || (q->aHome[i] == home && q->aHomeIdx[i] == hi)) &&
        q->aType[i] != K_CLAIM && q->aType[i] != K_PRED)
      a[n++] = i;
  if (!n) return 0;
  int v = a[rnd(n)], t = q->aType[v];
  memset(c, 0, sizeof *c);
  c->a.a = tv(v);
  if (t == K_INT) {
    c->op = rnd(6);
    if (chance(30)) { c->a.op = "+-*"[rnd(3)]; c->a.b = tc(T_INT, rnd(7) + 1); }
    int w = -1;
    for (int i = 0; i < n; i++) if (a[i] != v && q->aType[a[i]] == K_INT && chance(50)) w = a[i];
    c->b.a = w >= 0 ? tv(w) : tc(T_INT, rnd(120) - 20);
  } else if (t == K_STR) {
    if (chance(20)) { c->op = 6; c->b.a = tc(T_STR, rnd(4)); return 1; }  /* Alpha Beta Gamma Delta -> prefix */
    c->op = rnd(6);
    int w = -1;
    for (int i = 0; i < n; i++) if (a[i] != v && q->aType[a[i]] == K_STR && chance(50)) w = a[i];
    c->b.a = w >= 0 ? tv(w) : tc(T_STR, rnd(N_STR));
  } else if (t == K_ENT) {
    c->op = rnd(2);
    int w = -1;
    for (int i = 0; i < n; i++) if (a[i] != v && q->aType[a[i]] == K_ENT && chance(40)) w = a[i];
    c->b.a = w >= 0 ? tv(w) : constOf(d, K_ENT);
  } else {
    c->op = rnd(2);
    c->b.a = constOf(d, K_MIX);
  }
  return 1;
}

static Expr projExpr(Query *q, int v) {
  Expr e;
  memset(&e, 0, sizeof e);
  e.a = tv(v);
  if (q->aType[v] == K_INT && chance(25)) {
    int r = rnd(6);
    if (r == 5) { e.op = 'n'; return e; }
    e.op = "+-*/%"[r];
    int w = pickVar(q, K_INT);
    e.b = (e.op == '/' || e.op == '%' || w < 0 || chance(50)) ? tc(T_INT, rnd(9) + 1) : tv(w);
  }
  return e;
}

static void genQuery(Data *d, Query *q) {
  memset(q, 0, sizeof *q);
  q->nLimit = q->nOffset = -1;
  int nPos = 1 + rnd(3);
  for (int i = 0; i < nPos; i++) {
    Term subj = { T_NONE, 0 };
    if (i > 0 && !chance(10)) {
      int v = pickVar(q, K_ENT);
      if (v >= 0) {
        if (chance(60)) subj = tv(v);
        else {
          /* v as the object of a new entity-valued pattern */
          Lit *l = &q->aLit[q->nLit++];
          l->kind = L_PAT; l->nPat = 1;
          Pat *p = &l->aPat[0];
          memset(p, 0, sizeof *p);
          p->p = tc(T_PRED, chance(50) ? P_PE : P_PF);
          int s = newVar(q, K_ENT, H_POS, 0);
          p->s = s >= 0 ? tv(s) : constOf(d, K_ENT);
          p->o = tv(v);
          p->c.k = T_NONE;
          continue;
        }
      }
    }
    Lit *l = &q->aLit[q->nLit++];
    l->kind = L_PAT; l->nPat = 1;
    l->aPat[0] = genPat(d, q, H_POS, 0, subj, 1, i > 0 && subj.k == T_NONE);
  }
  int nCmp = rnd(3);
  for (int i = 0; i < nCmp; i++) {
    Lit *l = &q->aLit[q->nLit];
    l->kind = L_CMP; l->nCmp = 1;
    if (genCmp(d, q, H_POS, 0, &l->aCmp[0])) q->nLit++;
  }
  if (chance(30)) {                                   /* not */
    int v = pickVar(q, K_ENT);
    if (v >= 0) {
      int j = q->nLit;
      Lit *l = &q->aLit[q->nLit++];
      l->kind = L_NOT;
      l->nPat = 1 + (chance(35) ? 1 : 0);
      l->aPat[0] = genPat(d, q, H_NOT, j, tv(v), 0, 0);
      if (l->nPat == 2) {
        int w = -1;
        for (int i = 0; i < q->nVar; i++) if (q->aHome[i] == H_NOT && q->aHomeIdx[i] == j && q->aType[i] == K_ENT) w = i;
        if (w >= 0) l->aPat[1] = genPat(d, q, H_NOT, j, tv(w), 0, 0);
        else l->nPat = 1;
      }
      if (chance(40)) {
        /* a filter over a local variable, if there is one */
        Cmp c;
        for (int tries = 0; tries < 4; tries++) {
          if (genCmp(d, q, H_NOT, j, &c) && c.a.a.k == T_VAR && q->aHome[c.a.a.v] == H_NOT) {
            l->aCmp[l->nCmp++] = c;
            break;
          }
        }
      }
    }
  }
  if (chance(20)) {                                   /* optional */
    int v = pickVar(q, K_ENT);
    if (v >= 0) {
      int j = q->nLit;
      Lit *l = &q->aLit[q->nLit++];
      l->kind = L_OPT; l->nPat = 1;
      l->aPat[0] = genPat(d, q, H_OPT, j, tv(v), 0, 0);
    }
  }
  /* projections: plain or aggregate */
  int aCand[MAXV], nCand = 0;
  for (int i = 0; i < q->nVar; i++) if (q->aHome[i] == H_POS || q->aHome[i] == H_OPT) aCand[nCand++] = i;
  if (nCand == 0) { q->nProj = 1; q->aProj[0].agg = A_COUNT0; q->aProj[0].e.a.k = T_NONE; return; }
  if (chance(35)) {
    int nKey = rnd(3);
    for (int i = 0; i < nKey && q->nProj < MAXP; i++) {
      Proj *p = &q->aProj[q->nProj++];
      memset(p, 0, sizeof *p);
      p->e = projExpr(q, aCand[rnd(nCand)]);
    }
    int nAgg = 1 + rnd(2);
    for (int i = 0; i < nAgg && q->nProj < MAXP; i++) {
      Proj *p = &q->aProj[q->nProj++];
      memset(p, 0, sizeof *p);
      int v = aCand[rnd(nCand)];
      int t = q->aType[v];
      int r = rnd(6);
      if (r == 0) { p->agg = A_COUNT0; p->e.a.k = T_NONE; continue; }
      if (t == K_INT && r >= 4) p->agg = r == 4 ? A_SUM : A_AVG;
      else p->agg = r == 1 ? A_COUNT : r == 2 ? A_MIN : r == 3 ? A_MAX : A_COUNT;
      p->bDistinct = chance(25);
      p->e = (p->agg == A_SUM || p->agg == A_AVG) ? projExpr(q, v) : (Expr){ tv(v), 0, { T_NONE, 0 } };
    }
  } else {
    int n = 1 + rnd(3);
    for (int i = 0; i < n; i++) {
      Proj *p = &q->aProj[q->nProj++];
      memset(p, 0, sizeof *p);
      p->e = projExpr(q, aCand[rnd(nCand)]);
    }
    q->bDistinct = chance(20);
  }
  if (chance(35)) {
    q->bOrder = 1;
    for (int i = 0; i < q->nProj; i++) q->aProj[i].bDesc = chance(40);
    if (chance(75)) { q->nLimit = rnd(15); if (chance(40)) q->nOffset = rnd(6); }
  }
}

/* ---- validity: every variable used is bound where it is used ---- */

static int varInPat(const Pat *p, int v) {
  const Term *a[4] = { &p->c, &p->s, &p->p, &p->o };
  for (int i = 0; i < 4; i++) if (a[i]->k == T_VAR && a[i]->v == v) return 1;
  return 0;
}
static int varInExpr(const Expr *e, int v) {
  return (e->a.k == T_VAR && e->a.v == v) || (e->op && e->op != 'n' && e->b.k == T_VAR && e->b.v == v);
}
static int boundPos(const Query *q, int v) {
  for (int i = 0; i < q->nLit; i++)
    if (q->aLit[i].kind == L_PAT && varInPat(&q->aLit[i].aPat[0], v)) return 1;
  return 0;
}
static int boundOpt(const Query *q, int v) {
  for (int i = 0; i < q->nLit; i++)
    if (q->aLit[i].kind == L_OPT && varInPat(&q->aLit[i].aPat[0], v)) return 1;
  return 0;
}
static int valid(const Query *q) {
  int nPat = 0;
  for (int i = 0; i < q->nLit; i++) if (q->aLit[i].kind == L_PAT) nPat++;
  if (nPat == 0 || q->nProj == 0) return 0;
  for (int v = 0; v < q->nVar; v++) {
    int bPos = q->aHome[v] == H_POS && boundPos(q, v);
    for (int i = 0; i < q->nLit; i++) {
      const Lit *l = &q->aLit[i];
      for (int j = 0; j < l->nCmp; j++)
        if ((varInExpr(&l->aCmp[j].a, v) || varInExpr(&l->aCmp[j].b, v)) && !bPos &&
            !(l->kind == L_NOT && q->aHome[v] == H_NOT)) return 0;
      if (l->kind == L_NOT || l->kind == L_OPT)
        for (int j = 0; j < l->nPat; j++)
          if (varInPat(&l->aPat[j], v) && q->aHome[v] == H_POS && !bPos) return 0;
      /* a local variable of a not must still be bound inside the not */
      if (l->kind == L_NOT && q->aHome[v] == H_NOT && q->aHomeIdx[v] == i) {
        int used = 0, bound = 0;
        for (int j = 0; j < l->nPat; j++) if (varInPat(&l->aPat[j], v)) bound = 1;
        for (int j = 0; j < l->nCmp; j++) if (varInExpr(&l->aCmp[j].a, v) || varInExpr(&l->aCmp[j].b, v)) used = 1;
        if (used && !bound) return 0;
      }
    }
    for (int i = 0; i < q->nProj; i++)
      if (varInExpr(&q->aProj[i].e, v) && !bPos && !(q->aHome[v] == H_OPT && boundOpt(q, v))) return 0;
  }
  /* every not/optional keeps at least one pattern, and the home index of
  ** its local variables is its position: removal shifts nothing (see
  ** shrink, which removes literals by blanking them) */
  for (int i = 0; i < q->nLit; i++)
    if ((q->aLit[i].kind == L_NOT || q->aLit[i].kind == L_OPT) && q->aLit[i].nPat == 0) return 0;
  return 1;
}

/* ---- rendering ---- */

static void termFakt(Str *s, const Term *t) {
  switch (t->k) {
    case T_VAR: sApp(s, "?v%d", t->v); break;
    case T_ENT: sApp(s, "e%d", t->v); break;
    case T_INT: sApp(s, "%d", t->v); break;
    case T_STR: escFakt(s, azStr[t->v]); break;
    case T_PRED: sApp(s, "%s", azPred[t->v]); break;
  }
}
static void exprFakt(Str *s, const Expr *e) {
  if (e->op == 'n') { sApp(s, "-"); termFakt(s, &e->a); return; }
  termFakt(s, &e->a);
  if (e->op) { sApp(s, " %c ", e->op); termFakt(s, &e->b); }
}
static void patFakt(Str *s, const Pat *p) {
  if (p->c.k == T_VAR) { termFakt(s, &p->c); sApp(s, ": "); }
  termFakt(s, &p->s); sApp(s, " "); termFakt(s, &p->p); sApp(s, " "); termFakt(s, &p->o);
}
static void cmpFakt(Str *s, const Cmp *c) {
  if (c->op == 6) { sApp(s, "starts_with("); exprFakt(s, &c->a); sApp(s, ", "); exprFakt(s, &c->b); sApp(s, ")"); return; }
  exprFakt(s, &c->a); sApp(s, " %s ", azCmp[c->op]); exprFakt(s, &c->b);
}

static void queryFakt(const Query *q, Str *s) {
  sApp(s, "find %s", q->bDistinct ? "distinct " : "");
  for (int i = 0; i < q->nProj; i++) {
    const Proj *p = &q->aProj[i];
    if (i) sApp(s, ", ");
    if (p->agg) {
      sApp(s, "%s(%s", azAgg[p->agg], p->bDistinct && p->agg != A_COUNT0 ? "distinct " : "");
      if (p->agg != A_COUNT0) exprFakt(s, &p->e);
      sApp(s, ")");
    } else exprFakt(s, &p->e);
    if (q->bOrder) sApp(s, " as c%d", i);
  }
  int first = 1;
  for (int i = 0; i < q->nLit; i++) {
    const Lit *l = &q->aLit[i];
    if (l->kind == L_PAT && l->nPat == 0) continue;      /* blanked by shrink */
    if (l->kind == L_CMP && l->nCmp == 0) continue;
    sApp(s, first ? " where " : ", ");
    first = 0;
    if (l->kind == L_PAT) patFakt(s, &l->aPat[0]);
    else if (l->kind == L_CMP) cmpFakt(s, &l->aCmp[0]);
    else {
      int bBrace = l->kind == L_OPT || l->nPat + l->nCmp > 1;
      sApp(s, "%s%s", l->kind == L_NOT ? "not " : "optional ", bBrace ? "{ " : "");
      for (int j = 0; j < l->nPat; j++) { if (j) sApp(s, ", "); patFakt(s, &l->aPat[j]); }
      for (int j = 0; j < l->nCmp; j++) { sApp(s, ", "); cmpFakt(s, &l->aCmp[j]); }
      if (bBrace) sApp(s, " }");
    }
  }
  if (q->bOrder) {
    sApp(s, " order by ");
    for (int i = 0; i < q->nProj; i++) sApp(s, "%sc%d%s", i ? ", " : "", i, q->aProj[i].bDesc ? " desc" : "");
  }
  if (q->nLimit >= 0) sApp(s, " limit %d", q->nLimit);
  if (q->nLimit >= 0 && q->nOffset >= 0) sApp(s, " offset %d", q->nOffset);
  sApp(s, ";");
}

/* SQL rendering: aBind[v] is the SQL expression a variable is bound to. */
typedef struct Sql { char aBind[MAXV][32]; int bBound[MAXV]; } Sql;

static void termSql(Str *s, const Sql *x, const Term *t) {
  switch (t->k) {
    case T_VAR: sApp(s, "%s", x->aBind[t->v]); break;
    case T_ENT: sApp(s, "'e%d'", t->v); break;
    case T_INT: sApp(s, "%d", t->v); break;
    case T_STR: escSql(s, azStr[t->v]); break;
    case T_PRED: sApp(s, "'%s'", azPred[t->v]); break;
  }
}
static void exprSql(Str *s, const Sql *x, const Expr *e) {
  if (e->op == 'n') { sApp(s, "(-"); termSql(s, x, &e->a); sApp(s, ")"); return; }
  if (!e->op) { termSql(s, x, &e->a); return; }
  sApp(s, "("); termSql(s, x, &e->a); sApp(s, " %c ", e->op); termSql(s, x, &e->b); sApp(s, ")");
}
static void cmpSql(Str *s, const Sql *x, const Cmp *c) {
  if (c->op == 6) {
    sApp(s, "substr("); exprSql(s, x, &c->a); sApp(s, ", 1, %d) = ", (int)strlen(azStr[c->b.a.v]));
    exprSql(s, x, &c->b);
    return;
  }
  exprSql(s, x, &c->a); sApp(s, " %s ", c->op == 1 ? "<>" : azCmp[c->op]); exprSql(s, x, &c->b);
}

/* Conditions of pattern p on alias zA; binds its unbound variables. */
static void patSql(Str *w, Sql *x, const Pat *p, const char *zA, int *pFirst) {
  const Term *a[4] = { &p->c, &p->s, &p->p, &p->o };
  const char *col[4] = { "c", "s", "p", "o" };
  sApp(w, "%s%s.live = 1", *pFirst ? "" : " AND ", zA);
  *pFirst = 0;
  for (int i = 0; i < 4; i++) {
    const Term *t = a[i];
    if (t->k == T_NONE) continue;
    if (t->k == T_VAR && !x->bBound[t->v]) {
      snprintf(x->aBind[t->v], sizeof x->aBind[0], "%s.%s", zA, col[i]);
      x->bBound[t->v] = 1;
      continue;
    }
    sApp(w, " AND %s.%s = ", zA, col[i]);
    termSql(w, x, t);
  }
}

static int querySql(const Query *q, Str *s) {
  Sql x;
  memset(&x, 0, sizeof x);
  Str from = { 0 }, where = { 0 }, left = { 0 };
  int firstW = 1, nFrom = 0;
  /* positive patterns first: they bind */
  for (int i = 0; i < q->nLit; i++) {
    const Lit *l = &q->aLit[i];
    if (l->kind != L_PAT || l->nPat == 0) continue;
    char zA[16];
    snprintf(zA, sizeof zA, "t%d", i);
    sApp(&from, "%sclaims %s", nFrom++ ? ", " : "", zA);
    patSql(&where, &x, &l->aPat[0], zA, &firstW);
  }
  for (int i = 0; i < q->nLit; i++) {
    const Lit *l = &q->aLit[i];
    if (l->kind == L_CMP && l->nCmp) { sApp(&where, firstW ? "" : " AND "); firstW = 0; cmpSql(&where, &x, &l->aCmp[0]); }
    if (l->kind == L_NOT) {
      Sql y = x;
      Str f2 = { 0 }, w2 = { 0 };
      int first2 = 1;
      for (int j = 0; j < l->nPat; j++) {
        char zA[16];
        snprintf(zA, sizeof zA, "n%d_%d", i, j);
        sApp(&f2, "%sclaims %s", j ? ", " : "", zA);
        patSql(&w2, &y, &l->aPat[j], zA, &first2);
      }
      for (int j = 0; j < l->nCmp; j++) { sApp(&w2, " AND "); cmpSql(&w2, &y, &l->aCmp[j]); }
      sApp(&where, "%sNOT EXISTS (SELECT 1 FROM %s WHERE %s)", firstW ? "" : " AND ", sZ(&f2), sZ(&w2));
      firstW = 0;
      free(f2.z); free(w2.z);
    }
    if (l->kind == L_OPT) {
      char zA[16];
      snprintf(zA, sizeof zA, "o%d", i);
      Str on = { 0 };
      int first2 = 1;
      patSql(&on, &x, &l->aPat[0], zA, &first2);
      sApp(&left, " LEFT JOIN claims %s ON %s", zA, sZ(&on));
      free(on.z);
    }
  }
  sApp(s, "SELECT %s", q->bDistinct ? "DISTINCT " : "");
  int bAgg = 0, bKey = 0;
  for (int i = 0; i < q->nProj; i++) { if (q->aProj[i].agg) bAgg = 1; else bKey = 1; }
  for (int i = 0; i < q->nProj; i++) {
    const Proj *p = &q->aProj[i];
    if (i) sApp(s, ", ");
    if (p->agg == A_COUNT0) sApp(s, "count(*)");
    else if (p->agg) {
      sApp(s, "%s(%s", azAgg[p->agg], p->bDistinct ? "DISTINCT " : "");
      exprSql(s, &x, &p->e);
      sApp(s, ")");
    } else exprSql(s, &x, &p->e);
    sApp(s, " AS c%d", i);
  }
  sApp(s, " FROM %s%s", sZ(&from), sZ(&left));
  if (!firstW) sApp(s, " WHERE %s", sZ(&where));
  if (bAgg && bKey) {
    sApp(s, " GROUP BY ");
    int k = 0;
    for (int i = 0; i < q->nProj; i++) if (!q->aProj[i].agg) { sApp(s, "%s", k++ ? ", " : ""); exprSql(s, &x, &q->aProj[i].e); }
  }
  if (q->bOrder) {
    sApp(s, " ORDER BY ");
    for (int i = 0; i < q->nProj; i++) sApp(s, "%sc%d%s", i ? ", " : "", i, q->aProj[i].bDesc ? " DESC" : "");
  }
  if (q->nLimit >= 0) sApp(s, " LIMIT %d", q->nLimit);
  if (q->nLimit >= 0 && q->nOffset >= 0) sApp(s, " OFFSET %d", q->nOffset);
  free(from.z); free(where.z); free(left.z);
  return 1;
}

/* ==== Running and comparing ==== */

typedef struct Rows { int n, cap; char **a; char *zErr; } Rows;

static void rowsAdd(Rows *r, const char *z) {
  if (r->n == r->cap) { r->cap = r->cap * 2 + 16; r->a = realloc(r->a, sizeof(char *) * (size_t)r->cap); }
  r->a[r->n++] = strdup(z);
}
static void rowsFree(Rows *r) {
  for (int i = 0; i < r->n; i++) free(r->a[i]);
  free(r->a); free(r->zErr);
  memset(r, 0, sizeof *r);
}
static int cmpStr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

#define MAXROWS 50000

static void runFakt(fakt *db, const char *zQ, Rows *r) {
  fakt_stmt *st = NULL;
  int rc = fakt_prepare(db, zQ, -1, &st, NULL);
  if (rc != FAKT_OK || !st) {
    char z[600];
    snprintf(z, sizeof z, "prepare: %s (%d)", fakt_errmsg(db), rc);
    r->zErr = strdup(z);
    return;
  }
  Str row = { 0 };
  while ((rc = fakt_step(st)) == FAKT_ROW && r->n < MAXROWS) {
    sReset(&row);
    for (int i = 0; i < fakt_column_count(st); i++) {
      int t = fakt_column_type(st, i);
      if (i) sApp(&row, " | ");
      if (t == FAKT_NULL) sApp(&row, "NULL");
      else if (t == FAKT_INTEGER) sApp(&row, "%lld", (long long)fakt_column_int64(st, i));
      else if (t == FAKT_FLOAT) sApp(&row, "f:%.10g", fakt_column_double(st, i));
      else if (t == FAKT_TEXT) sApp(&row, "'%s'", fakt_column_text(st, i));
      else sApp(&row, "%s", fakt_column_text(st, i));
    }
    rowsAdd(r, sZ(&row));
  }
  if (rc != FAKT_DONE && rc != FAKT_ROW) {
    char z[600];
    snprintf(z, sizeof z, "step: %s (%d)", fakt_errmsg(db), rc);
    r->zErr = strdup(z);
  }
  free(row.z);
  fakt_finalize(st);
}

static int isEntityLike(const char *z) {
  /* SQLite text that is an id: e12, k3 or a predicate name */
  if ((z[0] == 'e' || z[0] == 'k') && z[1] >= '0' && z[1] <= '9') return 1;
  for (int i = 0; i < N_PRED; i++) if (strcmp(z, azPred[i]) == 0) return 1;
  return 0;
}

static void runSql(sqlite3 *db, const char *zQ, Rows *r) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db, zQ, -1, &st, 0) != SQLITE_OK) {
    char z[600];
    snprintf(z, sizeof z, "sqlite prepare: %s", sqlite3_errmsg(db));
    r->zErr = strdup(z);
    return;
  }
  Str row = { 0 };
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW && r->n < MAXROWS) {
    sReset(&row);
    for (int i = 0; i < sqlite3_column_count(st); i++) {
      int t = sqlite3_column_type(st, i);
      if (i) sApp(&row, " | ");
      if (t == SQLITE_NULL) sApp(&row, "NULL");
      else if (t == SQLITE_INTEGER) sApp(&row, "%lld", (long long)sqlite3_column_int64(st, i));
      else if (t == SQLITE_FLOAT) sApp(&row, "f:%.10g", sqlite3_column_double(st, i));
      else {
        const char *z = (const char *)sqlite3_column_text(st, i);
        if (isEntityLike(z)) sApp(&row, "%s", z); else sApp(&row, "'%s'", z);
      }
    }
    rowsAdd(r, sZ(&row));
  }
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
    char z[600];
    snprintf(z, sizeof z, "sqlite step: %s", sqlite3_errmsg(db));
    r->zErr = strdup(z);
  }
  free(row.z);
  sqlite3_finalize(st);
}

typedef struct Ctx {
  fakt *fdb;
  sqlite3 *sdb;
  Str zFakt, zSql;
  Rows rf, rs;
} Ctx;

/* Run q both ways; 0 if they agree, 1 if not, -1 if SQLite itself failed
** (a bug of this generator, also reported). */
static int check(Ctx *x, const Query *q) {
  sReset(&x->zFakt); sReset(&x->zSql);
  rowsFree(&x->rf); rowsFree(&x->rs);
  queryFakt(q, &x->zFakt);
  querySql(q, &x->zSql);
  runFakt(x->fdb, sZ(&x->zFakt), &x->rf);
  runSql(x->sdb, sZ(&x->zSql), &x->rs);
  if (x->rs.zErr) return -1;
  if (x->rf.zErr) return 1;
  if (x->rf.n >= MAXROWS || x->rs.n >= MAXROWS) return 2;   /* too big to compare: skipped */
  if (x->rf.n != x->rs.n) return 1;
  if (!q->bOrder) {
    qsort(x->rf.a, (size_t)x->rf.n, sizeof(char *), cmpStr);
    qsort(x->rs.a, (size_t)x->rs.n, sizeof(char *), cmpStr);
  }
  for (int i = 0; i < x->rf.n; i++) if (strcmp(x->rf.a[i], x->rs.a[i]) != 0) return 1;
  return 0;
}

static void printRows(const char *zName, const Rows *r) {
  if (r->zErr) { printf("  %s: ERROR %s\n", zName, r->zErr); return; }
  printf("  %s: %d rows\n", zName, r->n);
  for (int i = 0; i < r->n && i < 25; i++) printf("    %s\n", r->a[i]);
  if (r->n > 25) printf("    ...\n");
}
static void printCase(Ctx *x) {
  printf("  fakt: %s\n  sql:  %s\n", sZ(&x->zFakt), sZ(&x->zSql));
  printRows("fakt", &x->rf);
  printRows("sqlite", &x->rs);
}

/* Shrink q: blank literals, drop projections, clear flags, while the case
** still fails and stays valid. */
static void shrink(Ctx *x, Query *q) {
  int bChanged = 1;
  while (bChanged) {
    bChanged = 0;
    for (int i = 0; i < q->nLit + q->nProj + 4 + q->nLit * 4; i++) {
      Query t = *q;
      if (i < q->nLit) {
        Lit *l = &t.aLit[i];
        if (l->kind == L_PAT) { if (!l->nPat) continue; l->nPat = 0; }
        else if (l->kind == L_CMP) { if (!l->nCmp) continue; l->nCmp = 0; }
        else { l->kind = L_CMP; l->nCmp = 0; l->nPat = 0; }
      } else if (i < q->nLit + q->nProj) {
        int k = i - q->nLit;
        if (t.nProj <= 1) continue;
        memmove(&t.aProj[k], &t.aProj[k + 1], sizeof(Proj) * (size_t)(t.nProj - k - 1));
        t.nProj--;
      } else if (i < q->nLit + q->nProj + 4) {
        int k = i - q->nLit - q->nProj;
        if (k == 0) { if (!t.bDistinct) continue; t.bDistinct = 0; }
        if (k == 1) { if (t.nOffset < 0) continue; t.nOffset = -1; }
        if (k == 2) { if (t.nLimit < 0) continue; t.nLimit = -1; t.nOffset = -1; }
        if (k == 3) { if (!t.bOrder || t.nLimit >= 0) continue; t.bOrder = 0; for (int j = 0; j < t.nProj; j++) t.aProj[j].bDesc = 0; }
      } else {
        /* inside a not: drop one pattern or filter */
        int k = i - q->nLit - q->nProj - 4, li = k / 4, what = k % 4;
        Lit *l = &t.aLit[li];
        if (l->kind != L_NOT) continue;
        if (what < 3) { if (what >= l->nPat || l->nPat <= 1) continue; memmove(&l->aPat[what], &l->aPat[what + 1], sizeof(Pat) * (size_t)(l->nPat - what - 1)); l->nPat--; }
        else { if (!l->nCmp) continue; l->nCmp--; }
      }
      if (!valid(&t)) continue;
      if (check(x, &t) == 1) { *q = t; bChanged = 1; break; }
    }
  }
  check(x, q);
}

/* ==== Main ==== */

static int nPass, nFail, nSkip;

static int runDb(uint64_t seed, int iDb, int nQuery, int iOnly, const char *zDir, int bVerbose) {
  Ctx x;
  memset(&x, 0, sizeof x);
  gRng = seed * 1000003ULL + (uint64_t)iDb;
  Data d;
  genData(&d);
  Str script = { 0 };
  dataScript(&d, &script);
  char zPath[4200];
  snprintf(zPath, sizeof zPath, "%s/db%d.fakt", zDir, iDb);
  int rc = fakt_open(zPath, FAKT_OPEN_READWRITE | FAKT_OPEN_CREATE, &x.fdb);
  char *zErr = NULL;
  if (rc == FAKT_OK) rc = fakt_exec(x.fdb, sZ(&script), NULL, NULL, &zErr);
  if (rc != FAKT_OK) {
    printf("FAIL difftest seed=%llu db=%d: cannot build the fakt database: %s\n",
           (unsigned long long)seed, iDb, zErr ? zErr : fakt_errmsg(x.fdb));
    fakt_free(zErr);
    nFail++;
    fakt_close(x.fdb);
    free(d.a); free(script.z);
    return 0;
  }
  if (sqlite3_open(":memory:", &x.sdb) != SQLITE_OK || !loadSqlite(&d, x.sdb)) {
    printf("FAIL difftest: cannot build the SQLite database\n");
    nFail++;
    return 0;
  }
  int nBad = 0;
  for (int iq = 0; iq < nQuery; iq++) {
    gRng = (seed * 1000003ULL + (uint64_t)iDb) * 7919ULL + (uint64_t)iq * 104729ULL + 17;
    Query q;
    do genQuery(&d, &q); while (!valid(&q));
    if (iOnly >= 0 && iq != iOnly) continue;
    int r = check(&x, &q);
    if (bVerbose) printf("%s\n", sZ(&x.zFakt));
    if (r == 0) { nPass++; continue; }
    if (r == 2) { nSkip++; continue; }
    nFail++;
    if (++nBad > 5) { if (nBad == 6) printf("  (more failures on this database are not shown)\n"); continue; }
    printf("FAIL difftest seed=%llu db=%d query=%d%s\n", (unsigned long long)seed, iDb, iq,
           r < 0 ? " (the SQL translation failed: a bug of difftest)" : "");
    printCase(&x);
    if (r > 0) {
      shrink(&x, &q);
      printf("  minimal reproduction:\n");
      printCase(&x);
    }
    printf("  rerun: difftest -s %llu -d %d -q %d:%d   (the database script: add -w FILE)\n",
           (unsigned long long)seed, iDb + 1, iDb, iq);
  }
  fakt_close(x.fdb);
  sqlite3_close(x.sdb);
  rowsFree(&x.rf); rowsFree(&x.rs);
  free(x.zFakt.z); free(x.zSql.z);
  free(d.a); free(script.z);
  return 1;
}

/* -E PREFIX: write database i's script to PREFIX-dbI.fk and print one line
** "PREFIX-dbI.fk<TAB>QUERY" per query (the same queries a run compares),
** for other engines to compare against fakt (tests/shell/postgres.sh). */
static int emitDb(uint64_t seed, int iDb, int nQuery, const char *zPrefix) {
  gRng = seed * 1000003ULL + (uint64_t)iDb;
  Data d;
  genData(&d);
  Str script = { 0 }, qs = { 0 };
  dataScript(&d, &script);
  char zPath[4200];
  snprintf(zPath, sizeof zPath, "%s-db%d.fk", zPrefix, iDb);
  FILE *f = fopen(zPath, "w");
  if (!f || fputs(sZ(&script), f) < 0 || fclose(f) != 0) { perror(zPath); free(d.a); free(script.z); return 0; }
  for (int iq = 0; iq < nQuery; iq++) {
    gRng = (seed * 1000003ULL + (uint64_t)iDb) * 7919ULL + (uint64_t)iq * 104729ULL + 17;
    Query q;
    do genQuery(&d, &q); while (!valid(&q));
    sReset(&qs);
    queryFakt(&q, &qs);
    for (char *z = qs.z; z && *z; z++) if (*z == '\n' || *z == '\t') *z = ' ';
    printf("%s\t%s\n", zPath, sZ(&qs));
  }
  free(d.a); free(script.z); free(qs.z);
  return 1;
}

int main(int argc, char **argv) {
  int nQuery = 10000, nDb = 10, iOnlyDb = -1, iOnlyQ = -1, bVerbose = 0;
  uint64_t seed = 20230913;
  const char *zWrite = NULL, *zEmit = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-n") && i + 1 < argc) nQuery = atoi(argv[++i]);
    else if (!strcmp(argv[i], "-d") && i + 1 < argc) nDb = atoi(argv[++i]);
    else if (!strcmp(argv[i], "-s") && i + 1 < argc) seed = strtoull(argv[++i], 0, 10);
    else if (!strcmp(argv[i], "-q") && i + 1 < argc) { if (sscanf(argv[++i], "%d:%d", &iOnlyDb, &iOnlyQ) != 2) iOnlyDb = -1; }
    else if (!strcmp(argv[i], "-w") && i + 1 < argc) zWrite = argv[++i];
    else if (!strcmp(argv[i], "-E") && i + 1 < argc) zEmit = argv[++i];
    else if (!strcmp(argv[i], "-v")) bVerbose = 1;
    else { fprintf(stderr, "usage: difftest [-n QUERIES] [-d DATABASES] [-s SEED] [-q DB:QUERY] [-w SCRIPT] [-E PREFIX] [-v]\n"); return 2; }
  }
  if (nDb < 1) nDb = 1;
  if (zEmit) {
    int nEach = (nQuery + nDb - 1) / nDb;
    for (int i = 0; i < nDb; i++) if (!emitDb(seed, i, nEach, zEmit)) return 2;
    return 0;
  }
  char zDir[] = "/tmp/fakt-difftest.XXXXXX";
  if (!mkdtemp(zDir)) { perror("mkdtemp"); return 2; }
  int nPer = (nQuery + nDb - 1) / nDb;
  for (int i = 0; i < nDb; i++) {
    if (iOnlyDb >= 0 && i != iOnlyDb) continue;
    if (zWrite) {
      gRng = seed * 1000003ULL + (uint64_t)i;
      Data d;
      genData(&d);
      Str s = { 0 };
      dataScript(&d, &s);
      FILE *f = fopen(zWrite, "w");
      if (f) { fputs(sZ(&s), f); fclose(f); }
      free(s.z); free(d.a);
    }
    runDb(seed, i, nPer, iOnlyQ, zDir, bVerbose);
    char z[4300];
    snprintf(z, sizeof z, "%s/db%d.fakt", zDir, i); unlink(z);
    snprintf(z, sizeof z, "%s/db%d.fakt-lock", zDir, i); unlink(z);
  }
  rmdir(zDir);
  printf("difftest: seed %llu, %d databases, %d queries compared, %d skipped (over %d rows)\n",
         (unsigned long long)seed, iOnlyDb >= 0 ? 1 : nDb, nPass + nFail, nSkip, MAXROWS);
  printf("%d passed, %d failed\n", nPass, nFail);
  return nFail ? 1 : 0;
}
