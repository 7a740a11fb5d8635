/*
** unit_params.c -- claim statements take parameters (SPEC.md 4.4): a
** loader prepares `claim $s pred $o from $src by $who stance $st holds $h
** said $d quote $q;` once and binds it for every claim, never pasting text.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fakt.h"

static int nPass, nFail;
#define CHECK(db, x) do{ if( x ) nPass++; else { nFail++; \
  printf("FAIL %s:%d: %s (%s)\n", __FILE__, __LINE__, #x, fakt_errmsg(db)); } }while(0)

static int run(fakt *db, const char *z){
  char *zErr = NULL;
  int rc = fakt_exec(db, z, NULL, NULL, &zErr);
  if( rc ) printf("  exec: %s\n", zErr ? zErr : "?");
  fakt_free(zErr);
  return rc;
}

/* Rows of a query as "a|b;c|d;" into z. */
static int rows(fakt *db, const char *zQuery, char *z, size_t n){
  fakt_stmt *p = NULL;
  size_t k = 0;
  z[0] = 0;
  if( fakt_prepare(db, zQuery, -1, &p, NULL)!=FAKT_OK || p==NULL ) return -1;
  int rc;
  while( (rc = fakt_step(p))==FAKT_ROW ){
    for(int i=0; i<fakt_column_count(p); i++){
      const char *zc = fakt_column_text(p, i);
      k += (size_t)snprintf(z+k, n-k, "%s%s", i ? "|" : "", zc ? zc : "NULL");
    }
    k += (size_t)snprintf(z+k, n-k, ";");
  }
  fakt_finalize(p);
  return rc;
}

/* Bind and run one claim of the prepared statement p. */
static int addClaim(fakt_stmt *p, const char *zS, const char *zO, const char *zSrc,
                    const char *zWho, const char *zStance, const char *zHolds, const char *zQuote){
  const char *az[7] = { zS, zO, zSrc, zWho, zStance, zHolds, zQuote };
  const char *azName[7] = { "$s", "$o", "$src", "$who", "$st", "$h", "$q" };
  fakt_reset(p);
  for(int i=0; i<7; i++){
    int k = fakt_bind_parameter_index(p, azName[i]);
    if( k==0 ) return -1;
    int rc = az[i] ? fakt_bind_text(p, k, az[i], -1, FAKT_TRANSIENT) : fakt_bind_null(p, k);
    if( rc ) return rc;
  }
  int rc = fakt_step(p);
  return rc==FAKT_DONE ? FAKT_OK : rc;
}

int main(void){
  char zDir[] = "/tmp/fakt_params_XXXXXX";
  char zPath[300], z[4096];
  if( mkdtemp(zDir)==NULL ){ perror("mkdtemp"); return 1; }
  snprintf(zPath, sizeof(zPath), "%s/p.fakt", zDir);
  fakt *db = NULL;
  CHECK(db, fakt_open(zPath, 0, &db)==FAKT_OK);
  CHECK(db, run(db,
    "predicate meets : entity; predicate said_text : string; predicate age : number;"
    "entity kim person \"Kim Jong Un\"; entity putin person \"Wladimir Putin\";"
    "entity yonhap agency \"Yonhap\";"
    "source a \"A\" text \"Kim trifft Putin am Dienstag. Er sagt \\\"ja\\\"; drop rule x;\";")==FAKT_OK);

  fakt_stmt *p = NULL;
  CHECK(db, fakt_prepare(db, "claim $s meets $o from $src by $who stance $st holds $h quote $q;",
                         -1, &p, NULL)==FAKT_OK && p);
  CHECK(db, fakt_bind_parameter_count(p)==7);
  CHECK(db, fakt_stmt_readonly(p)==0);
  /* subject by label, object by id; every option bound */
  CHECK(db, addClaim(p, "Kim Jong Un", "putin", "a", "yonhap", "hedges", "2023-09-12",
                     "Kim trifft Putin am Dienstag")==FAKT_OK);
  CHECK(db, rows(db, "find ?s, ?o, ?src, ?w, ?st, ?h, ?q where ?c: ?s meets ?o, source(?c, ?src), "
                     "by(?c, ?w), stance(?c, ?st), holds(?c, ?h), quote(?c, ?q);", z, sizeof(z))==FAKT_DONE);
  CHECK(db, strcmp(z, "kim|putin|a|yonhap|hedges|2023-09-12|Kim trifft Putin am Dienstag;")==0);
  /* the same statement again, other values: no re-prepare */
  CHECK(db, addClaim(p, "putin", "kim", "a", NULL, NULL, NULL, NULL)==FAKT_OK);
  CHECK(db, rows(db, "find ?st where ?c: putin meets kim, stance(?c, ?st);", z, sizeof(z))==FAKT_DONE);
  CHECK(db, strcmp(z, "asserts;")==0);
  /* an entity bound by id with fakt_bind_entity */
  fakt_reset(p);
  CHECK(db, fakt_clear_bindings(p)==FAKT_OK);
  CHECK(db, fakt_bind_entity(p, fakt_bind_parameter_index(p, "$s"), "yonhap")==FAKT_OK);
  CHECK(db, fakt_bind_entity(p, fakt_bind_parameter_index(p, "$o"), "kim")==FAKT_OK);
  CHECK(db, fakt_step(p)==FAKT_DONE);
  CHECK(db, rows(db, "find count() where yonhap meets kim;", z, sizeof(z))==FAKT_DONE && strcmp(z, "1;")==0);

  /* errors: each leaves the database as it was */
  CHECK(db, rows(db, "find count() where ?c: ?s meets ?o;", z, sizeof(z))==FAKT_DONE && strcmp(z, "3;")==0);
  CHECK(db, addClaim(p, "nobody", "putin", "a", NULL, NULL, NULL, NULL)==FAKT_NOTFOUND);
  CHECK(db, strcmp(fakt_errmsg(db), "line 1, col 7: unknown entity \"nobody\"")==0);
  CHECK(db, addClaim(p, "kim", "putin", "a", NULL, NULL, "2023-02-30", NULL)==FAKT_MISMATCH);
  CHECK(db, strcmp(fakt_errmsg(db), "line 1, col 54: type error: parameter $h must be a date such as \"2023-09-10\"")==0);
  CHECK(db, addClaim(p, "kim", "putin", "a", NULL, "maybe", NULL, NULL)==FAKT_NOTFOUND);
  CHECK(db, addClaim(p, "kim", "putin", "a", NULL, NULL, NULL, "Kim trifft Putin am Mittwoch")==FAKT_CONSTRAINT);
  CHECK(db, strcmp(fakt_errmsg(db), "line 1, col 63: quote not found in source a; "
                                    "closest passage (bytes 0-28): \"Kim trifft Putin am Dienstag\"")==0);
  fakt_reset(p);
  CHECK(db, fakt_clear_bindings(p)==FAKT_OK);
  CHECK(db, fakt_step(p)==FAKT_MISUSE);
  CHECK(db, strcmp(fakt_errmsg(db), "line 1, col 7: parameter $s is not bound")==0);
  CHECK(db, rows(db, "find count() where ?c: ?s meets ?o;", z, sizeof(z))==FAKT_DONE && strcmp(z, "3;")==0);

  /* from and by bound by id (fakt_bind_entity): taken as the ids they are */
  fakt_reset(p);
  CHECK(db, fakt_clear_bindings(p)==FAKT_OK);
  CHECK(db, fakt_bind_entity(p, fakt_bind_parameter_index(p, "$s"), "putin")==FAKT_OK);
  CHECK(db, fakt_bind_entity(p, fakt_bind_parameter_index(p, "$o"), "yonhap")==FAKT_OK);
  CHECK(db, fakt_bind_entity(p, fakt_bind_parameter_index(p, "$src"), "a")==FAKT_OK);
  CHECK(db, fakt_bind_entity(p, fakt_bind_parameter_index(p, "$who"), "kim")==FAKT_OK);
  CHECK(db, fakt_bind_text(p, fakt_bind_parameter_index(p, "$q"), "Putin am Dienstag", -1, FAKT_STATIC)==FAKT_OK);
  CHECK(db, fakt_step(p)==FAKT_DONE);
  CHECK(db, rows(db, "find ?src, ?w, ?q where ?c: putin meets yonhap, source(?c, ?src), by(?c, ?w), "
                     "quote(?c, ?q);", z, sizeof(z))==FAKT_DONE);
  CHECK(db, strcmp(z, "a|kim|Putin am Dienstag;")==0);
  /* ... and the messages of what fails name them */
  fakt_reset(p);
  CHECK(db, fakt_bind_text(p, fakt_bind_parameter_index(p, "$q"), "Putin am Freitag", -1, FAKT_STATIC)==FAKT_OK);
  CHECK(db, fakt_step(p)==FAKT_CONSTRAINT);
  CHECK(db, strcmp(fakt_errmsg(db), "line 1, col 63: quote not found in source a; "
                                    "closest passage (bytes 11-28): \"Putin am Dienstag\"")==0);
  fakt_reset(p);
  CHECK(db, fakt_bind_null(p, fakt_bind_parameter_index(p, "$q"))==FAKT_OK);
  CHECK(db, fakt_bind_entity(p, fakt_bind_parameter_index(p, "$src"), "kim")==FAKT_OK);
  CHECK(db, fakt_step(p)==FAKT_NOTFOUND);
  CHECK(db, strcmp(fakt_errmsg(db), "line 1, col 24: unknown source \"kim\"")==0);
  fakt_reset(p);
  CHECK(db, fakt_bind_entity(p, fakt_bind_parameter_index(p, "$src"), "a")==FAKT_OK);
  CHECK(db, fakt_bind_entity(p, fakt_bind_parameter_index(p, "$who"), "a")==FAKT_OK);
  CHECK(db, fakt_step(p)==FAKT_DONE);       /* by may name any object, a source too */
  CHECK(db, rows(db, "find ?w where ?c: putin meets yonhap, by(?c, ?w);", z, sizeof(z))==FAKT_DONE);
  CHECK(db, strcmp(z, "a;kim;")==0 || strcmp(z, "kim;a;")==0);
  CHECK(db, rows(db, "find count() where ?c: ?s meets ?o;", z, sizeof(z))==FAKT_DONE && strcmp(z, "5;")==0);

  /* parameters are data: a quote holding statement text is a quote */
  CHECK(db, addClaim(p, "kim", "putin", "a", NULL, NULL, NULL, "Er sagt \"ja\"; drop rule x;")==FAKT_OK);
  CHECK(db, rows(db, "find ?q where ?c: kim meets putin, quote(?c, ?q), contains(?q, \"drop\");", z, sizeof(z))==FAKT_DONE);
  CHECK(db, strcmp(z, "Er sagt \"ja\"; drop rule x;;")==0);
  fakt_finalize(p);

  /* a string object and a number object through parameters */
  CHECK(db, fakt_prepare(db, "claim $s said_text $o;", -1, &p, NULL)==FAKT_OK && p);
  CHECK(db, fakt_bind_text(p, 1, "kim", -1, FAKT_STATIC)==FAKT_OK);
  CHECK(db, fakt_bind_text(p, 2, "\"; retract a;", -1, FAKT_STATIC)==FAKT_OK);
  CHECK(db, fakt_step(p)==FAKT_DONE);
  fakt_finalize(p);
  CHECK(db, rows(db, "find ?o where kim said_text ?o;", z, sizeof(z))==FAKT_DONE && strcmp(z, "\"; retract a;;")==0);
  CHECK(db, fakt_prepare(db, "claim $s age $n;", -1, &p, NULL)==FAKT_OK && p);
  CHECK(db, fakt_bind_entity(p, 1, "putin")==FAKT_OK);
  CHECK(db, fakt_bind_int64(p, 2, 70)==FAKT_OK);
  CHECK(db, fakt_step(p)==FAKT_DONE);
  fakt_finalize(p);
  CHECK(db, rows(db, "find ?n + 1 where putin age ?n;", z, sizeof(z))==FAKT_DONE && strcmp(z, "71;")==0);
  /* a subject must be an entity: a number is a type error */
  CHECK(db, fakt_prepare(db, "claim $s age 1;", -1, &p, NULL)==FAKT_OK && p);
  CHECK(db, fakt_bind_int64(p, 1, 5)==FAKT_OK);
  CHECK(db, fakt_step(p)==FAKT_MISMATCH);
  fakt_finalize(p);
  /* a parameter and the same option in text: a syntax error */
  CHECK(db, fakt_prepare(db, "claim kim age 1 from a from $x;", -1, &p, NULL)==FAKT_SYNTAX && p==NULL);
  CHECK(db, strcmp(fakt_errmsg(db), "line 1, col 24: duplicate option \"from\"")==0);

  char *zRep = NULL;
  CHECK(db, fakt_check(db, &zRep)==FAKT_OK);
  fakt_free(zRep);
  CHECK(db, fakt_close(db)==FAKT_OK);
  char zCmd[400];
  snprintf(zCmd, sizeof(zCmd), "rm -rf '%s'", zDir);
  if( system(zCmd)!=0 ) printf("  could not remove %s\n", zDir);
  printf("%d passed, %d failed\n", nPass, nFail);
  return nFail!=0;
}
