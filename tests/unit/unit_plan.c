/*
** unit_plan.c -- the planner orders joins from stored statistics.
**
** Data: 20,000 claims "?x common ?y" and 20 claims "?x rare ?y" over the
** same subjects. Joining them starting from `common` probes the `rare`
** index 20,000 times; starting from `rare` probes `common` 20 times:
** 1,000x less work. Whatever order the query is written in, EXPLAIN must
** show the `rare` scan first, and the answer must be the same.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fakt.h"

static int nPass, nFail;
#define CHECK(db, x) do{ if( x ) nPass++; else { nFail++; \
  printf("FAIL %s:%d: %s (%s)\n", __FILE__, __LINE__, #x, fakt_errmsg(db)); } }while(0)

/* Run one statement, expecting success. */
static int run(fakt *db, const char *z){
  char *zErr = NULL;
  int rc = fakt_exec(db, z, NULL, NULL, &zErr);
  if( rc ) printf("  exec failed: %s: %s\n", z, zErr ? zErr : "?");
  fakt_free(zErr);
  return rc;
}

/* Rows of EXPLAIN: "op|detail" per row into az (at most n). */
static int explain(fakt *db, const char *zQuery, char az[][256], int n){
  fakt_stmt *p = NULL;
  int i = 0;
  if( fakt_prepare(db, zQuery, -1, &p, NULL)!=FAKT_OK || p==NULL ) return -1;
  while( fakt_step(p)==FAKT_ROW && i<n ){
    snprintf(az[i], 256, "%s|%s|%s", fakt_column_text(p, 2), fakt_column_text(p, 3),
             fakt_column_text(p, 4));
    i++;
  }
  fakt_finalize(p);
  return i;
}

static int64_t count(fakt *db, const char *zQuery){
  fakt_stmt *p = NULL;
  int64_t n = -1;
  if( fakt_prepare(db, zQuery, -1, &p, NULL)!=FAKT_OK || p==NULL ) return -1;
  if( fakt_step(p)==FAKT_ROW ) n = fakt_column_int64(p, 0);
  fakt_finalize(p);
  return n;
}

int main(void){
  char zDir[] = "/tmp/fakt_plan_XXXXXX";
  char zPath[300];
  if( mkdtemp(zDir)==NULL ){ perror("mkdtemp"); return 1; }
  snprintf(zPath, sizeof(zPath), "%s/plan.fakt", zDir);
  fakt *db = NULL;
  CHECK(db, fakt_open(zPath, 0, &db)==FAKT_OK);
  CHECK(db, run(db, "predicate common : entity; predicate rare : entity;")==FAKT_OK);
  /* 2,000 subjects, each with 10 common claims; subjects 0..19 also rare */
  CHECK(db, run(db, "begin;")==FAKT_OK);
  for(int i=0; i<2000; i++){
    char z[200];
    snprintf(z, sizeof(z), "entity e%d thing \"E%d\";", i, i);
    if( run(db, z) ){ nFail++; break; }
  }
  for(int i=0; i<2000; i++){
    for(int j=0; j<10; j++){
      char z[200];
      snprintf(z, sizeof(z), "claim e%d common e%d;", i, (i*7 + j*13) % 2000);
      if( run(db, z) ){ nFail++; break; }
    }
  }
  for(int i=0; i<20; i++){
    char z[200];
    snprintf(z, sizeof(z), "claim e%d rare e%d;", i, i+1);
    if( run(db, z) ){ nFail++; break; }
  }
  CHECK(db, run(db, "commit;")==FAKT_OK);
  CHECK(db, count(db, "find count(?c) where ?c: ?x common ?y;")==20000);
  CHECK(db, count(db, "find count(?c) where ?c: ?x rare ?y;")==20);

  const char *azQ[2] = {
    "explain find ?x, ?y, ?z where ?x common ?y, ?x rare ?z;",
    "explain find ?x, ?y, ?z where ?x rare ?z, ?x common ?y;",
  };
  for(int q=0; q<2; q++){
    char az[8][256];
    int n = explain(db, azQ[q], az, 8);
    CHECK(db, n==2);
    if( n!=2 ) continue;
    /* first the rare pattern, by predicate; then common by the bound subject */
    CHECK(db, strncmp(az[0], "scan|index=pos prefix=1 s=?x p=rare o=?z", 40)==0);
    CHECK(db, strncmp(az[1], "scan|index=spo prefix=2 s=?x p=common o=?y", 42)==0);
    /* the estimate of the first step is the exact count of rare claims */
    const char *zEst = strrchr(az[0], '|');
    CHECK(db, zEst && atoi(zEst+1)==20);
    if( nFail ) for(int i=0; i<n; i++) printf("  %s\n", az[i]);
  }
  /* same answer both ways: 20 subjects x 10 common claims each */
  CHECK(db, count(db, "find count() where ?x common ?y, ?x rare ?z;")==200);
  CHECK(db, count(db, "find count() where ?x rare ?z, ?x common ?y;")==200);

  /* a constant makes a pattern selective: e5's 10 claims before the 20 rare ones */
  {
    char az[8][256];
    int n = explain(db, "explain find ?y, ?z where ?x rare ?z, e5 common ?y, ?y common ?x;", az, 8);
    CHECK(db, n==3);
    if( n==3 ){
      CHECK(db, strncmp(az[0], "scan|index=spo prefix=2 s=e5 p=common o=?y", 42)==0);
      if( nFail ) for(int i=0; i<n; i++) printf("  %s\n", az[i]);
    }
  }
  CHECK(db, fakt_close(db)==FAKT_OK);
  char zCmd[400];
  snprintf(zCmd, sizeof(zCmd), "rm -rf '%s'", zDir);
  if( system(zCmd)!=0 ) printf("  could not remove %s\n", zDir);
  printf("%d passed, %d failed\n", nPass, nFail);
  return nFail!=0;
}
