/*
** claims_about.c -- everything the corpus claims about one entity.
**
**   claims_about [DB] NAME
**
** Opens DB (default: the installed corpus, FAKT_CORPUS below), prepares one
** parameterised query, binds NAME to $name and prints one row per claim,
** tab-separated, under a header line. NAME is an entity id or any label or
** alias ("Dmitri Peskow", "Peskov", "dmitry_peskov"): a text bound in subject
** position names an entity (SPEC.md §5.8), and it is never parsed as query
** text, so no quoting is needed. Exit status 0 on success, 1 on any error.
** Build: see examples/README.md.
*/
#include <fakt.h>

#include <stdio.h>

/* Where `make install` put the corpus; the examples Makefile passes
** -DFAKT_CORPUS from pkg-config's prefix. */
#ifndef FAKT_CORPUS
# define FAKT_CORPUS "/usr/local/share/fakt/corpus.fakt"
#endif

/* The claims whose subject is $name: predicate, object, source article and
** stance, in a stable order. One statement, prepared once. */
static const char zQuery[] =
  "find ?p, ?o, ?src, ?stance\n"
  "where ?c: $name ?p ?o, source(?c, ?src), stance(?c, ?stance)\n"
  "order by ?src, ?p, ?o;";

/* Print the current row of pStmt: its columns as text, tab-separated
** (an empty field for null). */
static void printRow(fakt_stmt *pStmt){
  int nCol = fakt_column_count(pStmt);   /* columns in the row */
  for(int i=0; i<nCol; i++){
    const char *z = fakt_column_text(pStmt, i);  /* owned by pStmt */
    printf("%s%s", i ? "\t" : "", z ? z : "");
  }
  printf("\n");
}

/* Print the column names of pStmt, tab-separated. */
static void printHeader(fakt_stmt *pStmt){
  int nCol = fakt_column_count(pStmt);
  for(int i=0; i<nCol; i++){
    printf("%s%s", i ? "\t" : "", fakt_column_name(pStmt, i));
  }
  printf("\n");
}

int main(int argc, char **argv){
  const char *zDb = FAKT_CORPUS;  /* database file */
  const char *zName;              /* who or what the claims are about */
  fakt *db = NULL;                /* the open database */
  fakt_stmt *pStmt = NULL;        /* the prepared query */
  int iParam;                     /* index of $name */
  int rc;                         /* result of the last fakt call */
  int nRow = 0;                   /* rows printed */

  if( argc==3 ){
    zDb = argv[1];
    zName = argv[2];
  }else if( argc==2 ){
    zName = argv[1];
  }else{
    fprintf(stderr, "usage: %s [DB] NAME\n", argv[0]);
    return 2;
  }

  /* Open read-only: the example never writes. On failure db is still a
  ** handle that carries the message (or NULL when out of memory). */
  rc = fakt_open(zDb, FAKT_OPEN_READONLY, &db);
  if( rc!=FAKT_OK ){
    fprintf(stderr, "%s: %s\n", argv[0], db ? fakt_errmsg(db) : fakt_errstr(rc));
    goto fail;
  }

  rc = fakt_prepare(db, zQuery, -1, &pStmt, NULL);
  if( rc!=FAKT_OK ){
    fprintf(stderr, "prepare: %s\n", fakt_errmsg(db));
    goto fail;
  }

  /* Bind by name, not by pasting NAME into the query text. */
  iParam = fakt_bind_parameter_index(pStmt, "$name");
  if( iParam==0 ){
    fprintf(stderr, "the query has no $name parameter\n");
    goto fail;
  }
  rc = fakt_bind_text(pStmt, iParam, zName, -1, FAKT_TRANSIENT);
  if( rc!=FAKT_OK ){
    fprintf(stderr, "bind: %s\n", fakt_errmsg(db));
    goto fail;
  }

  printHeader(pStmt);
  while( (rc = fakt_step(pStmt))==FAKT_ROW ){
    printRow(pStmt);
    nRow++;
  }
  if( rc!=FAKT_DONE ){
    fprintf(stderr, "step: %s\n", fakt_errmsg(db));
    goto fail;
  }
  fprintf(stderr, "%d claim%s about \"%s\"\n", nRow, nRow==1 ? "" : "s", zName);

  /* Finalize every statement before closing: fakt_close() refuses
  ** (FAKT_BUSY) while statements are open. */
  rc = fakt_finalize(pStmt);
  pStmt = NULL;
  if( rc!=FAKT_OK ){
    fprintf(stderr, "finalize: %s\n", fakt_errmsg(db));
    goto fail;
  }
  rc = fakt_close(db);
  if( rc!=FAKT_OK ){
    fprintf(stderr, "close: %s\n", fakt_errstr(rc));
    return 1;
  }
  return 0;

fail:
  fakt_finalize(pStmt);   /* both harmless on NULL */
  fakt_close(db);
  return 1;
}
