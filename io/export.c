/*
** export.c -- fakt_export(): the database as N-Quads, JSON Lines, CSV,
** SQL, Graphviz DOT or GeoJSON (SPEC.md section 14); strings are escaped
** by escape.c. Everything is read through
** the public API (fakt_prepare/fakt_step queries over the built-in
** relations), except two things no query can ask for yet: a predicate's
** object type and description, and a source's stored text (readInternal).
*/
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fakt_int.h"
#include "io.h"

/* ================================================================ buffers */
/* Str and faktStr* are in strbuf.c. */

static char *dupText(const char *z){ return z ? strdup(z) : NULL; }

/* The shortest of %.15g, %.16g, %.17g that reads back as r. */
static void fmtNum(double r, char *z, size_t n){
  for(int p=15; p<=17; p++){
    snprintf(z, n, "%.*g", p, r);
    if( strtod(z, NULL)==r ) return;
  }
}

/* A decimal without exponent (xsd:decimal), exact to the shortest form. */
static void fmtDecimal(double r, char *z, size_t n){
  fmtNum(r, z, n);
  if( strchr(z, 'e')==NULL ) return;
  snprintf(z, n, "%.20f", r);
  size_t k = strlen(z);
  while( k>1 && z[k-1]=='0' && z[k-2]!='.' ) z[--k] = 0;
}

/* ================================================================ the context */

typedef enum Fmt { F_NQUADS, F_JSONL, F_CSV, F_DOT, F_GEOJSON, F_SQLX } Fmt;

/* Column indexes of the CSV files (F_CSV opens one file per kind). */
enum { CSV_PRED, CSV_ENT, CSV_ALIAS, CSV_SRC, CSV_CLAIM, CSV_N };
static const char *const azCsvFile[CSV_N] = {
  "predicates.csv", "entities.csv", "aliases.csv", "sources.csv", "claims.csv"
};
static const char *const azCsvHead[CSV_N] = {
  "id,type,single,doc",
  "id,type,label,lat,lon",
  "entity,alias",
  "id,title,outlet,published,text",
  "id,s,p,o,otype,unit,source,by,via,stance,holds,until,said,quote,recorded",
};

typedef struct Ex {
  fakt *db;
  Fmt eFmt;
  int rc;                    /* first error */
  char *zErr;                /* its message (malloc'd) */
  FILE *f;                   /* output (all formats but csv) */
  FILE *aCsv[CSV_N];         /* csv outputs */
  char *azTmp[CSV_N];        /* temporary names (renamed at the end) */
  char *azFinal[CSV_N];
  int nOut;                  /* outputs in use */
  Str line;                  /* scratch */
  Str line2;                 /* sql: alias and via rows, written after their table */
  int nBlank;                /* N-Quads: blank node counter */
  fakt_stmt *pClaimInfo;     /* prepared per-claim queries */
  fakt_stmt *pClaimVia;
  struct DotCtx *pDot;        /* dot: nodes and claims drawn */
  int nFeature;              /* geojson: features written */
} Ex;

static int exErr(Ex *x, int rc, const char *zFmt, ...) __attribute__((format(printf, 3, 4)));
static int exErr(Ex *x, int rc, const char *zFmt, ...){
  va_list ap;
  va_start(ap, zFmt);
  rc = faktFirstErrV(&x->rc, &x->zErr, rc, zFmt, ap);
  va_end(ap);
  return rc;
}

/* Record the handle's last error as the export's error. */
static int exDbErr(Ex *x, int rc){
  return exErr(x, rc, "%s", fakt_errmsg(x->db));
}

static int exPrepare(Ex *x, const char *zSql, fakt_stmt **pp){
  int rc = fakt_prepare(x->db, zSql, -1, pp, NULL);
  if( rc ) return exDbErr(x, rc);
  return FAKT_OK;
}

/* Step; FAKT_ROW or FAKT_DONE, else records the error and returns it. */
static int exStep(Ex *x, fakt_stmt *p){
  int rc = fakt_step(p);
  if( rc!=FAKT_ROW && rc!=FAKT_DONE ) return exDbErr(x, rc);
  return rc;
}

static const char *colText(fakt_stmt *p, int i){ return fakt_column_text(p, i); }

/*
** Open the output zPath. A regular file, a symbolic link to one (resolved:
** the link stays) or a new file is written to a temporary beside it,
** FINAL.tmp, renamed over it when complete (*pzTmp, *pzFinal). Anything
** else -- a FIFO, a device, a path in /dev or /proc such as /dev/stdout --
** is written straight (*pzTmp NULL): it is never replaced.
*/
static FILE *openOut(Ex *x, const char *zPath, char **pzTmp, char **pzFinal){
  struct stat st;
  char *zFinal = NULL, *zTmp = NULL;
  FILE *f = NULL;
  int bStraight = strncmp(zPath, "/dev/", 5)==0 || strncmp(zPath, "/proc/", 6)==0;
  *pzTmp = *pzFinal = NULL;
  if( stat(zPath, &st)==0 ){
    if( S_ISDIR(st.st_mode) ){
      exErr(x, FAKT_CANTOPEN, "cannot export to \"%s\": it is a directory", zPath);
      return NULL;
    }
    if( !S_ISREG(st.st_mode) ) bStraight = 1;
    else if( !bStraight && lstat(zPath, &st)==0 && S_ISLNK(st.st_mode) ){
      zFinal = realpath(zPath, NULL);
      if( zFinal==NULL ){
        exErr(x, FAKT_CANTOPEN, "cannot resolve \"%s\": %s", zPath, strerror(errno));
        return NULL;
      }
    }
  }else if( errno==ENOENT && lstat(zPath, &st)==0 && S_ISLNK(st.st_mode) ){
    exErr(x, FAKT_CANTOPEN, "cannot export to \"%s\": a symbolic link to a missing file", zPath);
    return NULL;
  }
  if( zFinal==NULL && (zFinal = strdup(zPath))==NULL ){
    exErr(x, FAKT_NOMEM, "out of memory");
    return NULL;
  }
  if( bStraight ){
    f = fopen(zFinal, "wb");
    if( f==NULL ) exErr(x, FAKT_CANTOPEN, "cannot open \"%s\": %s", zFinal, strerror(errno));
  }else if( (zTmp = faktMprintf("%s.tmp", zFinal))==NULL ){
    exErr(x, FAKT_NOMEM, "out of memory");
  }else if( (f = fopen(zTmp, "wb"))==NULL ){
    exErr(x, FAKT_CANTOPEN, "cannot create \"%s\": %s", zTmp, strerror(errno));
  }
  if( f==NULL ){
    free(zTmp);
    free(zFinal);
    return NULL;
  }
  *pzTmp = zTmp;
  *pzFinal = zFinal;
  return f;
}

/* Close every output; rename the temporaries on success, else remove them.
** An output written straight (a FIFO, a device) keeps what was written. */
static void closeOuts(Ex *x){
  for(int i=0; i<x->nOut; i++){
    FILE *f = x->eFmt==F_CSV ? x->aCsv[i] : x->f;
    if( f==NULL ) continue;
    int bErr = ferror(f);
    if( fclose(f)!=0 || bErr ){
      exErr(x, FAKT_IOERR, "cannot write \"%s\": %s", x->azTmp[i] ? x->azTmp[i] : x->azFinal[i],
            strerror(bErr && errno==0 ? EIO : errno));
    }
    if( x->eFmt==F_CSV ) x->aCsv[i] = NULL; else x->f = NULL;
  }
  for(int i=0; i<x->nOut; i++){
    if( x->azTmp[i] ){
      if( x->rc==FAKT_OK && rename(x->azTmp[i], x->azFinal[i])!=0 ){
        exErr(x, FAKT_IOERR, "cannot rename \"%s\": %s", x->azTmp[i], strerror(errno));
      }
      if( x->rc ) remove(x->azTmp[i]);
    }
    free(x->azTmp[i]);
    free(x->azFinal[i]);
    x->azTmp[i] = x->azFinal[i] = NULL;
  }
  x->nOut = 0;
}

/* ================================================================ internal reads */

/*
** The kind of object zId (K_*), the object type and description of
** predicate zId (*pzDoc malloc'd or NULL), or the stored text of source zId
** (*pzText malloc'd or NULL); each only if its pointer is not NULL. No built-in
** relation returns these, nor whether an entity is a source (title() answers
** for every entity with a label), so they are read from the store directly, in the
** handle's transaction when one is open (same thread), else a read txn.
*/
static int readInternal(Ex *x, const char *zId, int *pKind, int *pObjType, char **pzDoc, char **pzText){
  fakt *db = x->db;
  StoreTxn *t = NULL;
  int rc, bOwn = 0, kind = 0;
  uint32_t id;
  if( pzDoc ) *pzDoc = NULL;
  if( pzText ) *pzText = NULL;
  pthread_mutex_lock(&db->mutex);
  if( db->pTxn && !faktTxnForeign(db) ){
    t = db->pTxn;
  }else{
    rc = faktStoreBegin(db->pStore, 0, &t);
    if( rc ){ pthread_mutex_unlock(&db->mutex); return exErr(x, rc, "cannot read the database"); }
    bOwn = 1;
  }
  rc = faktLookupName(t, zId, (int)strlen(zId), &id, &kind);
  if( rc==FAKT_OK && pKind ) rc = faktObjGetKind(t, id, pKind);
  if( rc==FAKT_OK && pObjType ){
    EntRec r;
    rc = faktEntGet(t, id, &r);
    if( rc==FAKT_OK ){
      *pObjType = r.objType;
      const char *z; int n, ns;
      if( r.label && faktDictText(t, r.label, &ns, &z, &n)==FAKT_OK && pzDoc ){
        *pzDoc = strndup(z, (size_t)n);
      }
    }
  }
  if( rc==FAKT_OK && pzText ){
    const char *z; size_t n;
    if( faktTextGet(t, id, &z, &n)==FAKT_OK ) *pzText = strndup(z, n);
  }
  if( bOwn ) faktStoreAbort(t);
  pthread_mutex_unlock(&db->mutex);
  if( rc ) return exErr(x, rc, "cannot read \"%s\" from the database", zId);
  return FAKT_OK;
}

static const char *const azObjType[] = {
  "any", "entity", "string", "number", "quantity", "date", "claim"
};

/* ================================================================ records */

typedef struct PredInfo {
  const char *zId;
  int bSingle;
  int objType;               /* PT_* */
  char *zDoc;
} PredInfo;

typedef struct EntInfo {
  const char *zId, *zType, *zLabel;
  char **azAlias; int nAlias;
  int bCoords; double lat, lon;
} EntInfo;

typedef struct SrcInfo {
  const char *zId, *zTitle;
  char *zOutlet, *zPublished, *zText;
} SrcInfo;

/* A claim: object type names as in SPEC 14.3. */
typedef struct ClaimInfo {
  char *zId, *zS, *zP, *zO;
  int bSClaim;               /* subject is a claim */
  int oType;                 /* FAKT_* column type of the object */
  double rO;                 /* FLOAT/QUANTITY number */
  char *zUnit;
  char *zSource, *zBy, *zStance, *zHolds, *zUntil, *zSaid, *zQuote;
  int64_t iTx;
  char **azVia; int nVia;
} ClaimInfo;

static void freeList(char **az, int n){
  for(int i=0; i<n; i++) free(az[i]);
  free(az);
}

static void claimFree(ClaimInfo *c){
  free(c->zId); free(c->zS); free(c->zP); free(c->zO); free(c->zUnit);
  free(c->zSource); free(c->zBy); free(c->zStance); free(c->zHolds);
  free(c->zUntil); free(c->zSaid); free(c->zQuote);
  freeList(c->azVia, c->nVia);
  memset(c, 0, sizeof(*c));
}

static const char *otypeName(int t){
  switch( t ){
    case FAKT_ENTITY: return "entity";
    case FAKT_CLAIM: return "claim";
    case FAKT_TEXT: return "string";
    case FAKT_INTEGER: return "integer";
    case FAKT_FLOAT: return "float";
    case FAKT_QUANTITY: return "quantity";
    case FAKT_DATE: return "date";
    case FAKT_BOOL: return "boolean";
    default: return "null";
  }
}

/* Collect the column-0 texts of a query with parameter $e bound to zId. */
static int listFor(Ex *x, fakt_stmt *p, const char *zId, char ***pazOut, int *pn){
  char **az = NULL;
  int n = 0, rc;
  *pazOut = NULL; *pn = 0;
  fakt_reset(p);
  if( zId && (rc = fakt_bind_entity(p, 1, zId))!=FAKT_OK ) return exDbErr(x, rc);
  while( (rc = exStep(x, p))==FAKT_ROW ){
    char **azNew = realloc(az, sizeof(char*)*(size_t)(n+1));
    if( azNew==NULL ){ freeList(az, n); return exErr(x, FAKT_NOMEM, "out of memory"); }
    az = azNew;
    az[n++] = dupText(colText(p, 0));
  }
  fakt_reset(p);
  if( rc!=FAKT_DONE ){ freeList(az, n); return x->rc; }
  *pazOut = az; *pn = n;
  return FAKT_OK;
}

/* Fill the provenance of claim c (c->zId set) from the prepared queries. */
static int claimDetails(Ex *x, ClaimInfo *c){
  int rc;
  if( x->pClaimInfo==NULL ){
    rc = exPrepare(x, "find ?st, ?tx, ?src, ?by, ?h, ?u, ?sd, ?q where "
                      "stance($c, ?st), recorded($c, ?tx), optional { source($c, ?src) }, "
                      "optional { by($c, ?by) }, optional { holds($c, ?h) }, "
                      "optional { until($c, ?u) }, optional { said($c, ?sd) }, "
                      "optional { quote($c, ?q) };", &x->pClaimInfo);
    if( rc==FAKT_OK ) rc = exPrepare(x, "find ?v where via($c, ?v);", &x->pClaimVia);
    if( rc ) return rc;
  }
  fakt_stmt *p = x->pClaimInfo;
  fakt_reset(p);
  rc = fakt_bind_entity(p, 1, c->zId);
  if( rc ) return exDbErr(x, rc);
  rc = exStep(x, p);
  if( rc==FAKT_ROW ){
    c->zStance = dupText(colText(p, 0));
    c->iTx = fakt_column_int64(p, 1);
    c->zSource = dupText(colText(p, 2));
    c->zBy = dupText(colText(p, 3));
    c->zHolds = dupText(colText(p, 4));
    c->zUntil = dupText(colText(p, 5));
    c->zSaid = dupText(colText(p, 6));
    c->zQuote = dupText(colText(p, 7));
  }
  fakt_reset(p);
  if( rc!=FAKT_ROW && rc!=FAKT_DONE ) return rc;
  return listFor(x, x->pClaimVia, c->zId, &c->azVia, &c->nVia);
}

/* Fill s, p, o of the claim at the current row of a "?c, ?s, ?p, ?o" query. */
static void claimFromRow(fakt_stmt *p, int i0, ClaimInfo *c){
  c->zId = dupText(colText(p, i0));
  c->zS = dupText(colText(p, i0+1));
  c->bSClaim = fakt_column_type(p, i0+1)==FAKT_CLAIM;
  c->zP = dupText(colText(p, i0+2));
  c->oType = fakt_column_type(p, i0+3);
  c->rO = fakt_column_double(p, i0+3);
  /* the unit from the text form "NUMBER UNIT": fakt_column_unit() returns
  ** dictionary bytes that are not NUL-terminated (reported to the lead) */
  if( c->oType==FAKT_QUANTITY ){
    const char *zText = colText(p, i0+3);
    const char *zSp = zText ? strchr(zText, ' ') : NULL;
    c->zUnit = dupText(zSp ? zSp+1 : NULL);
  }
  if( c->oType==FAKT_FLOAT || c->oType==FAKT_QUANTITY ){
    char zNum[64];
    fmtNum(c->rO, zNum, sizeof(zNum));
    c->zO = strdup(zNum);
  }else{
    c->zO = dupText(colText(p, i0+3));
  }
}

/* ================================================================ JSON, CSV */

/* ,"name":"value" (nothing when z is NULL) */
static void jField(Str *s, const char *zName, const char *z){
  if( z==NULL ) return;
  faktStrPrintf(s, ",\"%s\":", zName);
  faktEscJson(s, z);
}
static void jRaw(Str *s, const char *zName, const char *zRaw){
  faktStrPrintf(s, ",\"%s\":%s", zName, zRaw);
}
static void jList(Str *s, const char *zName, char **az, int n){
  if( n==0 ) return;
  faktStrPrintf(s, ",\"%s\":[", zName);
  for(int i=0; i<n; i++){
    if( i ) faktStrAppend(s, ",", 1);
    faktEscJson(s, az[i]);
  }
  faktStrAppend(s, "]", 1);
}


static int putLine(Ex *x, FILE *f, Str *s){
  if( s->bOom ) return exErr(x, FAKT_NOMEM, "out of memory");
  faktStrAppend(s, "\n", 1);
  if( fwrite(s->z, 1, s->n, f)!=s->n ) return exErr(x, FAKT_IOERR, "write failed: %s", strerror(errno));
  return FAKT_OK;
}

/* ================================================================ N-Quads */

#define NS_BASE "http://fakt.example/"
#define NS_FAKT NS_BASE "ns#"
#define RDF_TYPE "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
#define XSD "http://www.w3.org/2001/XMLSchema#"
#define PROV "http://www.w3.org/ns/prov#"
#define SCHEMA "https://schema.org/"
#define RDFS "http://www.w3.org/2000/01/rdf-schema#"



static const char *dateType(const char *zDate){
  size_t n = strlen(zDate);
  return n==4 ? XSD "gYear" : n==7 ? XSD "gYearMonth" : XSD "date";
}

/* Write "S P O [G] ." where S, P, O, G are already-rendered terms. */
static int nqQuad(Ex *x, const char *zS, const char *zP, const char *zO, const char *zG){
  Str *s = &x->line;
  faktStrReset(s);
  faktStrPuts(s, zS); faktStrAppend(s, " ", 1);
  faktStrPuts(s, zP); faktStrAppend(s, " ", 1);
  faktStrPuts(s, zO);
  if( zG ){ faktStrAppend(s, " ", 1); faktStrPuts(s, zG); }
  faktStrAppend(s, " .", 2);
  return putLine(x, x->f, s);
}

/* Render helpers into small Strs the caller frees. */
static char *termIri(const char *zDir, const char *zId){
  Str s = {0};
  faktEscIri(&s, NS_BASE, zDir, zId);
  return s.z;
}
static char *termLit(const char *z, const char *zType){
  Str s = {0};
  faktEscNqLit(&s, z, zType);
  return s.z;
}

static char *claimObjectTerm(const ClaimInfo *c){
  switch( c->oType ){
    case FAKT_ENTITY: return termIri("e", c->zO);
    case FAKT_CLAIM: return termIri("c", c->zO);
    case FAKT_INTEGER: return termLit(c->zO, XSD "integer");
    case FAKT_FLOAT: return termLit(c->zO, XSD "double");
    case FAKT_BOOL: return termLit(c->zO, XSD "boolean");
    case FAKT_DATE: return termLit(c->zO, dateType(c->zO));
    case FAKT_QUANTITY: {
      char *z = faktMprintf("%s %s", c->zO, c->zUnit ? c->zUnit : "");
      char *zT = z ? termLit(z, NS_FAKT "quantity") : NULL;
      free(z);
      return zT;
    }
    default: return termLit(c->zO ? c->zO : "", NULL);
  }
}

/* One quad whose object is a literal of text z (typed zType, or plain). */
static int nqLitQuad(Ex *x, const char *zS, const char *zP, const char *z, const char *zType){
  char *zO = termLit(z, zType);
  int rc = nqQuad(x, zS, zP, zO, NULL);
  free(zO);
  return rc;
}

static int nqPredicate(Ex *x, const PredInfo *p){
  char *zS = termIri("p", p->zId);
  int rc = nqQuad(x, zS, RDF_TYPE, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#Property>", NULL);
  if( rc==0 ) rc = nqLitQuad(x, zS, "<" NS_FAKT "objectType>", azObjType[p->objType<=PT_CLAIM ? p->objType : 0], NULL);
  if( rc==0 && p->bSingle ) rc = nqQuad(x, zS, RDF_TYPE, "<" NS_FAKT "SingleValued>", NULL);
  if( rc==0 && p->zDoc ){
    rc = nqLitQuad(x, zS, "<" RDFS "comment>", p->zDoc, NULL);
  }
  free(zS);
  return rc;
}

static int nqEntity(Ex *x, const EntInfo *e){
  char *zS = termIri("e", e->zId), *zO = termIri("t", e->zType);
  int rc = nqQuad(x, zS, RDF_TYPE, zO, NULL);
  free(zO);
  if( rc==0 ) rc = nqLitQuad(x, zS, "<" RDFS "label>", e->zLabel, NULL);
  for(int i=0; rc==0 && i<e->nAlias; i++){
    rc = nqLitQuad(x, zS, "<" SCHEMA "alternateName>", e->azAlias[i], NULL);
  }
  if( rc==0 && e->bCoords ){
    char zNum[64];
    fmtDecimal(e->lat, zNum, sizeof(zNum));
    rc = nqLitQuad(x, zS, "<" SCHEMA "latitude>", zNum, XSD "decimal");
    fmtDecimal(e->lon, zNum, sizeof(zNum));
    if( rc==0 ) rc = nqLitQuad(x, zS, "<" SCHEMA "longitude>", zNum, XSD "decimal");
  }
  free(zS);
  return rc;
}

static int nqSource(Ex *x, const SrcInfo *src){
  char *zS = termIri("e", src->zId), *zO;
  int rc = nqQuad(x, zS, RDF_TYPE, "<" PROV "Entity>", NULL);
  if( rc==0 ) rc = nqQuad(x, zS, RDF_TYPE, "<" SCHEMA "CreativeWork>", NULL);
  zO = termIri("t", "document");
  if( rc==0 ) rc = nqQuad(x, zS, RDF_TYPE, zO, NULL);
  free(zO);
  if( rc==0 ) rc = nqLitQuad(x, zS, "<" SCHEMA "headline>", src->zTitle, NULL);
  if( rc==0 && src->zOutlet ){
    zO = termIri("e", src->zOutlet);
    rc = nqQuad(x, zS, "<" SCHEMA "publisher>", zO, NULL);
    free(zO);
  }
  if( rc==0 && src->zPublished ){
    rc = nqLitQuad(x, zS, "<" SCHEMA "datePublished>", src->zPublished, dateType(src->zPublished));
  }
  if( rc==0 && src->zText ){
    rc = nqLitQuad(x, zS, "<" SCHEMA "text>", src->zText, NULL);
  }
  free(zS);
  return rc;
}

/* The claim's triple in its own graph, its provenance in the default graph. */
static int nqClaim(Ex *x, const ClaimInfo *c){
  char *zG = termIri("c", c->zId);
  char *zS = termIri(c->bSClaim ? "c" : "e", c->zS);
  char *zP = termIri("p", c->zP);
  char *zO = claimObjectTerm(c), *z;
  int rc = (zG && zS && zP && zO) ? FAKT_OK : exErr(x, FAKT_NOMEM, "out of memory");
  if( rc==0 ) rc = nqQuad(x, zS, zP, zO, zG);
  if( rc==0 ) rc = nqQuad(x, zG, RDF_TYPE, "<" NS_FAKT "Claim>", NULL);
  if( rc==0 ) rc = nqQuad(x, zG, "<" NS_FAKT "subject>", zS, NULL);
  if( rc==0 ) rc = nqQuad(x, zG, "<" NS_FAKT "predicate>", zP, NULL);
  if( rc==0 ) rc = nqQuad(x, zG, "<" NS_FAKT "object>", zO, NULL);
#define NQ_OPT(zVal, zPred, expr) \
  if( rc==0 && (zVal) ){ z = (expr); rc = nqQuad(x, zG, zPred, z, NULL); free(z); }
  NQ_OPT(c->zSource, "<" PROV "wasDerivedFrom>", termIri("e", c->zSource));
  NQ_OPT(c->zBy, "<" PROV "wasAttributedTo>", termIri("e", c->zBy));
  NQ_OPT(c->zStance, "<" NS_FAKT "stance>", faktMprintf("<" NS_FAKT "%s>", c->zStance));
  NQ_OPT(c->zHolds, "<" NS_FAKT "holds>", termLit(c->zHolds, dateType(c->zHolds)));
  NQ_OPT(c->zUntil, "<" NS_FAKT "until>", termLit(c->zUntil, dateType(c->zUntil)));
  NQ_OPT(c->zSaid, "<" NS_FAKT "said>", termLit(c->zSaid, dateType(c->zSaid)));
  NQ_OPT(c->zQuote, "<" NS_FAKT "quote>", termLit(c->zQuote, NULL));
#undef NQ_OPT
  if( rc==0 ){
    char zTx[32];
    snprintf(zTx, sizeof(zTx), "%lld", (long long)c->iTx);
    z = termLit(zTx, XSD "integer");
    rc = nqQuad(x, zG, "<" NS_FAKT "recordedInTx>", z, NULL);
    free(z);
  }
  /* via: one fakt:via per link, and the order as an rdf:List */
  for(int i=0; rc==0 && i<c->nVia; i++){
    z = termIri("e", c->azVia[i]);
    rc = nqQuad(x, zG, "<" NS_FAKT "via>", z, NULL);
    free(z);
  }
  if( rc==0 && c->nVia>0 ){
    char zNode[64], zNext[64];
    int iFirst = ++x->nBlank;
    snprintf(zNode, sizeof(zNode), "_:via%d", iFirst);
    rc = nqQuad(x, zG, "<" NS_FAKT "viaChain>", zNode, NULL);
    for(int i=0; rc==0 && i<c->nVia; i++){
      z = termIri("e", c->azVia[i]);
      rc = nqQuad(x, zNode, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#first>", z, NULL);
      free(z);
      if( i+1<c->nVia ) snprintf(zNext, sizeof(zNext), "_:via%d", ++x->nBlank);
      else snprintf(zNext, sizeof(zNext), "<http://www.w3.org/1999/02/22-rdf-syntax-ns#nil>");
      if( rc==0 ) rc = nqQuad(x, zNode, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#rest>", zNext, NULL);
      memcpy(zNode, zNext, sizeof(zNode));
    }
  }
  free(zG); free(zS); free(zP); free(zO);
  return rc;
}

/* ================================================================ JSONL and CSV records */

static int sqlPredicate(Ex *x, const PredInfo *p);
static int sqlEntity(Ex *x, const EntInfo *e);
static int sqlSource(Ex *x, const SrcInfo *src);
static int sqlClaim(Ex *x, const ClaimInfo *c);

static int recPredicate(Ex *x, const PredInfo *p){
  if( x->eFmt==F_NQUADS ) return nqPredicate(x, p);
  if( x->eFmt==F_SQLX ) return sqlPredicate(x, p);
  Str *s = &x->line;
  const char *zType = azObjType[p->objType<=PT_CLAIM ? p->objType : 0];
  faktStrReset(s);
  if( x->eFmt==F_JSONL ){
    faktStrPuts(s, "{\"kind\":\"predicate\"");
    jField(s, "id", p->zId);
    jField(s, "type", zType);
    jRaw(s, "single", p->bSingle ? "true" : "false");
    jField(s, "doc", p->zDoc);
    faktStrAppend(s, "}", 1);
    return putLine(x, x->f, s);
  }
  faktEscCsv(s, p->zId, 1);
  faktEscCsv(s, zType, 0);
  faktEscCsv(s, p->bSingle ? "true" : "false", 0);
  faktEscCsv(s, p->zDoc, 0);
  return putLine(x, x->aCsv[CSV_PRED], s);
}

static int recEntity(Ex *x, const EntInfo *e){
  if( x->eFmt==F_NQUADS ) return nqEntity(x, e);
  if( x->eFmt==F_SQLX ) return sqlEntity(x, e);
  Str *s = &x->line;
  char zLat[64] = "", zLon[64] = "";
  if( e->bCoords ){
    fmtNum(e->lat, zLat, sizeof(zLat));
    fmtNum(e->lon, zLon, sizeof(zLon));
  }
  faktStrReset(s);
  if( x->eFmt==F_JSONL ){
    faktStrPuts(s, "{\"kind\":\"entity\"");
    jField(s, "id", e->zId);
    jField(s, "type", e->zType);
    jField(s, "label", e->zLabel);
    jList(s, "aliases", e->azAlias, e->nAlias);
    if( e->bCoords ){ jRaw(s, "lat", zLat); jRaw(s, "lon", zLon); }
    faktStrAppend(s, "}", 1);
    return putLine(x, x->f, s);
  }
  faktEscCsv(s, e->zId, 1);
  faktEscCsv(s, e->zType, 0);
  faktEscCsv(s, e->zLabel, 0);
  faktEscCsv(s, e->bCoords ? zLat : NULL, 0);
  faktEscCsv(s, e->bCoords ? zLon : NULL, 0);
  int rc = putLine(x, x->aCsv[CSV_ENT], s);
  for(int i=0; rc==0 && i<e->nAlias; i++){
    faktStrReset(s);
    faktEscCsv(s, e->zId, 1);
    faktEscCsv(s, e->azAlias[i], 0);
    rc = putLine(x, x->aCsv[CSV_ALIAS], s);
  }
  return rc;
}

static int recSource(Ex *x, const SrcInfo *src){
  if( x->eFmt==F_NQUADS ) return nqSource(x, src);
  if( x->eFmt==F_SQLX ) return sqlSource(x, src);
  Str *s = &x->line;
  faktStrReset(s);
  if( x->eFmt==F_JSONL ){
    faktStrPuts(s, "{\"kind\":\"source\"");
    jField(s, "id", src->zId);
    jField(s, "title", src->zTitle);
    jField(s, "outlet", src->zOutlet);
    jField(s, "published", src->zPublished);
    jField(s, "text", src->zText);
    faktStrAppend(s, "}", 1);
    return putLine(x, x->f, s);
  }
  faktEscCsv(s, src->zId, 1);
  faktEscCsv(s, src->zTitle, 0);
  faktEscCsv(s, src->zOutlet, 0);
  faktEscCsv(s, src->zPublished, 0);
  faktEscCsv(s, src->zText, 0);
  return putLine(x, x->aCsv[CSV_SRC], s);
}

static int recClaim(Ex *x, const ClaimInfo *c){
  if( x->eFmt==F_NQUADS ) return nqClaim(x, c);
  if( x->eFmt==F_SQLX ) return sqlClaim(x, c);
  Str *s = &x->line;
  char zTx[32];
  snprintf(zTx, sizeof(zTx), "%lld", (long long)c->iTx);
  faktStrReset(s);
  if( x->eFmt==F_JSONL ){
    faktStrPuts(s, "{\"kind\":\"claim\"");
    jField(s, "id", c->zId);
    jField(s, "s", c->zS);
    jField(s, "p", c->zP);
    switch( c->oType ){
      case FAKT_INTEGER: case FAKT_FLOAT: case FAKT_QUANTITY: case FAKT_BOOL:
        jRaw(s, "o", c->zO); break;
      default: jField(s, "o", c->zO);
    }
    jField(s, "otype", otypeName(c->oType));
    jField(s, "unit", c->zUnit);
    jField(s, "source", c->zSource);
    jField(s, "by", c->zBy);
    jList(s, "via", c->azVia, c->nVia);
    jField(s, "stance", c->zStance);
    jField(s, "holds", c->zHolds);
    jField(s, "until", c->zUntil);
    jField(s, "said", c->zSaid);
    jField(s, "quote", c->zQuote);
    jRaw(s, "recorded", zTx);
    faktStrAppend(s, "}", 1);
    return putLine(x, x->f, s);
  }
  Str via = {0};
  for(int i=0; i<c->nVia; i++){
    if( i ) faktStrAppend(&via, " ", 1);
    faktStrPuts(&via, c->azVia[i]);
  }
  faktEscCsv(s, c->zId, 1);
  faktEscCsv(s, c->zS, 0);
  faktEscCsv(s, c->zP, 0);
  faktEscCsv(s, c->zO, 0);
  faktEscCsv(s, otypeName(c->oType), 0);
  faktEscCsv(s, c->zUnit, 0);
  faktEscCsv(s, c->zSource, 0);
  faktEscCsv(s, c->zBy, 0);
  faktEscCsv(s, via.z, 0);
  faktEscCsv(s, c->zStance, 0);
  faktEscCsv(s, c->zHolds, 0);
  faktEscCsv(s, c->zUntil, 0);
  faktEscCsv(s, c->zSaid, 0);
  faktEscCsv(s, c->zQuote, 0);
  faktEscCsv(s, zTx, 0);
  faktStrFree(&via);
  return putLine(x, x->aCsv[CSV_CLAIM], s);
}

/* ================================================================ walking the database */

static int walkPredicates(Ex *x){
  fakt_stmt *pAll = NULL, *pSingle = NULL;
  char **azSingle = NULL;
  int nSingle = 0, rc;
  rc = exPrepare(x, "find ?p where predicate(?p) order by ?p;", &pAll);
  if( rc==0 ) rc = exPrepare(x, "find ?p where single(?p);", &pSingle);
  if( rc==0 ) rc = listFor(x, pSingle, NULL, &azSingle, &nSingle);
  while( rc==0 && (rc = exStep(x, pAll))==FAKT_ROW ){
    PredInfo p;
    memset(&p, 0, sizeof(p));
    p.zId = colText(pAll, 0);
    for(int i=0; i<nSingle; i++) if( strcmp(azSingle[i], p.zId)==0 ) p.bSingle = 1;
    rc = readInternal(x, p.zId, NULL, &p.objType, &p.zDoc, NULL);
    if( rc==0 ) rc = recPredicate(x, &p);
    free(p.zDoc);
  }
  fakt_finalize(pAll);
  fakt_finalize(pSingle);
  freeList(azSingle, nSingle);
  return rc==FAKT_DONE ? FAKT_OK : rc;
}

/* Every entity that is not a source, type or stance, ordered by id; x(e). */
static int walkEntities(Ex *x, int (*xEnt)(Ex*, const EntInfo*)){
  fakt_stmt *pAll = NULL, *pAlias = NULL, *pCoords = NULL;
  int rc = exPrepare(x, "find ?e, ?t, ?l where type(?e, ?t), label(?e, ?l), not predicate(?e) order by ?e;", &pAll);
  if( rc==0 ) rc = exPrepare(x, "find ?a where alias($e, ?a);", &pAlias);
  if( rc==0 ) rc = exPrepare(x, "find ?la, ?lo where coords($e, ?la, ?lo);", &pCoords);
  while( rc==0 && (rc = exStep(x, pAll))==FAKT_ROW ){
    EntInfo e;
    memset(&e, 0, sizeof(e));
    e.zId = colText(pAll, 0);
    e.zType = colText(pAll, 1);
    e.zLabel = colText(pAll, 2);
    if( strcmp(e.zType, "document")==0 ){       /* sources are documents too */
      int kind = 0;
      rc = readInternal(x, e.zId, &kind, NULL, NULL, NULL);
      if( rc ) break;
      if( kind==K_SOURCE ) continue;
    }
    rc = listFor(x, pAlias, e.zId, &e.azAlias, &e.nAlias);
    if( rc==0 ){
      fakt_reset(pCoords);
      rc = fakt_bind_entity(pCoords, 1, e.zId);
      if( rc ) rc = exDbErr(x, rc);
      else if( (rc = exStep(x, pCoords))==FAKT_ROW ){
        e.bCoords = 1;
        e.lat = fakt_column_double(pCoords, 0);
        e.lon = fakt_column_double(pCoords, 1);
        rc = FAKT_OK;
      }else if( rc==FAKT_DONE ){
        rc = FAKT_OK;
      }
      fakt_reset(pCoords);
    }
    if( rc==0 ) rc = xEnt(x, &e);
    freeList(e.azAlias, e.nAlias);
  }
  fakt_finalize(pAll);
  fakt_finalize(pAlias);
  fakt_finalize(pCoords);
  return rc==FAKT_DONE ? FAKT_OK : rc;
}

static int walkSources(Ex *x){
  fakt_stmt *pAll = NULL;
  int rc = exPrepare(x, "find ?s, ?t, ?o, ?d where type(?s, document), title(?s, ?t), optional { outlet(?s, ?o) }, "
                        "optional { published(?s, ?d) } order by ?s;", &pAll);
  while( rc==0 && (rc = exStep(x, pAll))==FAKT_ROW ){
    SrcInfo s;
    memset(&s, 0, sizeof(s));
    s.zId = colText(pAll, 0);
    s.zTitle = colText(pAll, 1);
    s.zOutlet = dupText(colText(pAll, 2));
    s.zPublished = dupText(colText(pAll, 3));
    int kind = 0;
    rc = readInternal(x, s.zId, &kind, NULL, NULL, &s.zText);
    if( rc==0 && kind==K_SOURCE ) rc = recSource(x, &s);
    free(s.zOutlet); free(s.zPublished); free(s.zText);
  }
  fakt_finalize(pAll);
  return rc==FAKT_DONE ? FAKT_OK : rc;
}

/* Every visible claim, ordered by id, with its provenance; x(c). */
static int walkClaims(Ex *x, const char *zSql, const char *zBind,
                      int (*xClaim)(Ex*, const ClaimInfo*)){
  fakt_stmt *pAll = NULL;
  int rc = exPrepare(x, zSql, &pAll);
  if( rc==0 && zBind && (rc = fakt_bind_entity(pAll, 1, zBind))!=FAKT_OK ) rc = exDbErr(x, rc);
  while( rc==0 && (rc = exStep(x, pAll))==FAKT_ROW ){
    ClaimInfo c;
    memset(&c, 0, sizeof(c));
    claimFromRow(pAll, 0, &c);
    rc = claimDetails(x, &c);
    if( rc==0 ) rc = xClaim(x, &c);
    claimFree(&c);
  }
  fakt_finalize(pAll);
  return rc==FAKT_DONE ? FAKT_OK : rc;
}

static int inList(char **az, int n, const char *z);
static int addList(Ex *x, char ***paz, int *pn, const char *z);

/*
** Export only the claims a query names: zQuery is a find statement whose
** first column holds claims (nquads, jsonl). Each distinct claim is written
** with all its provenance, in the order the query gives them.
*/
static int exportQuery(Ex *x, const char *zQuery){
  fakt_stmt *pQ = NULL;
  char **azId = NULL;
  int nId = 0, rc = exPrepare(x, zQuery, &pQ);
  if( rc==0 && (fakt_stmt_readonly(pQ)==0 || fakt_column_count(pQ)<1) ){
    rc = exErr(x, FAKT_MISUSE, "the export query must be a find whose first column holds claims");
  }
  while( rc==0 && (rc = exStep(x, pQ))==FAKT_ROW ){
    if( fakt_column_type(pQ, 0)!=FAKT_CLAIM ){
      rc = exErr(x, FAKT_MISMATCH, "the export query's first column must hold claims, not \"%s\"",
                 colText(pQ, 0) ? colText(pQ, 0) : "null");
      break;
    }
    const char *zId = colText(pQ, 0);
    if( !inList(azId, nId, zId) ) rc = addList(x, &azId, &nId, zId);
  }
  fakt_finalize(pQ);
  if( rc==FAKT_DONE ) rc = FAKT_OK;
  for(int i=0; rc==0 && i<nId; i++){
    rc = walkClaims(x, "find $c, ?s, ?p, ?o where $c: ?s ?p ?o;", azId[i], recClaim);
  }
  freeList(azId, nId);
  return rc;
}

/* JSON Lines: each stored rule name with its text (its rule statements),
** after the claims, so that an import defines them last (SPEC 14.3). */
static int walkRules(Ex *x){
  fakt_stmt *pAll = NULL;
  int rc = exPrepare(x, "find ?r, ?t where rule_text(?r, ?t) order by ?r;", &pAll);
  while( rc==0 && (rc = exStep(x, pAll))==FAKT_ROW ){
    Str *s = &x->line;
    faktStrReset(s);
    faktStrPuts(s, "{\"kind\":\"rule\"");
    jField(s, "name", colText(pAll, 0));
    jField(s, "text", colText(pAll, 1));
    faktStrAppend(s, "}", 1);
    rc = putLine(x, x->f, s);
  }
  fakt_finalize(pAll);
  return rc==FAKT_DONE ? FAKT_OK : rc;
}

static int exportData(Ex *x){
  int rc = walkPredicates(x);
  if( rc==0 ) rc = walkEntities(x, recEntity);
  if( rc==0 ) rc = walkSources(x);
  if( rc==0 ) rc = walkClaims(x, "find ?c, ?s, ?p, ?o where ?c: ?s ?p ?o order by ?c;", NULL, recClaim);
  if( rc==0 && x->eFmt==F_JSONL ) rc = walkRules(x);
  return rc;
}

/* ================================================================ DOT */


typedef struct DotCtx {
  char **azNode; int nNode;  /* node ids declared so far */
  char **azClaim; int nClaim;/* claims drawn */
  int nLit;
  const char *zCenter;
} DotCtx;

static int inList(char **az, int n, const char *z){
  for(int i=0; i<n; i++) if( strcmp(az[i], z)==0 ) return 1;
  return 0;
}
static int addList(Ex *x, char ***paz, int *pn, const char *z){
  char **azNew = realloc(*paz, sizeof(char*)*(size_t)(*pn+1));
  if( azNew==NULL ) return exErr(x, FAKT_NOMEM, "out of memory");
  *paz = azNew;
  azNew[(*pn)++] = strdup(z);
  return FAKT_OK;
}

/* Declare an entity node once, labelled with its label. */
static int dotEntityNode(Ex *x, DotCtx *d, const char *zId){
  if( inList(d->azNode, d->nNode, zId) ) return FAKT_OK;
  int rc = addList(x, &d->azNode, &d->nNode, zId);
  if( rc ) return rc;
  fakt_stmt *p = NULL;
  char *zLabel = NULL;
  if( exPrepare(x, "find label($e);", &p)==FAKT_OK ){
    if( fakt_bind_entity(p, 1, zId)==FAKT_OK && fakt_step(p)==FAKT_ROW ){
      zLabel = dupText(colText(p, 0));
    }
    fakt_finalize(p);
  }
  Str *s = &x->line;
  faktStrReset(s);
  faktStrPuts(s, "  ");
  faktEscDot(s, zId, 0);
  faktStrPuts(s, " [shape=ellipse, label=");
  faktEscDot(s, zLabel ? zLabel : zId, 40);
  if( d->zCenter && strcmp(zId, d->zCenter)==0 ) faktStrPuts(s, ", style=filled, fillcolor=lightyellow");
  faktStrPuts(s, "];");
  free(zLabel);
  return putLine(x, x->f, s);
}

/* Edge style of a stance (SPEC 14.6). */
static const char *stanceStyle(const char *z){
  if( z==NULL || strcmp(z, "asserts")==0 ) return "style=solid, color=black";
  if( strcmp(z, "confirms")==0 ) return "style=bold, color=darkgreen";
  if( strcmp(z, "hedges")==0 ) return "style=dashed, color=black";
  if( strcmp(z, "speculates")==0 ) return "style=dotted, color=black";
  if( strcmp(z, "denies")==0 ) return "style=solid, color=red";
  return "style=solid, color=gray";
}

/* One claim: a box; subject -> box -> object; speaker -> box styled by stance;
** each via link -> box dotted grey. */
static int dotClaim(Ex *x, const ClaimInfo *c, DotCtx *d){
  if( inList(d->azClaim, d->nClaim, c->zId) ) return FAKT_OK;
  int rc = addList(x, &d->azClaim, &d->nClaim, c->zId);
  Str *s = &x->line;
  char zObj[64];
  if( rc ) return rc;
  faktStrReset(s);
  faktStrPuts(s, "  ");
  faktEscDot(s, c->zId, 0);
  faktStrPuts(s, " [shape=box, label=");
  {
    Str l = {0};
    faktStrPrintf(&l, "%s\n%s", c->zP, c->zId);
    if( c->zSource ) faktStrPrintf(&l, " (%s)", c->zSource);
    faktEscDot(s, l.z ? l.z : "", 0);
    faktStrFree(&l);
  }
  faktStrPuts(s, "];");
  rc = putLine(x, x->f, s);
  if( rc==0 && !c->bSClaim ) rc = dotEntityNode(x, d, c->zS);
  if( rc==0 ){
    faktStrReset(s);
    faktStrPuts(s, "  "); faktEscDot(s, c->zS, 0); faktStrPuts(s, " -> "); faktEscDot(s, c->zId, 0);
    faktStrPuts(s, " [arrowhead=none, color=gray30];");
    rc = putLine(x, x->f, s);
  }
  if( rc==0 ){
    if( c->oType==FAKT_ENTITY ){
      rc = dotEntityNode(x, d, c->zO);
      faktStrReset(s);
      faktStrPuts(s, "  "); faktEscDot(s, c->zId, 0); faktStrPuts(s, " -> "); faktEscDot(s, c->zO, 0);
      faktStrPuts(s, " [color=gray30];");
    }else if( c->oType==FAKT_CLAIM ){
      faktStrReset(s);
      faktStrPuts(s, "  "); faktEscDot(s, c->zId, 0); faktStrPuts(s, " -> "); faktEscDot(s, c->zO, 0);
      faktStrPuts(s, " [color=gray30];");
    }else{
      snprintf(zObj, sizeof(zObj), "lit%d", ++d->nLit);
      Str v = {0};
      if( c->oType==FAKT_QUANTITY ) faktStrPrintf(&v, "%s %s", c->zO, c->zUnit ? c->zUnit : "");
      else faktStrPuts(&v, c->zO ? c->zO : "");
      faktStrReset(s);
      faktStrPrintf(s, "  %s [shape=note, fontsize=10, label=", zObj);
      faktEscDot(s, v.z ? v.z : "", 40);
      faktStrPuts(s, "];");
      faktStrFree(&v);
      if( rc==0 ) rc = putLine(x, x->f, s);
      faktStrReset(s);
      faktStrPuts(s, "  "); faktEscDot(s, c->zId, 0); faktStrPrintf(s, " -> %s [color=gray30];", zObj);
    }
    if( rc==0 ) rc = putLine(x, x->f, s);
  }
  if( rc==0 && c->zBy ){
    rc = dotEntityNode(x, d, c->zBy);
    faktStrReset(s);
    faktStrPuts(s, "  "); faktEscDot(s, c->zBy, 0); faktStrPuts(s, " -> "); faktEscDot(s, c->zId, 0);
    faktStrPrintf(s, " [%s, label=", stanceStyle(c->zStance));
    faktEscDot(s, c->zStance ? c->zStance : "asserts", 0);
    faktStrPuts(s, ", fontsize=9];");
    if( rc==0 ) rc = putLine(x, x->f, s);
  }
  for(int i=0; rc==0 && i<c->nVia; i++){
    rc = dotEntityNode(x, d, c->azVia[i]);
    faktStrReset(s);
    faktStrPuts(s, "  "); faktEscDot(s, c->azVia[i], 0); faktStrPuts(s, " -> "); faktEscDot(s, c->zId, 0);
    faktStrPrintf(s, " [style=dotted, color=gray50, label=\"via %d\", fontsize=9];", i+1);
    if( rc==0 ) rc = putLine(x, x->f, s);
  }
  return rc;
}

static int dotClaimCb(Ex *x, const ClaimInfo *c){ return dotClaim(x, c, x->pDot); }

/* Resolve zArg to an entity id: an id, else a unique label or alias
** (written bare or as ~"Label"). */
static int resolveEntity(Ex *x, const char *zArg, char **pzId){
  fakt_stmt *p = NULL;
  *pzId = NULL;
  int rc = exPrepare(x, "find ?e where ?e = $e;", &p);
  if( rc ) return rc;
  if( fakt_bind_entity(p, 1, zArg)==FAKT_OK ){
    *pzId = strdup(zArg);
    fakt_finalize(p);
    return FAKT_OK;
  }
  fakt_finalize(p);
  rc = exPrepare(x, "find ?e where named(?e, $n) order by ?e;", &p);
  if( rc ) return rc;
  {
    /* ~"Label" as in the language, or the bare label */
    const char *z = zArg;
    int n = (int)strlen(z);
    if( z[0]=='~' ){ z++; n--; }
    if( n>=2 && z[0]=='"' && z[n-1]=='"' ){ z++; n -= 2; }
    fakt_bind_text(p, 1, z, n, FAKT_TRANSIENT);
  }
  int n = 0;
  while( fakt_step(p)==FAKT_ROW ){
    if( n++==0 ) *pzId = dupText(colText(p, 0));
  }
  fakt_finalize(p);
  if( n==1 ) return FAKT_OK;
  free(*pzId);
  *pzId = NULL;
  if( n==0 ) return exErr(x, FAKT_NOTFOUND, "no entity \"%s\"", zArg);
  return exErr(x, FAKT_CONSTRAINT, "ambiguous name \"%s\": use the entity's id", zArg);
}

static int exportDot(Ex *x, const char *zArg){
  DotCtx d;
  char *zId = NULL;
  int rc;
  memset(&d, 0, sizeof(d));
  if( zArg==NULL ) return exErr(x, FAKT_MISUSE, "dot export needs an entity");
  rc = resolveEntity(x, zArg, &zId);
  if( rc ) return rc;
  d.zCenter = zId;
  x->pDot = &d;
  Str *s = &x->line;
  faktStrReset(s);
  faktStrPuts(s, "digraph claims {\n  graph [rankdir=LR, fontname=\"Helvetica\", label=");
  faktEscDot(s, zId, 0);
  faktStrPuts(s, ", labelloc=t];\n  node [fontname=\"Helvetica\", fontsize=11];\n"
             "  edge [fontname=\"Helvetica\"];");
  rc = putLine(x, x->f, s);
  /* claims about it (subject or object), by it, and relayed through it */
  static const char *const azQ[] = {
    "find ?c, ?s, ?p, ?o where ?c: ?s ?p ?o, ?s = $e order by ?c;",
    "find ?c, ?s, ?p, ?o where ?c: ?s ?p ?o, ?o = $e order by ?c;",
    "find ?c, ?s, ?p, ?o where by(?c, $e), ?c: ?s ?p ?o order by ?c;",
    "find ?c, ?s, ?p, ?o where via(?c, $e), ?c: ?s ?p ?o order by ?c;",
  };
  for(int i=0; rc==0 && i<4; i++) rc = walkClaims(x, azQ[i], zId, dotClaimCb);
  if( rc==0 ){
    faktStrReset(s);
    faktStrPuts(s, "}");
    rc = putLine(x, x->f, s);
  }
  freeList(d.azNode, d.nNode);
  freeList(d.azClaim, d.nClaim);
  free(zId);
  x->pDot = NULL;
  return rc;
}

/* ================================================================ GeoJSON */


static int geoPoint(Ex *x, const EntInfo *e){
  if( !e->bCoords ) return FAKT_OK;
  Str *s = &x->line;
  char zLat[64], zLon[64];
  fmtNum(e->lat, zLat, sizeof(zLat));
  fmtNum(e->lon, zLon, sizeof(zLon));
  faktStrReset(s);
  faktStrPuts(s, x->nFeature++ ? ",\n" : "\n");
  faktStrPrintf(s, "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[%s,%s]},"
               "\"properties\":{\"id\":", zLon, zLat);
  faktEscJson(s, e->zId);
  faktStrPuts(s, ",\"label\":");
  faktEscJson(s, e->zLabel);
  faktStrPuts(s, ",\"type\":");
  faktEscJson(s, e->zType);
  faktStrPuts(s, "}}");
  if( s->bOom ) return exErr(x, FAKT_NOMEM, "out of memory");
  if( fwrite(s->z, 1, s->n, x->f)!=s->n ) return exErr(x, FAKT_IOERR, "write failed: %s", strerror(errno));
  return FAKT_OK;
}

typedef struct RoutePt { char *zId; double lat, lon, km; } RoutePt;

static int routeCmp(const void *a, const void *b){
  const RoutePt *p = a, *q = b;
  if( p->km!=q->km ) return p->km<q->km ? -1 : 1;
  return strcmp(p->zId, q->zId);
}

/*
** The route of zWho (SPEC 14.6): the cities and places with coordinates
** named by its claims departs_from, arrives_in, present_in, travels_to whose
** holds date is absent or overlaps the first departure's, ordered by the
** great-circle distance from the place it departs from.
*/
static int geoRoute(Ex *x, const char *zWho){
  fakt_stmt *p = NULL;
  RoutePt *a = NULL;
  int n = 0, rc;
  char *zStart = NULL, *zWhen = NULL;
  double lat0 = 0, lon0 = 0;
  rc = exPrepare(x, "find ?p, ?la, ?lo, ?h where ?c: $e departs_from ?p, coords(?p, ?la, ?lo), "
                    "holds(?c, ?h) order by ?h desc, ?c limit 1;", &p);
  if( rc ) return rc;
  if( fakt_bind_entity(p, 1, zWho)==FAKT_OK && fakt_step(p)==FAKT_ROW ){
    zStart = dupText(colText(p, 0));
    lat0 = fakt_column_double(p, 1);
    lon0 = fakt_column_double(p, 2);
    zWhen = dupText(colText(p, 3));
  }
  fakt_finalize(p);
  if( zStart==NULL ) return FAKT_OK;     /* no journey: no route */
  static const char *zQ =
    "find distinct ?p, ?la, ?lo, ?h where ?c: $e $w ?p, coords(?p, ?la, ?lo), type(?p, ?t), "
    "?t != country, ?t != region, optional { holds(?c, ?h) };";
  static const char *const azRel[] = { "arrives_in", "present_in", "travels_to", "departs_from" };
  for(int k=0; rc==0 && k<4; k++){
    rc = exPrepare(x, zQ, &p);
    if( rc ) break;
    if( fakt_bind_entity(p, 1, zWho)!=FAKT_OK || fakt_bind_entity(p, 2, azRel[k])!=FAKT_OK ){
      fakt_finalize(p);
      continue;                          /* the predicate does not exist here */
    }
    while( (rc = exStep(x, p))==FAKT_ROW ){
      const char *zH = colText(p, 3);
      /* the journey: no date, or a date overlapping the departure's month */
      if( zH && zWhen && strncmp(zH, zWhen, strlen(zH)<7 ? strlen(zH) : 7)!=0 ) continue;
      const char *zP = colText(p, 0);
      int bSeen = 0;
      for(int i=0; i<n; i++) if( strcmp(a[i].zId, zP)==0 ) bSeen = 1;
      if( bSeen ) continue;
      RoutePt *aNew = realloc(a, sizeof(RoutePt)*(size_t)(n+1));
      if( aNew==NULL ){ rc = exErr(x, FAKT_NOMEM, "out of memory"); break; }
      a = aNew;
      a[n].zId = strdup(zP);
      a[n].lat = fakt_column_double(p, 1);
      a[n].lon = fakt_column_double(p, 2);
      a[n].km = faktHaversineKm(lat0, lon0, a[n].lat, a[n].lon);
      n++;
    }
    fakt_finalize(p);
    if( rc==FAKT_DONE ) rc = FAKT_OK;
  }
  if( rc==0 && n>=2 ){
    qsort(a, (size_t)n, sizeof(RoutePt), routeCmp);
    Str *s = &x->line;
    faktStrReset(s);
    faktStrPuts(s, x->nFeature++ ? ",\n" : "\n");
    faktStrPuts(s, "{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":[");
    for(int i=0; i<n; i++){
      char zLat[64], zLon[64];
      fmtNum(a[i].lat, zLat, sizeof(zLat));
      fmtNum(a[i].lon, zLon, sizeof(zLon));
      faktStrPrintf(s, "%s[%s,%s]", i ? "," : "", zLon, zLat);
    }
    faktStrPuts(s, "]},\"properties\":{\"route\":");
    faktEscJson(s, zWho);
    faktStrPuts(s, ",\"stops\":[");
    for(int i=0; i<n; i++){
      if( i ) faktStrAppend(s, ",", 1);
      faktEscJson(s, a[i].zId);
    }
    faktStrPuts(s, "]}}");
    if( s->bOom ) rc = exErr(x, FAKT_NOMEM, "out of memory");
    else if( fwrite(s->z, 1, s->n, x->f)!=s->n ) rc = exErr(x, FAKT_IOERR, "write failed");
  }
  for(int i=0; i<n; i++) free(a[i].zId);
  free(a);
  free(zStart);
  free(zWhen);
  return rc;
}

static int exportGeojson(Ex *x, const char *zArg){
  char *zWho = NULL;
  int rc;
  if( fputs("{\"type\":\"FeatureCollection\",\"features\":[", x->f)<0 ){
    return exErr(x, FAKT_IOERR, "write failed");
  }
  rc = walkEntities(x, geoPoint);
  if( rc==0 ){
    if( zArg ){
      rc = resolveEntity(x, zArg, &zWho);
    }else{
      fakt_stmt *p = NULL;
      if( fakt_prepare(x->db, "find ?e where ?e = $e;", -1, &p, NULL)==FAKT_OK
       && fakt_bind_entity(p, 1, "kim_jong_un")==FAKT_OK ){
        zWho = strdup("kim_jong_un");
      }
      fakt_finalize(p);
    }
  }
  if( rc==0 && zWho ) rc = geoRoute(x, zWho);
  if( rc==0 && fputs("\n]}\n", x->f)<0 ) rc = exErr(x, FAKT_IOERR, "write failed");
  free(zWho);
  return rc;
}

/* ================================================================ SQL (PostgreSQL) */

/*
** The schema of the "sql" export (SPEC.md 14.7). Every value is text in
** fakt's text form, with its type name beside it where a column can hold
** several types, and its number where it has one; explain sql (sql.c)
** translates queries against exactly these names.
*/
static const char zSqlSchema[] =
  "-- fakt export for PostgreSQL (SPEC.md 14.7): psql -v ON_ERROR_STOP=1 -f FILE\n"
  "BEGIN;\n"
  "-- predicates: id, object type (any, entity, string, number, quantity, date, claim), single-valued, description\n"
  "CREATE TABLE predicates (id text PRIMARY KEY, type text NOT NULL, single boolean NOT NULL, doc text);\n"
  "-- entities (not sources): id, type, label, coordinates (WGS84 degrees) or NULL\n"
  "CREATE TABLE entities (id text PRIMARY KEY, type text NOT NULL, label text NOT NULL,\n"
  "  lat double precision, lon double precision);\n"
  "-- aliases: one row per alias of an entity\n"
  "CREATE TABLE aliases (entity text NOT NULL, alias text NOT NULL);\n"
  "-- sources (articles): id, title, outlet (entity id), publication date, the stored text\n"
  "CREATE TABLE sources (id text PRIMARY KEY, title text NOT NULL, outlet text, published text, text text);\n"
  "-- claims: subject, predicate, object with all provenance. stype: entity or claim;\n"
  "-- o: the object in fakt's text form; otype: entity, claim, string, integer, float,\n"
  "-- quantity (o is 'NUMBER UNIT'), date (YYYY, YYYY-MM or YYYY-MM-DD), boolean;\n"
  "-- onum: the number of an integer, float or quantity, else NULL\n"
  "CREATE TABLE claims (id text PRIMARY KEY, s text NOT NULL, stype text NOT NULL, p text NOT NULL,\n"
  "  o text NOT NULL, otype text NOT NULL, onum double precision, unit text,\n"
  "  source text, attributed_to text, stance text NOT NULL, holds text, holds_until text,\n"
  "  said text, quote text, recorded bigint NOT NULL);\n"
  "-- the via chain of a claim: pos 1 is the nearest link\n"
  "CREATE TABLE claim_via (claim text NOT NULL, pos integer NOT NULL, entity text NOT NULL,\n"
  "  PRIMARY KEY (claim, pos));\n";

static const char zSqlIndexes[] =
  "CREATE INDEX claims_sp ON claims (s, p);\n"
  "CREATE INDEX claims_po ON claims (p, o);\n"
  "CREATE INDEX claims_o ON claims (o);\n"
  "CREATE INDEX claims_source ON claims (source);\n"
  "CREATE INDEX aliases_entity ON aliases (entity);\n"
  "-- objects: every named entity and source with its type and label (type(), label())\n"
  "CREATE VIEW objects (id, type, label) AS\n"
  "  SELECT id, type, label FROM entities UNION ALL SELECT id, 'document', title FROM sources;\n";


static int sqlCopyBegin(Ex *x, const char *zHead){
  if( fputs(zHead, x->f)<0 ) return exErr(x, FAKT_IOERR, "write failed: %s", strerror(errno));
  return FAKT_OK;
}

static int sqlPredicate(Ex *x, const PredInfo *p){
  Str *s = &x->line;
  faktStrReset(s);
  faktEscCopy(s, p->zId, 1);
  faktEscCopy(s, azObjType[p->objType<=PT_CLAIM ? p->objType : 0], 0);
  faktEscCopy(s, p->bSingle ? "t" : "f", 0);
  faktEscCopy(s, p->zDoc, 0);
  return putLine(x, x->f, s);
}

/* entities go to the file, their aliases to x->line2 (written after) */
static int sqlEntity(Ex *x, const EntInfo *e){
  Str *s = &x->line;
  char zLat[64], zLon[64];
  faktStrReset(s);
  faktEscCopy(s, e->zId, 1);
  faktEscCopy(s, e->zType, 0);
  faktEscCopy(s, e->zLabel, 0);
  if( e->bCoords ){
    snprintf(zLat, sizeof(zLat), "%.17g", e->lat);
    snprintf(zLon, sizeof(zLon), "%.17g", e->lon);
  }
  faktEscCopy(s, e->bCoords ? zLat : NULL, 0);
  faktEscCopy(s, e->bCoords ? zLon : NULL, 0);
  for(int i=0; i<e->nAlias; i++){
    faktEscCopy(&x->line2, e->zId, 1);
    faktEscCopy(&x->line2, e->azAlias[i], 0);
    faktStrAppend(&x->line2, "\n", 1);
  }
  return putLine(x, x->f, s);
}

static int sqlSource(Ex *x, const SrcInfo *src){
  Str *s = &x->line;
  faktStrReset(s);
  faktEscCopy(s, src->zId, 1);
  faktEscCopy(s, src->zTitle, 0);
  faktEscCopy(s, src->zOutlet, 0);
  faktEscCopy(s, src->zPublished, 0);
  faktEscCopy(s, src->zText, 0);
  return putLine(x, x->f, s);
}

/* claims go to the file, their via links to x->line2 */
static int sqlClaim(Ex *x, const ClaimInfo *c){
  Str *s = &x->line;
  char zTx[32], zNum[64];
  Str o = {0};
  int bNum = c->oType==FAKT_INTEGER || c->oType==FAKT_FLOAT || c->oType==FAKT_QUANTITY;
  faktStrPuts(&o, c->zO ? c->zO : "");
  if( c->oType==FAKT_QUANTITY && c->zUnit ){ faktStrAppend(&o, " ", 1); faktStrPuts(&o, c->zUnit); }
  if( c->oType==FAKT_INTEGER ) snprintf(zNum, sizeof(zNum), "%s", c->zO ? c->zO : "0");
  else snprintf(zNum, sizeof(zNum), "%.17g", c->rO);
  snprintf(zTx, sizeof(zTx), "%lld", (long long)c->iTx);
  faktStrReset(s);
  faktEscCopy(s, c->zId, 1);
  faktEscCopy(s, c->zS, 0);
  faktEscCopy(s, c->bSClaim ? "claim" : "entity", 0);
  faktEscCopy(s, c->zP, 0);
  faktEscCopy(s, o.z ? o.z : "", 0);
  faktEscCopy(s, otypeName(c->oType), 0);
  faktEscCopy(s, bNum ? zNum : NULL, 0);
  faktEscCopy(s, c->zUnit, 0);
  faktEscCopy(s, c->zSource, 0);
  faktEscCopy(s, c->zBy, 0);
  faktEscCopy(s, c->zStance ? c->zStance : "asserts", 0);
  faktEscCopy(s, c->zHolds, 0);
  faktEscCopy(s, c->zUntil, 0);
  faktEscCopy(s, c->zSaid, 0);
  faktEscCopy(s, c->zQuote, 0);
  faktEscCopy(s, zTx, 0);
  faktStrFree(&o);
  for(int i=0; i<c->nVia; i++){
    char zPos[16];
    snprintf(zPos, sizeof(zPos), "%d", i+1);
    faktEscCopy(&x->line2, c->zId, 1);
    faktEscCopy(&x->line2, zPos, 0);
    faktEscCopy(&x->line2, c->azVia[i], 0);
    faktStrAppend(&x->line2, "\n", 1);
  }
  return putLine(x, x->f, s);
}

/* Write the text of x->line2 (whole COPY rows) and forget it. */
static int sqlFlush2(Ex *x){
  if( x->line2.n && fwrite(x->line2.z, 1, x->line2.n, x->f)!=x->line2.n ){
    return exErr(x, FAKT_IOERR, "write failed: %s", strerror(errno));
  }
  faktStrReset(&x->line2);
  return FAKT_OK;
}

/* Each stored rule as a view, through explain sql; rules that do not
** translate are a comment naming the reason. */
static int sqlRules(Ex *x){
  RuleSet *rs = NULL;
  StoreTxn *t = NULL;
  fakt *db = x->db;
  int rc;
  pthread_mutex_lock(&db->mutex);
  rc = faktStoreBegin(db->pStore, 0, &t);
  if( rc==0 ){
    rc = faktRulesLoad(db, t, &rs, &db->err);
    faktStoreAbort(t);
  }
  pthread_mutex_unlock(&db->mutex);
  if( rc ) return exDbErr(x, rc);
  for(int i=0; rs && i<rs->nRel && rc==0; i++){
    const Relation *r = &rs->aRel[i];
    Str q = {0}, v = {0};
    fakt_stmt *p = NULL;
    faktStrPrintf(&q, "explain sql find ");
    for(int j=0; j<r->nArity; j++) faktStrPrintf(&q, "%s?a%d", j ? ", " : "", j);
    faktStrPrintf(&q, " where %s(", r->zName);
    for(int j=0; j<r->nArity; j++) faktStrPrintf(&q, "%s?a%d", j ? ", " : "", j);
    faktStrPuts(&q, ");");
    if( fakt_prepare(db, q.z, -1, &p, NULL)==FAKT_OK && fakt_step(p)==FAKT_ROW ){
      faktStrPrintf(&v, "-- rule %s, arguments a0..a%d (their text forms)\nCREATE VIEW \"%s\" AS\n%s;\n",
                    r->zName, r->nArity-1, r->zName, colText(p, 0));
    }else{
      faktStrPrintf(&v, "-- rule %s has no view: %s\n", r->zName, fakt_errmsg(db));
    }
    fakt_finalize(p);
    if( fputs(v.z, x->f)<0 ) rc = exErr(x, FAKT_IOERR, "write failed: %s", strerror(errno));
    faktStrFree(&q);
    faktStrFree(&v);
  }
  if( rs ) faktRulesFree(rs);
  return rc;
}

/*
** The "sql" export: a PostgreSQL script that creates the schema, loads
** every table with COPY ... FROM stdin, adds indexes and a view per rule,
** in one transaction.
*/
static int exportSql(Ex *x){
  int rc = sqlCopyBegin(x, zSqlSchema);
  x->eFmt = F_SQLX;
  if( rc==0 ) rc = sqlCopyBegin(x, "COPY predicates (id, type, single, doc) FROM stdin;\n");
  if( rc==0 ) rc = walkPredicates(x);
  if( rc==0 ) rc = sqlCopyBegin(x, "\\.\nCOPY entities (id, type, label, lat, lon) FROM stdin;\n");
  if( rc==0 ) rc = walkEntities(x, recEntity);
  if( rc==0 ) rc = sqlCopyBegin(x, "\\.\nCOPY aliases (entity, alias) FROM stdin;\n");
  if( rc==0 ) rc = sqlFlush2(x);
  if( rc==0 ) rc = sqlCopyBegin(x, "\\.\nCOPY sources (id, title, outlet, published, text) FROM stdin;\n");
  if( rc==0 ) rc = walkSources(x);
  if( rc==0 ) rc = sqlCopyBegin(x, "\\.\nCOPY claims (id, s, stype, p, o, otype, onum, unit, source, attributed_to, "
                                   "stance, holds, holds_until, said, quote, recorded) FROM stdin;\n");
  if( rc==0 ) rc = walkClaims(x, "find ?c, ?s, ?p, ?o where ?c: ?s ?p ?o order by ?c;", NULL, recClaim);
  if( rc==0 ) rc = sqlCopyBegin(x, "\\.\nCOPY claim_via (claim, pos, entity) FROM stdin;\n");
  if( rc==0 ) rc = sqlFlush2(x);
  if( rc==0 ) rc = sqlCopyBegin(x, "\\.\n");
  if( rc==0 ) rc = sqlCopyBegin(x, zSqlIndexes);
  if( rc==0 ) rc = sqlRules(x);
  if( rc==0 ) rc = sqlCopyBegin(x, "COMMIT;\n");
  return rc;
}

/* ================================================================ fakt_export */

static int parseFormat(const char *z, Fmt *pFmt){
  static const struct { const char *z; Fmt e; } a[] = {
    { "nquads", F_NQUADS }, { "jsonl", F_JSONL }, { "csv", F_CSV },
    { "dot", F_DOT }, { "geojson", F_GEOJSON }, { "sql", F_SQLX },
  };
  for(size_t i=0; i<sizeof(a)/sizeof(a[0]); i++){
    if( strcmp(z, a[i].z)==0 ){ *pFmt = a[i].e; return 1; }
  }
  return 0;
}

/* Open the outputs: one file, or the five CSV files of a directory. */
static int openOutputs(Ex *x, const char *zPath){
  if( x->eFmt!=F_CSV ){
    x->f = openOut(x, zPath, &x->azTmp[0], &x->azFinal[0]);
    if( x->f==NULL ) return x->rc;
    x->nOut = 1;
    return FAKT_OK;
  }
  if( mkdir(zPath, 0777)!=0 && errno!=EEXIST ){
    return exErr(x, FAKT_CANTOPEN, "cannot create directory \"%s\": %s", zPath, strerror(errno));
  }
  for(int i=0; i<CSV_N; i++){
    char *zFile = faktMprintf("%s/%s", zPath, azCsvFile[i]);
    if( zFile==NULL ) return exErr(x, FAKT_NOMEM, "out of memory");
    x->aCsv[i] = openOut(x, zFile, &x->azTmp[i], &x->azFinal[i]);
    free(zFile);
    if( x->aCsv[i]==NULL ) return x->rc;
    x->nOut = i+1;
    fprintf(x->aCsv[i], "%s\n", azCsvHead[i]);
  }
  return FAKT_OK;
}

int fakt_export(fakt *db, const char *zFormat, const char *zPath, const char *zArg, char **pzErr){
  Ex x;
  int rc;
  memset(&x, 0, sizeof(x));
  x.db = db;
  if( pzErr ) *pzErr = NULL;
  if( db==NULL ) return FAKT_MISUSE;
  if( zFormat==NULL || zPath==NULL ){
    exErr(&x, FAKT_MISUSE, "misuse: fakt_export needs a format and a path");
  }else if( !parseFormat(zFormat, &x.eFmt) ){
    exErr(&x, FAKT_MISUSE, "unknown export format \"%s\" (use nquads, jsonl, csv, dot, geojson or sql)", zFormat);
  }else if( openOutputs(&x, zPath)==FAKT_OK ){
    switch( x.eFmt ){
      case F_DOT: rc = exportDot(&x, zArg); break;
      case F_GEOJSON: rc = exportGeojson(&x, zArg); break;
      case F_SQLX:
        if( zArg ) rc = exErr(&x, FAKT_MISUSE, "a query can narrow only the nquads and jsonl exports");
        else rc = exportSql(&x);
        break;
      default:
        if( zArg && (x.eFmt==F_NQUADS || x.eFmt==F_JSONL) ) rc = exportQuery(&x, zArg);
        else if( zArg ) rc = exErr(&x, FAKT_MISUSE, "a query can narrow only the nquads and jsonl exports");
        else rc = exportData(&x);
        break;
    }
    (void)rc;
  }
  fakt_finalize(x.pClaimInfo);
  fakt_finalize(x.pClaimVia);
  closeOuts(&x);
  faktStrFree(&x.line);
  faktStrFree(&x.line2);
  rc = x.rc;
  if( rc ){
    pthread_mutex_lock(&db->mutex);
    faktDbError(db, rc, "%s", x.zErr ? x.zErr : fakt_errstr(rc));
    pthread_mutex_unlock(&db->mutex);
    if( pzErr ) *pzErr = x.zErr; else free(x.zErr);
  }else{
    free(x.zErr);
  }
  return rc;
}
