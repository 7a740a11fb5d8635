/*
** rules.c -- the benchmark's rules section (issue 26 point 5): fakt's
** recursive rules against SQLite's WITH RECURSIVE and clingo on the
** classic graph workloads.
**
**   build/bench/rules [-r ROUNDS] [-o JSON]     (make bench-rules)
**
** Graphs (node i is the entity n<i> in fakt, the integer i elsewhere):
**   chain   2,000 nodes, i -> i+1
**   tree    a binary tree of depth 14 (32,767 nodes), i -> 2i+1, 2i+2
**   dag     10,000 nodes, 20,000 distinct edges i -> j, i < j, seeded
**   sgtree  a binary tree of depth 10 (2,047 nodes)
** Workloads:
**   tc_chain       full transitive closure of chain      count(*)
**   tc_chain_from  closure from n0 of chain
**   tc_tree        full closure of tree
**   tc_dag         full closure of dag
**   tc_dag_from    closure from 20 sources of dag (nodes 0..19)
**   sg_tree        same generation on sgtree (pairs of one depth > 0)
** Every system runs every workload in a process of its own (fork, or
** clingo's own): the time is the query's wall time from a database (new
** each round) or program already loaded, prepared once and run once per source with it
** bound (clingo: the whole run, parsing its facts included, as it has no
** other way), the memory that process's peak RSS.
** Each answer is a count of rows; the systems must agree, else exit 1.
** Medians of ROUNDS rounds (default 1).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <sqlite3.h>
#include "fakt.h"

typedef struct Graph { int nNode, nEdge; int *aFrom, *aTo; } Graph;

typedef struct Work {
  const char *zName;
  int iGraph;               /* 0 chain, 1 tree, 2 dag, 3 sgtree */
  int bSg;                  /* same generation, else transitive closure */
  int nSrc;                 /* closure from nodes 0.., this many; 0 = full */
} Work;

static const Work aWork[] = {
  { "tc_chain",      0, 0, 0 },
  { "tc_chain_from", 0, 0, 1 },
  { "tc_tree",       1, 0, 0 },
  { "tc_dag",        2, 0, 0 },
  { "tc_dag_from",   2, 0, 20 },
  { "sg_tree",       3, 1, 0 },
};
#define NWORK ((int)(sizeof(aWork)/sizeof(aWork[0])))
static const char *azSys[] = { "fakt", "sqlite", "clingo" };
#define NSYS 3

static double now(void){
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec*1e-9;
}

static uint64_t splitmix(uint64_t *p){
  uint64_t z = (*p += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z>>30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z>>27)) * 0x94D049BB133111EBULL;
  return z ^ (z>>31);
}

static void edge(Graph *g, int a, int b){
  g->aFrom[g->nEdge] = a; g->aTo[g->nEdge] = b; g->nEdge++;
}

static int makeGraph(int iGraph, Graph *g){
  int nMax = iGraph==0 ? 2000 : iGraph==1 ? 32767 : iGraph==2 ? 10000 : 2047;
  int nEdgeMax = iGraph==2 ? 20000 : nMax;
  g->nNode = nMax; g->nEdge = 0;
  g->aFrom = malloc(sizeof(int)*(size_t)nEdgeMax);
  g->aTo = malloc(sizeof(int)*(size_t)nEdgeMax);
  if( g->aFrom==NULL || g->aTo==NULL ) return 1;
  if( iGraph==0 ){
    for(int i=0; i+1<nMax; i++) edge(g, i, i+1);
  }else if( iGraph==1 || iGraph==3 ){
    for(int i=1; i<nMax; i++) edge(g, (i-1)/2, i);
  }else{
    /* distinct pairs i < j, uniform, drawn by a seeded splitmix64; a set
    ** of 64-bit keys */
    uint64_t x = 26, *aSeen = calloc(1<<16, sizeof(uint64_t));
    if( aSeen==NULL ) return 1;
    while( g->nEdge<nEdgeMax ){
      int a = (int)(splitmix(&x) % (uint64_t)nMax);
      int b = (int)(splitmix(&x) % (uint64_t)nMax);
      if( a==b ) continue;
      if( a>b ){ int t = a; a = b; b = t; }
      uint64_t k = ((uint64_t)a<<32 | (uint64_t)b) + 1;
      int j = (int)((k*0x9E3779B97F4A7C15ULL)>>48);
      while( aSeen[j] && aSeen[j]!=k ) j = (j+1) & 0xffff;
      if( aSeen[j] ) continue;
      aSeen[j] = k;
      edge(g, a, b);
    }
    free(aSeen);
  }
  return 0;
}

/* ---------------------------------------------------------------- fakt */

static int64_t runFakt(const Work *w, const Graph *g, const char *zDir, double *pSec){
  char zPath[300], zLock[310], *zErr = NULL;
  snprintf(zPath, sizeof(zPath), "%s/%s.fakt", zDir, w->zName);
  snprintf(zLock, sizeof(zLock), "%s-lock", zPath);
  /* a new database each round, as SQLite's: loading the claims again into
  ** the last round's file would store each once more (a claim without an
  ** id is a new claim), and round r would read r copies of the graph */
  unlink(zPath);
  unlink(zLock);
  fakt *db = NULL;
  if( fakt_open(zPath, 0, &db) ) return -1;
  size_t nAlloc = (size_t)(g->nNode + g->nEdge)*48 + 200, n = 0;
  char *z = malloc(nAlloc);
  if( z==NULL ) return -1;
  n += (size_t)snprintf(z+n, nAlloc-n, "begin; predicate next : entity;\n");
  for(int i=0; i<g->nNode; i++) n += (size_t)snprintf(z+n, nAlloc-n, "entity n%d thing \"n%d\";\n", i, i);
  for(int i=0; i<g->nEdge; i++) n += (size_t)snprintf(z+n, nAlloc-n, "claim n%d next n%d;\n", g->aFrom[i], g->aTo[i]);
  snprintf(z+n, nAlloc-n, "commit;");
  int rc = fakt_exec(db, z, NULL, NULL, &zErr);
  free(z);
  if( rc==0 && w->bSg ){
    rc = fakt_exec(db, "rule sg(?x, ?y) if ?p next ?x, ?p next ?y;"
                       "rule sg(?x, ?y) if ?a next ?x, sg(?a, ?b), ?b next ?y;", NULL, NULL, &zErr);
  }else if( rc==0 ){
    rc = fakt_exec(db, "rule tc(?a, ?b) if ?a next ?b;"
                       "rule tc(?a, ?b) if ?a next ?c, tc(?c, ?b);", NULL, NULL, &zErr);
  }
  if( rc ){ fprintf(stderr, "fakt: %s\n", zErr ? zErr : "?"); fakt_free(zErr); fakt_close(db); return -1; }
  /* prepared once, a source bound per execution, as for SQLite */
  const char *zQ = w->bSg ? "find count(?y) where sg(?x, ?y);" : w->nSrc ?
    "find count(?b) where tc($s, ?b);" : "find count(?b) where tc(?a, ?b);";
  int64_t nRow = 0;
  double t0 = now();
  fakt_stmt *p = NULL;
  if( fakt_prepare(db, zQ, -1, &p, NULL) ){ fprintf(stderr, "fakt: %s\n", fakt_errmsg(db)); fakt_close(db); return -1; }
  for(int s=0; s<(w->nSrc ? w->nSrc : 1); s++){
    char zSrc[32];
    snprintf(zSrc, sizeof(zSrc), "n%d", s);
    if( (w->nSrc && fakt_bind_entity(p, 1, zSrc)) || fakt_step(p)!=FAKT_ROW ){
      fprintf(stderr, "fakt: %s\n", fakt_errmsg(db));
      fakt_finalize(p); fakt_close(db); return -1;
    }
    nRow += fakt_column_int64(p, 0);
    fakt_reset(p);
  }
  fakt_finalize(p);
  *pSec = now() - t0;
  fakt_close(db);
  return nRow;
}

/* ---------------------------------------------------------------- SQLite */

static int64_t runSqlite(const Work *w, const Graph *g, double *pSec){
  sqlite3 *db = NULL;
  sqlite3_stmt *p = NULL;
  if( sqlite3_open(":memory:", &db) ) return -1;
  sqlite3_exec(db, "CREATE TABLE e(s INTEGER, o INTEGER, PRIMARY KEY(s, o)) WITHOUT ROWID;"
                   "CREATE INDEX eo ON e(o, s); BEGIN;", NULL, NULL, NULL);
  sqlite3_prepare_v2(db, "INSERT INTO e VALUES (?, ?)", -1, &p, NULL);
  for(int i=0; i<g->nEdge; i++){
    sqlite3_bind_int(p, 1, g->aFrom[i]); sqlite3_bind_int(p, 2, g->aTo[i]);
    sqlite3_step(p); sqlite3_reset(p);
  }
  sqlite3_finalize(p);
  sqlite3_exec(db, "COMMIT; ANALYZE;", NULL, NULL, NULL);
  const char *zQ = w->bSg ?
    "WITH RECURSIVE sg(x, y) AS (SELECT a.o, b.o FROM e a JOIN e b ON a.s = b.s"
    " UNION SELECT a.o, b.o FROM sg JOIN e a ON a.s = sg.x JOIN e b ON b.s = sg.y)"
    " SELECT count(*) FROM sg" : w->nSrc ?
    "WITH RECURSIVE r(b) AS (SELECT o FROM e WHERE s = ?1"
    " UNION SELECT e.o FROM r JOIN e ON e.s = r.b) SELECT count(*) FROM r" :
    "WITH RECURSIVE tc(a, b) AS (SELECT s, o FROM e"
    " UNION SELECT e.s, tc.b FROM e JOIN tc ON e.o = tc.a) SELECT count(*) FROM tc";
  int64_t nRow = 0;
  double t0 = now();
  if( sqlite3_prepare_v2(db, zQ, -1, &p, NULL) ){ fprintf(stderr, "sqlite: %s\n", sqlite3_errmsg(db)); return -1; }
  for(int s=0; s<(w->nSrc ? w->nSrc : 1); s++){
    if( w->nSrc ) sqlite3_bind_int(p, 1, s);
    if( sqlite3_step(p)!=SQLITE_ROW ){ fprintf(stderr, "sqlite: %s\n", sqlite3_errmsg(db)); return -1; }
    nRow += sqlite3_column_int64(p, 0);
    sqlite3_reset(p);
  }
  *pSec = now() - t0;
  sqlite3_finalize(p);
  sqlite3_close(db);
  return nRow;
}

/* ---------------------------------------------------------------- clingo */

/* Writes the program; the parent runs clingo on it. */
static int writeLp(const Work *w, const Graph *g, const char *zPath){
  FILE *f = fopen(zPath, "w");
  if( f==NULL ) return 1;
  for(int i=0; i<g->nEdge; i++) fprintf(f, "e(%d,%d).\n", g->aFrom[i], g->aTo[i]);
  if( w->bSg ){
    fprintf(f, "sg(X,Y) :- e(P,X), e(P,Y).\nsg(X,Y) :- e(A,X), sg(A,B), e(B,Y).\n"
               "n(N) :- N = #count{ X,Y : sg(X,Y) }.\n");
  }else if( w->nSrc ){
    /* what a Datalog user writes for "from these sources": reach from a seed */
    fprintf(f, "src(0..%d).\nr(S,B) :- src(S), e(S,B).\nr(S,B) :- r(S,C), e(C,B).\n"
               "n(N) :- N = #count{ S,B : r(S,B) }.\n", w->nSrc-1);
  }else{
    fprintf(f, "tc(A,B) :- e(A,B).\ntc(A,B) :- e(A,C), tc(C,B).\n"
               "n(N) :- N = #count{ A,B : tc(A,B) }.\n");
  }
  fprintf(f, "#show n/1.\n");
  return fclose(f)!=0;
}

/* ---------------------------------------------------------------- driver */

typedef struct Res { int64_t nRow; double rSec; long nKb; } Res;

/* One system on one workload in a child process. */
static int measure(int iSys, const Work *w, const Graph *g, const char *zDir, Res *pRes){
  int aPipe[2];
  char zLp[300], zOut[300];
  snprintf(zLp, sizeof(zLp), "%s/%s.lp", zDir, w->zName);
  snprintf(zOut, sizeof(zOut), "%s/%s.out", zDir, w->zName);
  if( iSys==2 && writeLp(w, g, zLp) ) return 1;
  if( pipe(aPipe) ) return 1;
  fflush(stdout);
  double t0 = now();
  pid_t pid = fork();
  if( pid<0 ) return 1;
  if( pid==0 ){
    close(aPipe[0]);
    if( iSys==2 ){
      if( freopen(zOut, "w", stdout)==NULL ) _exit(2);
      execlp("clingo", "clingo", "-V0", zLp, (char*)NULL);
      _exit(3);
    }
    Res r = { -1, 0, 0 };
    r.nRow = iSys==0 ? runFakt(w, g, zDir, &r.rSec) : runSqlite(w, g, &r.rSec);
    if( write(aPipe[1], &r, sizeof(r))!=(ssize_t)sizeof(r) ) _exit(4);
    _exit(0);
  }
  close(aPipe[1]);
  Res r = { -1, 0, 0 };
  if( iSys!=2 && read(aPipe[0], &r, sizeof(r))!=(ssize_t)sizeof(r) ) r.nRow = -1;
  close(aPipe[0]);
  int st = 0;
  struct rusage ru;
  if( wait4(pid, &st, 0, &ru)<0 ) return 1;
  if( iSys==2 ){
    r.rSec = now() - t0;
    FILE *f = fopen(zOut, "r");
    char zLine[200];
    long long n = -1;
    while( f && fgets(zLine, sizeof(zLine), f) ){ if( sscanf(zLine, "n(%lld)", &n)==1 ) break; }
    if( f ) fclose(f);
    r.nRow = n;
  }
  r.nKb = ru.ru_maxrss;
  if( !WIFEXITED(st) ) r.nRow = -1;
  *pRes = r;
  return 0;
}

static int cmpD(const void *a, const void *b){
  double x = *(const double*)a, y = *(const double*)b;
  return x<y ? -1 : x>y;
}

int main(int argc, char **argv){
  int nRound = 1;
  const char *zJson = NULL;
  for(int i=1; i<argc; i++){
    if( strcmp(argv[i], "-r")==0 && i+1<argc ) nRound = atoi(argv[++i]);
    else if( strcmp(argv[i], "-o")==0 && i+1<argc ) zJson = argv[++i];
    else { fprintf(stderr, "usage: %s [-r ROUNDS] [-o JSON]\n", argv[0]); return 2; }
  }
  if( nRound<1 ) nRound = 1;
  char zDir[] = "/tmp/fakt-bench-rules.XXXXXX";
  if( mkdtemp(zDir)==NULL ){ perror("mkdtemp"); return 2; }
  int bClingo = system("command -v clingo >/dev/null 2>&1")==0;
  int nBad = 0;
  FILE *fj = zJson ? fopen(zJson, "w") : NULL;
  if( fj ) fprintf(fj, "{\"rounds\": %d, \"workloads\": {", nRound);
  printf("rules: medians of %d round%s; seconds of the query (clingo: its whole run); peak RSS in MB\n\n",
         nRound, nRound>1 ? "s" : "");
  printf("%-14s %9s %9s %9s %9s %7s %7s %7s %9s %9s\n", "workload", "rows", "fakt", "sqlite", "clingo",
         "fakt_MB", "sql_MB", "cl_MB", "vs_sqlite", "vs_clingo");
  for(int iw=0; iw<NWORK; iw++){
    const Work *w = &aWork[iw];
    Graph g;
    if( makeGraph(w->iGraph, &g) ){ fprintf(stderr, "out of memory\n"); return 2; }
    double aMed[NSYS];
    long aKb[NSYS];
    int64_t aRow[NSYS];
    for(int s=0; s<NSYS; s++){
      double aSec[64];
      aRow[s] = -2; aKb[s] = 0; aMed[s] = -1;
      if( s==2 && !bClingo ) continue;
      for(int r=0; r<nRound && r<64; r++){
        Res res;
        if( measure(s, w, &g, zDir, &res) || res.nRow<0 ){ aRow[s] = -1; break; }
        aSec[r] = res.rSec;
        if( r==0 ){ aRow[s] = res.nRow; aKb[s] = res.nKb; }
        else if( res.nRow!=aRow[s] ) aRow[s] = -1;
      }
      if( aRow[s]<0 ) continue;
      qsort(aSec, (size_t)nRound, sizeof(double), cmpD);
      aMed[s] = nRound%2 ? aSec[nRound/2] : (aSec[nRound/2-1] + aSec[nRound/2])/2;
    }
    int bSame = aRow[0]>=0;
    for(int s=1; s<NSYS; s++) if( aRow[s]!=-2 && aRow[s]!=aRow[0] ) bSame = 0;
    if( !bSame ) nBad++;
    printf("%-14s %9lld %9.4f %9.4f %9.4f %7ld %7ld %7ld %9.2f %9.2f%s\n", w->zName, (long long)aRow[0],
           aMed[0], aMed[1], aMed[2], aKb[0]/1024, aKb[1]/1024, aKb[2]/1024,
           aMed[0]>0 && aMed[1]>0 ? aMed[1]/aMed[0] : 0.0,
           aMed[0]>0 && aMed[2]>0 ? aMed[2]/aMed[0] : 0.0, bSame ? "" : "  ANSWERS DIFFER");
    if( !bSame ){
      printf("  rows: fakt %lld, sqlite %lld, clingo %lld\n", (long long)aRow[0], (long long)aRow[1], (long long)aRow[2]);
    }
    if( fj ){
      fprintf(fj, "%s\n  \"%s\": {\"rows\": %lld, \"same\": %s", iw ? "," : "", w->zName, (long long)aRow[0],
              bSame ? "true" : "false");
      for(int s=0; s<NSYS; s++){
        if( aMed[s]>=0 ) fprintf(fj, ", \"%s_s\": %.6f, \"%s_kb\": %ld", azSys[s], aMed[s], azSys[s], aKb[s]);
        else fprintf(fj, ", \"%s_s\": null, \"%s_kb\": null", azSys[s], azSys[s]);
      }
      fprintf(fj, "}");
    }
    free(g.aFrom); free(g.aTo);
  }
  if( fj ){ fprintf(fj, "\n}}\n"); fclose(fj); }
  if( !bClingo ) printf("\n(clingo is not installed: apt-get install gringo)\n");
  char zCmd[400];
  snprintf(zCmd, sizeof(zCmd), "rm -rf '%s'", zDir);
  if( system(zCmd)!=0 ) fprintf(stderr, "could not remove %s\n", zDir);
  if( nBad ) printf("\n%d workload%s: the systems' answers differ\n", nBad, nBad>1 ? "s" : "");
  return nBad ? 1 : 0;
}
