/*
** unit_rules.c -- rules do only the work a query asks for (issue 26).
**
** 1. A query computes only the relations it calls: with a row limit of
**    5,000 (fakt_limits), a query on a small relation succeeds although a
**    transitive closure of 20,100 rows and a rule that fails ("bad") are
**    defined before it; the closure itself still hits the limit, and bad
**    still fails when it is asked for.
** 2. Rows keep the claims beneath them only for why, and then only what
**    their body matched: the full closure of a 400-chain (80,200 rows)
**    holds less than 24 MB of heap while its statement is open
**    (mallinfo2) without why (74 MB when every row listed every claim
**    beneath it), and less than 48 MB with why for 160,400 rows (149 MB
**    before); why still lists the claims.
** 3. A bound argument is pushed in: with the row limit at 5,000,
**    tc(n0, ?b) on a 2,000-chain (whose closure has 1,999,000 rows) gives
**    its 1,999 rows; only the values reached from n0 and their rows are
**    computed. Bound and unbound queries agree on a graph with a cycle,
**    a filter in the step, a constant in a rule and a second recursive
**    rule (a 60-chain); a non-linear rule is not pushed in and answers.
** 4. What tests/trust/rulecheck.py found: two steps reading one relation
**    through different arguments each keep their index (9 rows, not 6),
**    and a bound argument waits for every pattern that mentions it, not
**    only the first, before a filter reads it (no "cannot compare").
** 5. One plan run per value reached: when the recursive rule's step is
**    the other rule's body (tc), tc(n0, ?b) on a 2,000-chain runs 2,000
**    rule plans (fakt.nRuleRun), not 4,000; a step that differs runs its
**    own plan, and the answers agree.
** 6. The handle keeps the compiled rules for the next statement
**    (fakt.nRuleLoad counts compilations): a second prepare compiles
**    nothing; a rule redefined or dropped, by this handle or by another
**    process, is seen by the next prepare; a statement prepared before
**    keeps its own rules (SPEC 11.4) and, finalized, does not put the
**    older rules back; rules defined in a transaction that is rolled
**    back are gone, and the rules from before serve again; session rules
**    of a read-only handle are part of the key.
*/
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "fakt.h"
#include "fakt_int.h"

static int nPass, nFail;
#define CHECK(db, x) do{ if( x ) nPass++; else { nFail++; \
  printf("FAIL %s:%d: %s (%s)\n", __FILE__, __LINE__, #x, fakt_errmsg(db)); } }while(0)

/* Run statements, expecting success. */
static int run(fakt *db, const char *z){
  char *zErr = NULL;
  int rc = fakt_exec(db, z, NULL, NULL, &zErr);
  if( rc ) printf("  exec failed: %.60s: %s\n", z, zErr ? zErr : "?");
  fakt_free(zErr);
  return rc;
}

/* Rows of a query, or -rc on error. */
static int64_t rows(fakt *db, const char *zQuery){
  fakt_stmt *p = NULL;
  int64_t n = 0;
  int rc = fakt_prepare(db, zQuery, -1, &p, NULL);
  if( rc ) return -rc;
  while( (rc = fakt_step(p))==FAKT_ROW ) n++;
  fakt_finalize(p);
  return rc==FAKT_DONE ? n : -rc;
}

/* Bytes malloc holds: small blocks and mmap'd ones. */
static size_t heapBytes(void){
  struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

/* A chain n0 next n1 next ... n(N-1). */
static int chain(fakt *db, int n){
  size_t nAlloc = (size_t)n*80 + 100, iOff = 0;
  char *z = malloc(nAlloc);
  if( z==NULL ) return FAKT_NOMEM;
  iOff += (size_t)snprintf(z, nAlloc, "predicate next : entity; predicate edge : entity;\n");
  for(int i=0; i<n; i++) iOff += (size_t)snprintf(z+iOff, nAlloc-iOff, "entity n%d thing \"n%d\";\n", i, i);
  for(int i=0; i+1<n; i++) iOff += (size_t)snprintf(z+iOff, nAlloc-iOff, "claim n%d next n%d;\n", i, i+1);
  int rc = run(db, "begin;");
  if( rc==0 ) rc = run(db, z);
  if( rc==0 ) rc = run(db, "commit;");
  free(z);
  return rc;
}

static void demand(const char *zDir){
  char zPath[300];
  snprintf(zPath, sizeof(zPath), "%s/demand.fakt", zDir);
  fakt *db = NULL;
  CHECK(db, fakt_open(zPath, 0, &db)==FAKT_OK);
  CHECK(db, chain(db, 200)==FAKT_OK);
  CHECK(db, run(db, "claim n1 edge n2;") == FAKT_OK);
  CHECK(db, run(db, "rule tc(?a, ?b) if ?a next ?b;"
                    "rule tc(?a, ?b) if ?a next ?c, tc(?c, ?b);"
                    "rule bad(?x) if ?x edge ?y, ?y > 3;"
                    "rule first(?x) if ?x next n1;"
                    "rule firsts(?x) if first(?x), not bad(?x);")==FAKT_OK);
  CHECK(db, fakt_limits(db, 5000, 0, 0)==FAKT_OK);
  /* first is computed alone: neither the 20,100 rows of tc nor bad's error */
  CHECK(db, rows(db, "find ?x where first(?x);")==1);
  CHECK(db, rows(db, "find ?x where ?x next ?y, first(?x);")==1);
  /* what a query calls is computed, under not too */
  CHECK(db, rows(db, "find ?x where firsts(?x);")==-FAKT_MISMATCH);
  CHECK(db, strstr(fakt_errmsg(db), "cannot compare")!=NULL);
  CHECK(db, rows(db, "find ?x where bad(?x);")==-FAKT_MISMATCH);
  CHECK(db, rows(db, "find ?b where tc(?a, ?b);")==-FAKT_LIMIT);
  CHECK(db, fakt_limits(db, 0, 0, 0)==FAKT_OK);
  /* without a limit: bad, defined before first, does not break it */
  CHECK(db, rows(db, "find ?x where first(?x);")==1);
  CHECK(db, rows(db, "find ?a, ?b where tc(?a, ?b);")==200*199/2);
  fakt_close(db);
}

static void whyOnDemand(const char *zDir){
  char zPath[300];
  snprintf(zPath, sizeof(zPath), "%s/why.fakt", zDir);
  fakt *db = NULL;
  CHECK(db, fakt_open(zPath, 0, &db)==FAKT_OK);
  CHECK(db, chain(db, 400)==FAKT_OK);
  CHECK(db, run(db, "rule tc(?a, ?b) if ?a next ?b;"
                    "rule tc(?a, ?b) if ?a next ?c, tc(?c, ?b);")==FAKT_OK);
  fakt_stmt *p = NULL;
  size_t nBefore = heapBytes();
  CHECK(db, fakt_prepare(db, "find count(?b) where tc(?a, ?b);", -1, &p, NULL)==FAKT_OK);
  CHECK(db, fakt_step(p)==FAKT_ROW);
  CHECK(db, fakt_column_int64(p, 0)==400*399/2);
  size_t nHeld = heapBytes() - nBefore;
  printf("  closure of a 400-chain: %zu bytes held\n", nHeld);
  CHECK(db, nHeld < (size_t)24*1024*1024);
  fakt_finalize(p);
  /* why still lists the claims beneath a derived row: n0 -> n3 rests on 3 */
  CHECK(db, rows(db, "why find ?a where tc(?a, n3), ?a = n0;")==3);
  CHECK(db, rows(db, "find ?a where tc(?a, n3), ?a = n0;")==1);
  CHECK(db, rows(db, "why find ?a where tc(?a, n3), ?a = n0;")==3);
  /* a why query keeps, per row, what its body matched: one claim and one
  ** row here, not the claims beneath (n0 -> n399 rests on 399 claims) */
  CHECK(db, run(db, "rule reach(?a, ?b) if tc(?a, ?b);")==FAKT_OK);  /* computes tc whole */
  nBefore = heapBytes();
  CHECK(db, fakt_prepare(db, "why find ?a where reach(?a, n399), ?a = n0;", -1, &p, NULL)==FAKT_OK);
  int nWhy = 0;
  while( fakt_step(p)==FAKT_ROW ) nWhy++;
  nHeld = heapBytes() - nBefore;
  printf("  closure of a 400-chain for why: %zu bytes held\n", nHeld);
  CHECK(db, nWhy==399);
  CHECK(db, nHeld < (size_t)48*1024*1024);     /* tc and reach: 160,400 rows; 149 MB before */
  fakt_finalize(p);
  /* through the rows of one value (tc's invariant second argument) */
  CHECK(db, rows(db, "why find ?a where tc(n390, ?a), ?a = n399;")==9);
  CHECK(db, rows(db, "why find ?a where tc(?a, n399), ?a = n390;")==9);
  fakt_close(db);
}

static void pushIn(const char *zDir){
  char zPath[300];
  snprintf(zPath, sizeof(zPath), "%s/push.fakt", zDir);
  fakt *db = NULL;
  CHECK(db, fakt_open(zPath, 0, &db)==FAKT_OK);
  CHECK(db, chain(db, 2000)==FAKT_OK);
  CHECK(db, run(db, "rule tc(?a, ?b) if ?a next ?b;"
                    "rule tc(?a, ?b) if ?a next ?c, tc(?c, ?b);")==FAKT_OK);
  CHECK(db, fakt_limits(db, 5000, 0, 0)==FAKT_OK);
  CHECK(db, rows(db, "find ?b where tc(n0, ?b);")==1999);
  CHECK(db, rows(db, "find ?b where tc(n1990, ?b);")==9);
  CHECK(db, rows(db, "find ?b where tc(n1999, ?b);")==0);
  CHECK(db, rows(db, "find ?x where ?x next n1, tc(?x, n1999);")==1);
  CHECK(db, rows(db, "find ?a where tc(?a, n1999);")==1999);      /* the invariant argument */
  CHECK(db, rows(db, "find ?a where ?a next n7, tc(?a, ?b);")==1993);  /* bound by a pattern */
  CHECK(db, rows(db, "find ?a, ?b where tc(?a, ?b);")==-FAKT_LIMIT);   /* the whole closure */
  fakt_close(db);
  /* a 60-chain n0..n59 and: a cycle n59 edge n3, a constant, a filtered step */
  snprintf(zPath, sizeof(zPath), "%s/push2.fakt", zDir);
  db = NULL;
  CHECK(db, fakt_open(zPath, 0, &db)==FAKT_OK);
  CHECK(db, chain(db, 60)==FAKT_OK);
  CHECK(db, run(db, "claim n59 edge n3; claim n5 edge n40;"
                    "rule r(?a, ?b) if ?a next ?b, ?b != n10;"
                    "rule r(?a, n1) if ?a edge n3;"
                    "rule r(?a, ?b) if ?a next ?c, ?c != n50, r(?c, ?b);"
                    "rule r(?a, ?b) if ?a edge ?c, r(?c, ?b);"
                    "rule nl(?a, ?b) if ?a next ?b;"
                    "rule nl(?a, ?b) if nl(?a, ?c), nl(?c, ?b);")==FAKT_OK);
  const char *az[] = { "n0", "n4", "n5", "n10", "n11", "n49", "n50", "n58", "n59" };
  for(int i=0; i<(int)(sizeof(az)/sizeof(az[0])); i++){
    char zB[200], zU[200];
    snprintf(zB, sizeof(zB), "find ?b where r(%s, ?b);", az[i]);
    snprintf(zU, sizeof(zU), "find ?b where r(?a, ?b), ?a = %s;", az[i]);
    int64_t nB = rows(db, zB), nU = rows(db, zU);
    if( nB!=nU ) printf("  r(%s, ?b): %lld bound, %lld unbound\n", az[i], (long long)nB, (long long)nU);
    CHECK(db, nB==nU && nB>0);
  }
  CHECK(db, rows(db, "find ?b where r(n59, ?b);")==47);   /* n1, n4..n50 but n10 */
  CHECK(db, rows(db, "find ?b where nl(n50, ?b);")==9);
  fakt_close(db);
}

static void found(const char *zDir){
  char zPath[300];
  snprintf(zPath, sizeof(zPath), "%s/found.fakt", zDir);
  fakt *db = NULL;
  CHECK(db, fakt_open(zPath, 0, &db)==FAKT_OK);
  CHECK(db, run(db, "begin; predicate next : entity; predicate val : number; predicate link : entity;"
                    "entity n1 thing \"n1\"; entity n2 thing \"n2\"; entity n3 thing \"n3\";"
                    "entity n4 thing \"n4\"; entity hub thing \"hub\"; entity z thing \"z\";"
                    "claim n1 next n2; claim n2 next n3; claim n3 next n4; claim n4 next n1;"
                    "claim n2 val 7; claim n3 val 2; claim hub link n1; claim hub link n2;"
                    "claim hub link n3; claim n1 link z; claim n2 link z; claim n4 link z; commit;")==FAKT_OK);
  CHECK(db, run(db, "rule l(?a, ?b) if ?a link ?b;")==FAKT_OK);
  CHECK(db, rows(db, "find ?x, ?y where l(hub, ?x), l(?y, z);")==9);
  /* ?x next ?b lets the entity n1 through; ?c val ?x would not */
  CHECK(db, run(db, "rule w(?c, ?x) if ?x next ?b, ?c val ?x, ?x > 5;"
                    "rule w(?c, ?x) if ?c next ?d, w(?d, ?x);")==FAKT_OK);
  CHECK(db, rows(db, "find ?c, ?x where w(?c, ?x);")==0);
  CHECK(db, rows(db, "find ?c where w(?c, n1);")==0);
  CHECK(db, rows(db, "find ?x where w(n1, ?x);")==0);
  fakt_close(db);
}

/* One plan run per value reached (5). */
static void oneRun(const char *zDir){
  char zPath[300];
  snprintf(zPath, sizeof(zPath), "%s/onerun.fakt", zDir);
  fakt *db = NULL;
  CHECK(db, fakt_open(zPath, 0, &db)==FAKT_OK);
  CHECK(db, chain(db, 2000)==FAKT_OK);
  CHECK(db, run(db, "rule tc(?a, ?b) if ?a next ?b;"
                    "rule tc(?x, ?y) if ?x next ?z, tc(?z, ?y);"
                    "rule td(?a, ?b) if ?a next ?b;"
                    "rule td(?a, ?b) if ?a next ?c, ?c != n1999, td(?c, ?b);")==FAKT_OK);
  int64_t n0 = db->nRuleRun;
  CHECK(db, rows(db, "find ?b where tc(n0, ?b);")==1999);
  int64_t nTc = db->nRuleRun - n0;
  n0 = db->nRuleRun;
  CHECK(db, rows(db, "find ?b where td(n0, ?b);")==1999);
  int64_t nTd = db->nRuleRun - n0;
  printf("  tc(n0, ?b) on a 2,000-chain: %lld plan runs; with a step of its own: %lld\n",
         (long long)nTc, (long long)nTd);
  CHECK(db, nTc==2000);                 /* n0 .. n1999, one run each */
  CHECK(db, nTd==2*1999);               /* two plans per value; n1999 is not visited */
  CHECK(db, rows(db, "find ?b where tc(n1990, ?b);")==9);
  CHECK(db, rows(db, "find ?b where tc(?a, ?b), ?a = n1990;")==9);
  fakt_close(db);
}

/* Run zText on the database zPath in a process of its own: this program,
** run again with --other (a second handle on a file open here is refused). */
static int otherProcess(const char *zPath, const char *zText){
  fflush(stdout);
  pid_t pid = fork();
  if( pid<0 ) return -1;
  if( pid==0 ){
    execl("/proc/self/exe", "unit_rules", "--other", zPath, zText, (char*)NULL);
    _exit(127);
  }
  int st = 0;
  if( waitpid(pid, &st, 0)<0 ) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The count of a one-row query on a prepared statement, run again. */
static int64_t again(fakt_stmt *p){
  int64_t n = fakt_step(p)==FAKT_ROW ? fakt_column_int64(p, 0) : -1;
  fakt_reset(p);
  return n;
}

/* The handle's cache of compiled rules (6). */
static void cache(const char *zDir){
  char zPath[300];
  snprintf(zPath, sizeof(zPath), "%s/cache.fakt", zDir);
  fakt *db = NULL;
  CHECK(db, fakt_open(zPath, 0, &db)==FAKT_OK);
  CHECK(db, chain(db, 50)==FAKT_OK);
  CHECK(db, run(db, "rule tc(?a, ?b) if ?a next ?b;"
                    "rule tc(?a, ?b) if ?a next ?c, tc(?c, ?b);")==FAKT_OK);
  const char *zQ = "find ?b where tc(n0, ?b);";
  int64_t n0 = db->nRuleLoad;
  CHECK(db, rows(db, zQ)==49);
  CHECK(db, rows(db, zQ)==49);
  CHECK(db, rows(db, "find ?a, ?b where tc(?a, ?b);")==50*49/2);
  CHECK(db, db->nRuleLoad - n0==1);      /* compiled once, for the first */
  /* two statements open at once: the second compiles a set of its own */
  fakt_stmt *p = NULL, *q = NULL;
  n0 = db->nRuleLoad;
  CHECK(db, fakt_prepare(db, "find count(?b) where tc(n0, ?b);", -1, &p, NULL)==FAKT_OK);
  CHECK(db, fakt_prepare(db, "find count(?b) where tc(n10, ?b);", -1, &q, NULL)==FAKT_OK);
  CHECK(db, again(p)==49 && again(q)==39 && again(p)==49);
  CHECK(db, db->nRuleLoad - n0==1);
  fakt_finalize(q);
  /* redefined here: the next prepare sees it; p keeps the rules it was
  ** prepared with (SPEC 11.4) */
  CHECK(db, run(db, "drop rule tc; rule tc(?a, ?b) if ?a next ?b;")==FAKT_OK);
  n0 = db->nRuleLoad;
  CHECK(db, rows(db, zQ)==1);
  CHECK(db, rows(db, zQ)==1);
  CHECK(db, db->nRuleLoad - n0==1);
  CHECK(db, again(p)==49);
  fakt_finalize(p);                      /* its older rules do not come back */
  CHECK(db, rows(db, zQ)==1);
  CHECK(db, db->nRuleLoad - n0==1);
  /* defined by another process */
  CHECK(db, otherProcess(zPath, "rule tc(?a, ?b) if ?a next ?c, tc(?c, ?b);")==0);
  CHECK(db, rows(db, zQ)==49);
  CHECK(db, db->nRuleLoad - n0==2);
  CHECK(db, otherProcess(zPath, "drop rule tc; rule tc(?a, ?b) if ?b next ?a;")==0);
  CHECK(db, rows(db, zQ)==0);
  CHECK(db, rows(db, "find ?b where tc(n7, ?b);")==1);
  /* dropped */
  CHECK(db, run(db, "drop rule tc;")==FAKT_OK);
  CHECK(db, rows(db, zQ)==-FAKT_NOTFOUND);
  CHECK(db, run(db, "rule tc(?a, ?b) if ?a next ?b; rule tc(?a, ?b) if ?a next ?c, tc(?c, ?b);")==FAKT_OK);
  CHECK(db, rows(db, zQ)==49);
  /* in a transaction rolled back: seen inside, gone after, and the rules
  ** from before serve again without a compile */
  CHECK(db, rows(db, zQ)==49);
  n0 = db->nRuleLoad;
  CHECK(db, run(db, "begin; drop rule tc; rule tc(?a, ?b) if ?a next ?b; rule extra(?x) if ?x next n3;")==FAKT_OK);
  CHECK(db, rows(db, zQ)==1);
  CHECK(db, rows(db, "find ?x where extra(?x);")==1);
  CHECK(db, run(db, "rollback;")==FAKT_OK);
  int64_t nIn = db->nRuleLoad - n0;
  CHECK(db, rows(db, zQ)==49);
  CHECK(db, rows(db, "find ?x where extra(?x);")==-FAKT_NOTFOUND);
  CHECK(db, db->nRuleLoad - n0==nIn);
  /* and committed */
  CHECK(db, run(db, "begin; rule extra(?x) if ?x next n3; commit;")==FAKT_OK);
  CHECK(db, rows(db, "find ?x where extra(?x);")==1);
  fakt_close(db);
  /* session rules of a read-only handle, which commit nothing */
  CHECK(db, fakt_open(zPath, FAKT_OPEN_READONLY, &db)==FAKT_OK);
  CHECK(db, run(db, "rule s(?x) if ?x next n1;")==FAKT_OK);
  n0 = db->nRuleLoad;
  CHECK(db, rows(db, "find ?x where s(?x);")==1);
  CHECK(db, rows(db, "find ?x where s(?x), ?x = n0;")==1);
  CHECK(db, db->nRuleLoad - n0==1);
  CHECK(db, run(db, "drop rule s; rule s(?x) if ?x next n2;")==FAKT_OK);
  CHECK(db, rows(db, "find ?x where s(?x), ?x = n0;")==0);
  CHECK(db, rows(db, "find ?x where s(?x), ?x = n1;")==1);
  CHECK(db, run(db, "rule s(?x) if ?x next n3;")==FAKT_OK);
  CHECK(db, rows(db, "find ?x where s(?x);")==2);
  CHECK(db, run(db, "drop rule s;")==FAKT_OK);
  CHECK(db, rows(db, "find ?x where s(?x);")==-FAKT_NOTFOUND);
  CHECK(db, rows(db, zQ)==49);
  fakt_close(db);
}

/* --other PATH TEXT: run TEXT on PATH, for otherProcess(). */
static int other(const char *zPath, const char *zText){
  fakt *db = NULL;
  char *zErr = NULL;
  int rc = fakt_open(zPath, 0, &db);
  if( rc==0 ) rc = fakt_exec(db, zText, NULL, NULL, &zErr);
  if( rc ) printf("  other process: %s\n", zErr ? zErr : fakt_errmsg(db));
  fakt_free(zErr);
  fakt_close(db);
  return rc ? 1 : 0;
}

int main(int argc, char **argv){
  if( argc==4 && strcmp(argv[1], "--other")==0 ) return other(argv[2], argv[3]);
  char zDir[] = "/tmp/fakt_rules_XXXXXX";
  if( mkdtemp(zDir)==NULL ){ perror("mkdtemp"); return 1; }
  demand(zDir);
  whyOnDemand(zDir);
  pushIn(zDir);
  found(zDir);
  oneRun(zDir);
  cache(zDir);
  char zCmd[400];
  snprintf(zCmd, sizeof(zCmd), "rm -rf '%s'", zDir);
  if( system(zCmd)!=0 ) printf("  could not remove %s\n", zDir);
  printf("%d passed, %d failed\n", nPass, nFail);
  return nFail ? 1 : 0;
}
