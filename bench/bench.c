/*
** bench.c -- driver of fakt's benchmark (issue 7).
**
**   bench run fakt|sqlite|lmdb DATA DB OUT   load DATA into DB, run every
**                                            workload, write result lines to OUT
**   bench run fakt-jsonl|fakt-facts DATA DB OUT
**                                            write DATA as DB.jsonl or DB.facts,
**                                            load that into DB (fakt_import, or
**                                            `load`), answer the point and scan
**                                            queries on it
**   bench report DIR JSON                    read DIR/{fakt,sqlite,lmdb}.txt,
**                                            the later rounds' DIR/SYS.R.txt and
**                                            DIR/fakt-{jsonl,facts}.txt, compare
**                                            answers, print the table of
**                                            medians, write JSON; exit 1 if
**                                            answers differ
**
** Each system runs in its own process, so that its peak memory is its own.
** bench/run.sh runs the rounds: round 1 loads and queries, rounds 2.. query
** the loaded database again (BENCH_REUSE=1).
*/
#include <stdlib.h>
#include <string.h>
#include "bench.h"

/* ---------------------------------------------------------------- run */

/*
** bench run: read the data file zData, load it into system zSys's database
** zDb and run the workloads, writing "workload key value" lines to zOut.
** Returns the exit status: 0, 1 on failure, 2 for an unknown system.
*/
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
  else if( strcmp(zSys, "fakt-jsonl")==0 ) rc = benchRunFaktFile(&d, &pp, zDb, 1, &o);
  else if( strcmp(zSys, "fakt-facts")==0 ) rc = benchRunFaktFile(&d, &pp, zDb, 0, &o);
  else { fprintf(stderr, "bench: unknown system %s\n", zSys); rc = 2; }
  fclose(o.p);
  benchParamsFree(&pp);
  benchDataFree(&d);
  return rc;
}

/* ---------------------------------------------------------------- report */

#define N_SYS      3
#define MAX_ROUNDS 99          /* result files per system, at most */
static const char *const azSys[N_SYS] = {"fakt", "sqlite", "lmdb"};
/* fakt's loads from a file, round 1 only, each in a process of its own:
** Work.iFile 1 and 2 (issue 20). */
#define N_FILE     2
static const char *const azFileSys[N_FILE] = {"fakt-jsonl", "fakt-facts"};

/* One result line: "workload key value". */
typedef struct Res { char zWork[32], zKey[16], zVal[40]; } Res;
/* The lines of one result file: one system, one round. */
typedef struct ResSet { Res *a; int n; } ResSet;

/* Everything a report reads. */
typedef struct Report {
  int nRound;                          /* rounds found (files per system) */
  ResSet aRun[N_SYS][MAX_ROUNDS];      /* [system][round-1] */
  ResSet aFile[N_FILE];                /* DIR/fakt-jsonl.txt, DIR/fakt-facts.txt */
} Report;

/* Path of the result file of system zSys, round iRound (1-based), in zDir:
** SYS.txt for round 1, SYS.R.txt for round R. */
static void resPath(char *z, size_t n, const char *zDir, const char *zSys, int iRound){
  if( iRound==1 ) snprintf(z, n, "%s/%s.txt", zDir, zSys);
  else snprintf(z, n, "%s/%s.%d.txt", zDir, zSys, iRound);
}

/* Read the result file zPath into *p (which the caller frees with free(p->a),
** also on failure). Returns 0, or 1 after a message. */
static int readRes(const char *zPath, ResSet *p){
  char zLine[256];
  FILE *f = fopen(zPath, "r");
  p->a = 0; p->n = 0;
  if( !f ){ perror(zPath); return 1; }
  while( fgets(zLine, sizeof(zLine), f) ){
    Res r;
    if( sscanf(zLine, "%31s %15s %39s", r.zWork, r.zKey, r.zVal)!=3 ) continue;
    Res *a = realloc(p->a, sizeof(Res)*(size_t)(p->n+1));
    if( !a ){ fclose(f); fprintf(stderr, "bench: out of memory\n"); return 1; }
    p->a = a;
    p->a[p->n++] = r;
  }
  fclose(f);
  return 0;
}

/* Read every result file of zDir into *p: the rounds are those for which
** fakt has a file (SYS.txt, SYS.2.txt, ... without a gap), and every system
** must have each of them; and the file of each load from a file. Returns 0,
** or 1 after a message; free with reportFree() in both cases. */
static int reportRead(const char *zDir, Report *p){
  char zPath[1024];
  memset(p, 0, sizeof(*p));
  p->nRound = 1;
  for(;;){
    resPath(zPath, sizeof(zPath), zDir, azSys[0], p->nRound+1);
    FILE *f = p->nRound<MAX_ROUNDS ? fopen(zPath, "r") : 0;
    if( !f ) break;
    fclose(f);
    p->nRound++;
  }
  for(int r=0; r<p->nRound; r++){
    for(int s=0; s<N_SYS; s++){
      resPath(zPath, sizeof(zPath), zDir, azSys[s], r+1);
      if( readRes(zPath, &p->aRun[s][r]) ) return 1;
    }
  }
  for(int f=0; f<N_FILE; f++){
    resPath(zPath, sizeof(zPath), zDir, azFileSys[f], 1);
    if( readRes(zPath, &p->aFile[f]) ) return 1;
  }
  return 0;
}

/* Free what reportRead() allocated. */
static void reportFree(Report *p){
  for(int s=0; s<N_SYS; s++){
    for(int r=0; r<MAX_ROUNDS; r++) free(p->aRun[s][r].a);
  }
  for(int f=0; f<N_FILE; f++) free(p->aFile[f].a);
}

/* The value of key zKey of workload zWork in p, or NULL. */
static const char *resGet(const ResSet *p, const char *zWork, const char *zKey){
  for(int i=0; i<p->n; i++){
    if( strcmp(p->a[i].zWork, zWork)==0 && strcmp(p->a[i].zKey, zKey)==0 ) return p->a[i].zVal;
  }
  return 0;
}

/* The value of key zKey of workload zWork in p as a number, 0 if absent. */
static double resNum(const ResSet *p, const char *zWork, const char *zKey){
  const char *z = resGet(p, zWork, zKey);
  return z ? strtod(z, 0) : 0.0;
}

/* How each workload is measured and shown. */
typedef struct Work {
  const char *zName;
  const char *zUnit;      /* what the three numbers are */
  int bSeconds;           /* 1: lower is better (seconds) */
  int bOnce;              /* 1: measured in round 1 only (the load) */
  const char *zWhat;
  int iFile;              /* 1, 2: a load from a file (Report.aFile[iFile-1]),
                          ** set against the other systems' load */
} Work;

static const Work aWork[] = {
  {"load",        "s",        1, 1, "bulk load of all claims with provenance"},
  {"load_jsonl",  "s",        1, 1, "the same claims from a JSON Lines file: fakt_import", 1},
  {"load_facts",  "s",        1, 1, "the same claims from a .facts file: one load statement", 2},
  {"open",        "ms",       1, 0, "open the loaded file and answer one point query"},
  {"point",       "q/s",      0, 0, "all claims about one subject, with provenance"},
  {"pattern",     "q/s",      0, 0, "claims with a given predicate and object"},
  {"join",        "q/s",      0, 0, "two-hop join from a subject"},
  {"aggregate",   "q/s",      0, 0, "claims per source for one predicate"},
  {"scan",        "rows/s",   0, 0, "count every claim (full scan of one order)"},
  {"recursive",   "q/s",      0, 0, "transitive containment (rule / WITH RECURSIVE)"},
  {"within",      "q/s",      0, 0, "places within 50 km (geo index / R*Tree)"},
  {"within_scan", "q/s",      0, 0, "places within 50 km by a full scan"},
  {"fulltext",    "q/s",      0, 0, "claims whose quote has two words (match / FTS5)"},
  {"reexec",      "q/s",      0, 0, "prepared statement re-run with new parameters"},
  {"prepare",     "us",       1, 0, "parse + plan of a 3-pattern query"},
};
#define N_WORK ((int)(sizeof(aWork)/sizeof(aWork[0])))

/* The number shown for workload w in one result file: seconds, or per
** second, or µs per prepare; 0 when the file does not have it. A load
** from a file is fakt's alone: the other systems show their load. */
static double shown(const ResSet *p, const Work *w){
  if( w->iFile ) return resNum(p, "load", "seconds");
  if( strcmp(w->zName, "open")==0 ) return resNum(p, "open", "seconds")*1e3;
  if( strcmp(w->zName, "prepare")==0 ){
    double qps = resNum(p, "prepare", "qps");
    return qps>0 ? 1e6/qps : 0.0;
  }
  return resNum(p, w->zName, w->bSeconds ? "seconds" : "qps");
}

/* qsort comparator of doubles, ascending. */
static int cmpDouble(const void *a, const void *b){
  double x = *(const double*)a, y = *(const double*)b;
  return x<y ? -1 : x>y;
}

/* Median of the positive values among a[0..n-1] (n<=MAX_ROUNDS), the mean
** of the middle two for an even count; 0 when none is positive. a is not
** changed. */
static double median(const double *a, int n){
  double b[MAX_ROUNDS];
  int m = 0;
  for(int i=0; i<n; i++) if( a[i]>0 ) b[m++] = a[i];
  if( m==0 ) return 0.0;
  qsort(b, (size_t)m, sizeof(double), cmpDouble);
  return m%2 ? b[m/2] : (b[m/2-1]+b[m/2])/2;
}

/* Write v to f as a JSON number, or null when it is not positive. Whole
** numbers (bytes, KiB) are written exactly, others to 6 digits. */
static void jsonNum(FILE *f, double v){
  if( !(v>0) ) fputs("null", f);
  else if( v<1e15 && v==(double)(long long)v ) fprintf(f, "%lld", (long long)v);
  else fprintf(f, "%.6g", v);
}

/* z or "-" when z is NULL, for messages. */
static const char *orDash(const char *z){ return z ? z : "-"; }

/* 1 if a and b are the same string or both NULL. */
static int sameStr(const char *a, const char *b){
  return a==b || (a && b && strcmp(a, b)==0);
}

/*
** Check the answers (digest and row count) of workload w in every result
** file of p: each system's round 1 against fakt's round 1 (a system that
** does not run the workload has no digest and is skipped), and every later
** round of a system against that system's round 1 (which must then match
** exactly, a missing answer included). Prints each mismatch to stderr and
** returns how many there were.
*/
static int checkAnswers(const Report *p, const Work *w){
  const char *zDig0 = resGet(&p->aRun[0][0], w->zName, "digest");
  const char *zRows0 = resGet(&p->aRun[0][0], w->zName, "rows");
  int nBad = 0;
  for(int s=0; s<N_SYS; s++){
    const char *zDig1 = resGet(&p->aRun[s][0], w->zName, "digest");
    const char *zRows1 = resGet(&p->aRun[s][0], w->zName, "rows");
    if( s>0 && zDig1 && (!sameStr(zDig1, zDig0) || !sameStr(zRows1, zRows0)) ){
      fprintf(stderr, "bench: %s: answers differ: fakt %s rows (digest %s), %s %s rows (digest %s)\n",
              w->zName, zRows0 ? zRows0 : "no", orDash(zDig0), azSys[s], orDash(zRows1), zDig1);
      nBad++;
    }
    for(int r=1; r<p->nRound; r++){
      const char *zDig = resGet(&p->aRun[s][r], w->zName, "digest");
      const char *zRows = resGet(&p->aRun[s][r], w->zName, "rows");
      if( !sameStr(zDig, zDig1) || !sameStr(zRows, zRows1) ){
        fprintf(stderr, "bench: %s: %s round %d differs from its round 1: %s rows (digest %s), "
                "round 1 %s rows (digest %s)\n", w->zName, azSys[s], r+1, orDash(zRows),
                orDash(zDig), orDash(zRows1), orDash(zDig1));
        nBad++;
      }
    }
  }
  return nBad;
}

/*
** Check the answers of a load from a file (workload w, w->iFile): the
** database it made must answer the point queries and the count of all
** claims as the prepared load's did (fakt round 1's point and scan, which
** checkAnswers() holds against SQLite and raw LMDB). A missing answer is a
** difference. Prints each mismatch to stderr and returns how many there were.
*/
static int checkFileAnswers(const Report *p, const Work *w){
  static const char *const azQ[2] = {"point", "scan"};
  const ResSet *pF = &p->aFile[w->iFile-1];
  int nBad = 0;
  for(int q=0; q<2; q++){
    char zName[64];
    snprintf(zName, sizeof(zName), "%s.%s", w->zName, azQ[q]);
    const char *zDig = resGet(pF, zName, "digest"), *zRows = resGet(pF, zName, "rows");
    const char *zDig0 = resGet(&p->aRun[0][0], azQ[q], "digest");
    const char *zRows0 = resGet(&p->aRun[0][0], azQ[q], "rows");
    if( !zDig || !sameStr(zDig, zDig0) || !sameStr(zRows, zRows0) ){
      fprintf(stderr, "bench: %s: the %s answers differ from the prepared load's: %s rows (digest %s), "
              "fakt's load %s rows (digest %s)\n", w->zName, azQ[q], orDash(zRows), orDash(zDig),
              orDash(zRows0), orDash(zDig0));
      nBad++;
    }
  }
  return nBad;
}

/* Format v for the table into z (size n): fmt, or "-" when v is 0. */
static void cell(char *z, size_t n, const char *zFmt, double v){
  if( v>0 ) snprintf(z, n, zFmt, v); else snprintf(z, n, "-");
}

/*
** Report one workload w: the median per system over the rounds that ran it
** (round 1 alone for the load), the ratios of the medians, the answer
** check; one line of the table on stdout and its JSON member on f.
** Returns 1 if the answers differ, else 0.
*/
static int reportWork(const Report *p, const Work *w, FILE *f, int bLast){
  double aV[N_SYS][MAX_ROUNDS], v[N_SYS], ratio[N_SYS];
  int nRun = w->bOnce ? 1 : p->nRound;
  const char *zRows0 = resGet(&p->aRun[0][0], w->zName, "rows");
  const char *zAns = resGet(&p->aRun[0][0], w->zName, "digest") ? "same" : "-";
  int bBad;
  if( w->iFile ){
    char zName[64];
    snprintf(zName, sizeof(zName), "%s.point", w->zName);
    zRows0 = resGet(&p->aFile[w->iFile-1], zName, "rows");
    zAns = "same";
    bBad = checkFileAnswers(p, w)>0;
  }else{
    bBad = checkAnswers(p, w)>0;
  }
  if( bBad ) zAns = "DIFFERENT";
  for(int s=0; s<N_SYS; s++){
    for(int r=0; r<nRun; r++) aV[s][r] = shown(&p->aRun[s][r], w);
    if( s==0 && w->iFile ) aV[s][0] = resNum(&p->aFile[w->iFile-1], w->zName, "seconds");
    v[s] = median(aV[s], nRun);
  }
  for(int s=0; s<N_SYS; s++){
    ratio[s] = 0;
    if( v[0]>0 && v[s]>0 ) ratio[s] = w->bSeconds ? v[s]/v[0] : v[0]/v[s];
  }

  char az[N_SYS][24], zR1[16], zR2[16];
  for(int s=0; s<N_SYS; s++) cell(az[s], sizeof(az[s]), w->bSeconds ? "%.3f" : "%.0f", v[s]);
  cell(zR1, sizeof(zR1), "%.2f", ratio[1]);
  cell(zR2, sizeof(zR2), "%.2f", ratio[2]);
  printf("%-12s %-7s %12s %12s %12s %9s %8s %9s  %s\n", w->zName, w->zUnit, az[0], az[1], az[2],
         zR1, zR2, zRows0 ? zRows0 : "-", zAns);

  fprintf(f, "    \"%s\": {\"what\": \"%s\", \"unit\": \"%s\"", w->zName, w->zWhat, w->zUnit);
  for(int s=0; s<N_SYS; s++){ fprintf(f, ", \"%s\": ", azSys[s]); jsonNum(f, v[s]); }
  fputs(", \"vs_sqlite\": ", f); jsonNum(f, ratio[1]);
  fputs(", \"vs_lmdb\": ", f); jsonNum(f, ratio[2]);
  for(int s=0; s<N_SYS; s++){
    fprintf(f, ", \"%s_runs\": [", azSys[s]);
    for(int r=0; r<nRun; r++){ if( r ) fputs(", ", f); jsonNum(f, aV[s][r]); }
    fputs("]", f);
  }
  fprintf(f, ", \"rows\": %s, \"answers\": \"%s\"}%s\n", zRows0 ? zRows0 : "null", zAns,
          bLast ? "" : ",");
  return bBad;
}

/*
** The memory and size lines, from round 1 (the only round that loads),
** and the query process's peak memory, from the rounds after it: table
** lines on stdout and JSON members on f.
*/
static void reportExtras(const Report *p, FILE *f){
  static const char *const azExtra[4][3] = {
    {"size", "bytes", "size_bytes"}, {"load", "written_bytes", "load_written_bytes"},
    {"load", "maxrss_kb", "peak_rss_load_kb"}, {"all", "maxrss_kb", "peak_rss_kb"} };
  for(int e=0; e<4; e++){
    printf("%-18s", azExtra[e][2]);
    fprintf(f, "  \"%s\": {", azExtra[e][2]);
    for(int s=0; s<N_SYS; s++){
      double x = resNum(&p->aRun[s][0], azExtra[e][0], azExtra[e][1]);
      printf(" %s %-12.0f", azSys[s], x);
      fprintf(f, "%s\"%s\": ", s ? ", " : "", azSys[s]); jsonNum(f, x);
    }
    double x0 = resNum(&p->aRun[0][0], azExtra[e][0], azExtra[e][1]);
    double x1 = resNum(&p->aRun[1][0], azExtra[e][0], azExtra[e][1]);
    printf(" fakt/sqlite %.2f\n", x1>0 ? x0/x1 : 0.0);
    fprintf(f, ", \"fakt_over_sqlite\": "); jsonNum(f, x1>0 ? x0/x1 : 0.0);
    fputs("},\n", f);
  }
  /* the query process: rounds 2..n open the loaded file and only query
  ** (the median of their peaks; 0 with one round) */
  printf("%-18s", "peak_rss_queries_kb");
  fprintf(f, "  \"peak_rss_queries_kb\": {");
  double aQ[N_SYS];
  for(int s=0; s<N_SYS; s++){
    double a[MAX_ROUNDS];
    int n = 0;
    for(int r=1; r<p->nRound; r++) a[n++] = resNum(&p->aRun[s][r], "all", "maxrss_kb");
    aQ[s] = n ? median(a, n) : 0.0;
    printf(" %s %-12.0f", azSys[s], aQ[s]);
    fprintf(f, "%s\"%s\": ", s ? ", " : "", azSys[s]); jsonNum(f, aQ[s]);
  }
  if( aQ[1]>0 ) printf(" fakt/sqlite %.2f\n", aQ[0]/aQ[1]);
  else printf(" (one round: none)\n");
  fprintf(f, ", \"fakt_over_sqlite\": "); jsonNum(f, aQ[1]>0 ? aQ[0]/aQ[1] : 0.0);
  fputs("},\n", f);
}

/*
** The loads from a file (round 1, a process each): what was loaded, the
** database's size and the process's peak memory, and load_facts against
** the JSONL import (times faster; above 1: the .facts load is faster).
** Table lines on stdout, JSON members on f.
*/
static void reportFileLoads(const Report *p, FILE *f){
  static const char *const azKey[5] = {"statements", "file_bytes", "size_bytes", "maxrss_kb", "written_bytes"};
  double aT[N_FILE];
  printf("fakt loads from a file (one transaction each, no vacuum after; SQLite's load peak %.0f kB):\n",
         resNum(&p->aRun[1][0], "load", "maxrss_kb"));
  fputs("  \"load_from_file\": {", f);
  for(int i=0; i<N_FILE; i++){
    const char *zW = i==0 ? "load_jsonl" : "load_facts";
    const ResSet *pF = &p->aFile[i];
    aT[i] = resNum(pF, zW, "seconds");
    printf("  %-10s %9.0f %s from %.1f MB: %.3f s, database %.1f MB, peak RSS %.0f kB\n", zW,
           resNum(pF, zW, "statements"), i==0 ? "records   " : "statements",
           resNum(pF, zW, "file_bytes")/1e6, aT[i], resNum(pF, zW, "size_bytes")/1e6,
           resNum(pF, zW, "maxrss_kb"));
    fprintf(f, "%s\"%s\": {", i ? ", " : "", zW);
    for(int k=0; k<5; k++){
      fprintf(f, "%s\"%s\": ", k ? ", " : "", azKey[k]);
      jsonNum(f, resNum(pF, zW, azKey[k]));
    }
    fputs("}", f);
  }
  double r = aT[1]>0 ? aT[0]/aT[1] : 0.0;
  printf("  load_facts vs the JSONL import: %.2fx\n", r);
  fputs(", \"facts_vs_jsonl\": ", f); jsonNum(f, r); fputs("},\n", f);
}

/*
** bench report: read every round's result files in zDir, print the table of
** medians and write zJson. Returns the exit status: 0, or 1 when a file is
** missing or any answer differs (between systems or between rounds).
*/
static int cmdReport(const char *zDir, const char *zJson){
  Report rep;
  FILE *f = 0;
  int nBad = 0, rc = 1;
  if( reportRead(zDir, &rep) ) goto done;
  f = fopen(zJson, "w");
  if( !f ){ perror(zJson); goto done; }
  double nClaim = resNum(&rep.aRun[0][0], "data", "claims");
  fprintf(f, "{\n  \"claims\": %.0f,\n  \"rounds\": %d,\n  \"workloads\": {\n", nClaim, rep.nRound);
  printf("\nfakt benchmark, %.0f claims (vs_sqlite: times faster than SQLite; "
         "vs_lmdb: share of raw LMDB's speed)\n", nClaim);
  printf("medians of %d round%s per workload (load, size and peak memory: round 1)\n\n",
         rep.nRound, rep.nRound==1 ? "" : "s");
  printf("%-12s %-7s %12s %12s %12s %9s %8s %9s  %s\n", "workload", "unit", "fakt", "sqlite",
         "lmdb", "vs_sqlite", "vs_lmdb", "rows", "answers");
  printf("%-12s %-7s %12s %12s %12s %9s %8s %9s  %s\n", "------------", "-------", "----------",
         "----------", "----------", "---------", "-------", "--------", "-------");
  for(int i=0; i<N_WORK; i++) nBad += reportWork(&rep, &aWork[i], f, i+1==N_WORK);
  fputs("  },\n", f);

  double aIn[MAX_ROUNDS], aScan[MAX_ROUNDS];
  for(int r=0; r<rep.nRound; r++){
    aIn[r] = resNum(&rep.aRun[0][r], "within", "qps");
    aScan[r] = resNum(&rep.aRun[0][r], "within_scan", "qps");
  }
  double wIn = median(aIn, rep.nRound), wScan = median(aScan, rep.nRound);
  printf("\nfakt within vs its own full scan: %.1fx\n", wScan>0 ? wIn/wScan : 0.0);
  fprintf(f, "  \"fakt_within_vs_scan\": "); jsonNum(f, wScan>0 ? wIn/wScan : 0.0); fputs(",\n", f);
  double tVac = resNum(&rep.aRun[0][0], "vacuum", "seconds");
  double nBefore = resNum(&rep.aRun[0][0], "vacuum", "size_before");
  printf("fakt vacuum after the load: %.3f s (counted in its load), file %.0f -> %.0f bytes\n",
         tVac, nBefore, resNum(&rep.aRun[0][0], "size", "bytes"));
  fprintf(f, "  \"fakt_vacuum\": {\"seconds\": "); jsonNum(f, tVac);
  fprintf(f, ", \"size_before_bytes\": "); jsonNum(f, nBefore); fputs("},\n", f);
  reportFileLoads(&rep, f);
  reportExtras(&rep, f);
  fprintf(f, "  \"answers_differ\": %d\n}\n", nBad);
  if( nBad ){
    fprintf(stderr, "bench: FAILED: %d workload(s) gave different answers\n", nBad);
    goto done;
  }
  if( rep.nRound==1 ) printf("answers: the same in all three systems; results in %s\n", zJson);
  else printf("answers: the same in all three systems and all %d rounds; results in %s\n",
              rep.nRound, zJson);
  rc = 0;
done:
  if( f && fclose(f)!=0 ){ perror(zJson); rc = 1; }
  reportFree(&rep);
  return rc;
}

/* Dispatch "bench run ..." and "bench report ..."; usage on anything else. */
int main(int argc, char **argv){
  if( argc==6 && strcmp(argv[1], "run")==0 ) return cmdRun(argv[2], argv[3], argv[4], argv[5]);
  if( argc==4 && strcmp(argv[1], "report")==0 ) return cmdReport(argv[2], argv[3]);
  fprintf(stderr, "usage: bench run fakt|sqlite|lmdb|fakt-jsonl|fakt-facts DATA DB OUT\n"
                  "       bench report DIR JSON\n");
  return 2;
}
