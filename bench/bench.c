/*
** bench.c -- driver of fakt's benchmark (issue 7).
**
**   bench run fakt|sqlite|lmdb DATA DB OUT   load DATA into DB, run every
**                                            workload, write result lines to OUT
**   bench report DIR JSON                    read DIR/{fakt,sqlite,lmdb}.txt,
**                                            compare answers, print the table,
**                                            write JSON; exit 1 if answers differ
**
** Each system runs in its own process, so that its peak memory is its own.
*/
#include <stdlib.h>
#include <string.h>
#include "bench.h"

/* ---------------------------------------------------------------- run */

static int cmdRun(const char *zSys, const char *zData, const char *zDb, const char *zOut){
  BenchData d;
  BenchParams pp;
  BenchOut o;
  int rc;
  if( benchDataRead(zData, &d) ) return 1;
  benchParams(&d, &pp);
  o.p = fopen(zOut, "w");
  if( !o.p ){ perror(zOut); return 1; }
  benchPut(&o, "data", "claims", d.h.nClaim);
  if( strcmp(zSys, "fakt")==0 ) rc = benchRunFakt(&d, &pp, zDb, &o);
  else if( strcmp(zSys, "sqlite")==0 ) rc = benchRunSqlite(&d, &pp, zDb, &o);
  else if( strcmp(zSys, "lmdb")==0 ) rc = benchRunLmdb(&d, &pp, zDb, &o);
  else { fprintf(stderr, "bench: unknown system %s\n", zSys); rc = 2; }
  fclose(o.p);
  benchParamsFree(&pp);
  benchDataFree(&d);
  return rc;
}

/* ---------------------------------------------------------------- report */

#define N_SYS 3
static const char *const azSys[N_SYS] = {"fakt", "sqlite", "lmdb"};

typedef struct Res { char zWork[32], zKey[16], zVal[40]; } Res;
typedef struct ResSet { Res *a; int n; } ResSet;

static int readRes(const char *zDir, const char *zSys, ResSet *p){
  char zPath[1024], zLine[256];
  snprintf(zPath, sizeof(zPath), "%s/%s.txt", zDir, zSys);
  FILE *f = fopen(zPath, "r");
  p->a = 0; p->n = 0;
  if( !f ){ perror(zPath); return 1; }
  while( fgets(zLine, sizeof(zLine), f) ){
    Res r;
    if( sscanf(zLine, "%31s %15s %39s", r.zWork, r.zKey, r.zVal)!=3 ) continue;
    Res *a = realloc(p->a, sizeof(Res)*(size_t)(p->n+1));
    if( !a ){ fclose(f); return 1; }
    p->a = a;
    p->a[p->n++] = r;
  }
  fclose(f);
  return 0;
}

static const char *resGet(const ResSet *p, const char *zWork, const char *zKey){
  for(int i=0; i<p->n; i++){
    if( strcmp(p->a[i].zWork, zWork)==0 && strcmp(p->a[i].zKey, zKey)==0 ) return p->a[i].zVal;
  }
  return 0;
}

static double resNum(const ResSet *p, const char *zWork, const char *zKey){
  const char *z = resGet(p, zWork, zKey);
  return z ? strtod(z, 0) : 0.0;
}

/* How each workload is measured and shown. */
typedef struct Work {
  const char *zName;
  const char *zUnit;      /* what the three numbers are */
  int bSeconds;           /* 1: lower is better (seconds) */
  const char *zWhat;
} Work;

static const Work aWork[] = {
  {"load",        "s",        1, "bulk load of all claims with provenance"},
  {"point",       "q/s",      0, "all claims about one subject, with provenance"},
  {"pattern",     "q/s",      0, "claims with a given predicate and object"},
  {"join",        "q/s",      0, "two-hop join from a subject"},
  {"aggregate",   "q/s",      0, "claims per source for one predicate"},
  {"scan",        "rows/s",   0, "count every claim (full scan of one order)"},
  {"recursive",   "q/s",      0, "transitive containment (rule / WITH RECURSIVE)"},
  {"within",      "q/s",      0, "places within 50 km (geo index / R*Tree)"},
  {"within_scan", "q/s",      0, "places within 50 km by a full scan"},
  {"fulltext",    "q/s",      0, "claims whose quote has two words (match / FTS5)"},
  {"reexec",      "q/s",      0, "prepared statement re-run with new parameters"},
  {"prepare",     "us",       1, "parse + plan of a 3-pattern query"},
};

/* The number shown for system s: seconds, or per second, or µs per prepare. */
static double shown(const ResSet *p, const Work *w){
  if( strcmp(w->zName, "prepare")==0 ){
    double qps = resNum(p, "prepare", "qps");
    return qps>0 ? 1e6/qps : 0.0;
  }
  return resNum(p, w->zName, w->bSeconds ? "seconds" : "qps");
}

static void jsonNum(FILE *f, double v){
  if( v>0 ) fprintf(f, "%.6g", v); else fputs("null", f);
}

static int cmdReport(const char *zDir, const char *zJson){
  ResSet aRes[N_SYS];
  int nBad = 0;
  for(int s=0; s<N_SYS; s++) if( readRes(zDir, azSys[s], &aRes[s]) ) return 1;
  FILE *f = fopen(zJson, "w");
  if( !f ){ perror(zJson); return 1; }
  double nClaim = resNum(&aRes[0], "data", "claims");
  fprintf(f, "{\n  \"claims\": %.0f,\n  \"workloads\": {\n", nClaim);
  printf("\nfakt benchmark, %.0f claims (vs_sqlite: times faster than SQLite; "
         "vs_lmdb: share of raw LMDB's speed)\n\n", nClaim);
  printf("%-12s %-7s %12s %12s %12s %9s %8s %9s  %s\n", "workload", "unit", "fakt", "sqlite",
         "lmdb", "vs_sqlite", "vs_lmdb", "rows", "answers");
  printf("%-12s %-7s %12s %12s %12s %9s %8s %9s  %s\n", "------------", "-------", "----------",
         "----------", "----------", "---------", "-------", "--------", "-------");
  for(size_t i=0; i<sizeof(aWork)/sizeof(aWork[0]); i++){
    const Work *w = &aWork[i];
    double v[N_SYS], ratio[N_SYS];
    const char *zAns = "same";
    const char *zDig0 = resGet(&aRes[0], w->zName, "digest");
    const char *zRows0 = resGet(&aRes[0], w->zName, "rows");
    for(int s=0; s<N_SYS; s++){
      v[s] = shown(&aRes[s], w);
      ratio[s] = 0;
      if( v[0]>0 && v[s]>0 ) ratio[s] = w->bSeconds ? v[s]/v[0] : v[0]/v[s];
      const char *zDig = resGet(&aRes[s], w->zName, "digest");
      const char *zRows = resGet(&aRes[s], w->zName, "rows");
      if( s>0 && zDig && (!zDig0 || strcmp(zDig, zDig0)!=0 || !zRows0 || strcmp(zRows, zRows0)!=0) ){
        zAns = "DIFFERENT";
        fprintf(stderr, "bench: %s: answers differ: fakt %s rows (digest %s), %s %s rows (digest %s)\n",
                w->zName, zRows0 ? zRows0 : "no", zDig0 ? zDig0 : "-", azSys[s], zRows, zDig);
        nBad++;
      }
    }
    if( !zDig0 ) zAns = "-";
    char az[N_SYS][16], zR1[12], zR2[12];
    for(int s=0; s<N_SYS; s++){
      if( v[s]>0 ) snprintf(az[s], sizeof(az[s]), w->bSeconds ? "%.3f" : "%.0f", v[s]);
      else strcpy(az[s], "-");
    }
    if( ratio[1]>0 ) snprintf(zR1, sizeof(zR1), "%.2f", ratio[1]); else strcpy(zR1, "-");
    if( ratio[2]>0 ) snprintf(zR2, sizeof(zR2), "%.2f", ratio[2]); else strcpy(zR2, "-");
    printf("%-12s %-7s %12s %12s %12s %9s %8s %9s  %s\n", w->zName, w->zUnit, az[0], az[1], az[2],
           zR1, zR2, zRows0 ? zRows0 : "-", zAns);

    fprintf(f, "    \"%s\": {\"what\": \"%s\", \"unit\": \"%s\"", w->zName, w->zWhat, w->zUnit);
    for(int s=0; s<N_SYS; s++){ fprintf(f, ", \"%s\": ", azSys[s]); jsonNum(f, v[s]); }
    fputs(", \"vs_sqlite\": ", f); jsonNum(f, ratio[1]);
    fputs(", \"vs_lmdb\": ", f); jsonNum(f, ratio[2]);
    fprintf(f, ", \"rows\": %s, \"answers\": \"%s\"}%s\n", zRows0 ? zRows0 : "null", zAns,
            i+1<sizeof(aWork)/sizeof(aWork[0]) ? "," : "");
  }
  fputs("  },\n", f);

  double wIn = resNum(&aRes[0], "within", "qps"), wScan = resNum(&aRes[0], "within_scan", "qps");
  printf("\nfakt within vs its own full scan: %.1fx\n", wScan>0 ? wIn/wScan : 0.0);
  fprintf(f, "  \"fakt_within_vs_scan\": "); jsonNum(f, wScan>0 ? wIn/wScan : 0.0); fputs(",\n", f);

  static const char *const azExtra[3][3] = {
    {"size", "bytes", "size_bytes"}, {"load", "maxrss_kb", "peak_rss_load_kb"},
    {"all", "maxrss_kb", "peak_rss_kb"} };
  for(int e=0; e<3; e++){
    printf("%-18s", azExtra[e][2]);
    fprintf(f, "  \"%s\": {", azExtra[e][2]);
    for(int s=0; s<N_SYS; s++){
      double x = resNum(&aRes[s], azExtra[e][0], azExtra[e][1]);
      printf(" %s %-12.0f", azSys[s], x);
      fprintf(f, "%s\"%s\": ", s ? ", " : "", azSys[s]); jsonNum(f, x);
    }
    double x0 = resNum(&aRes[0], azExtra[e][0], azExtra[e][1]);
    double x1 = resNum(&aRes[1], azExtra[e][0], azExtra[e][1]);
    printf(" fakt/sqlite %.2f\n", x1>0 ? x0/x1 : 0.0);
    fprintf(f, ", \"fakt_over_sqlite\": "); jsonNum(f, x1>0 ? x0/x1 : 0.0);
    fputs("},\n", f);
  }
  fprintf(f, "  \"answers_differ\": %d\n}\n", nBad);
  fclose(f);
  for(int s=0; s<N_SYS; s++) free(aRes[s].a);
  if( nBad ){
    fprintf(stderr, "bench: FAILED: %d workload(s) gave different answers\n", nBad);
    return 1;
  }
  printf("answers: the same in all three systems; results in %s\n", zJson);
  return 0;
}

int main(int argc, char **argv){
  if( argc==6 && strcmp(argv[1], "run")==0 ) return cmdRun(argv[2], argv[3], argv[4], argv[5]);
  if( argc==4 && strcmp(argv[1], "report")==0 ) return cmdReport(argv[2], argv[3]);
  fprintf(stderr, "usage: bench run fakt|sqlite|lmdb DATA DB OUT\n"
                  "       bench report DIR JSON\n");
  return 2;
}
