/*
** unit_store.c -- unit tests of the LMDB storage layer (store/):
** open checks, dictionary, entities, claims, cursors, statistics, txlog,
** map growth, FAKT_FULL, nested transactions, full-text posting blocks and
** faktStoreCheck.
** Prints "FAIL file:line: expr" per failed check, then "N passed, N failed".
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "fakt.h"
#include "store.h"
#include "storeTest.h"
#include "fakt_int.h"
#include "base.h"

static int nPass = 0, nFail = 0;
#define CHECK(x) do{ if( x ){ nPass++; }else{ nFail++; \
  printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #x); } }while(0)

static char zDir[64];

/* Path of a test file in the scratch directory (static buffer per slot). */
static const char *path(int iSlot, const char *zName){
  static char az[8][256];
  snprintf(az[iSlot], sizeof(az[iSlot]), "%s/%s", zDir, zName);
  return az[iSlot];
}

static void rmDb(const char *zPath){
  char z[300];
  unlink(zPath);
  snprintf(z, sizeof(z), "%s-lock", zPath);
  unlink(z);
}

static int fileExists(const char *z){
  struct stat st;
  return stat(z, &st)==0;
}

static long fileSize(const char *z){
  struct stat st;
  return stat(z, &st)==0 ? (long)st.st_size : -1;
}

static int writeFile(const char *zPath, const void *p, size_t n){
  FILE *f = fopen(zPath, "wb");
  if( f==NULL ) return 0;
  if( n && fwrite(p, 1, n, f)!=n ){ fclose(f); return 0; }
  return fclose(f)==0;
}

/* Read a whole file (malloc'd). */
static char *readFile(const char *zPath, size_t *pn){
  FILE *f = fopen(zPath, "rb");
  char *z;
  long n;
  if( f==NULL ) return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  z = malloc((size_t)n + 1);
  if( z && fread(z, 1, (size_t)n, f)!=(size_t)n ){ free(z); z = NULL; }
  fclose(f);
  *pn = (size_t)n;
  return z;
}

static int openDb(const char *zPath, int bCreate, int bReadonly, uint64_t nInit, uint64_t nMax,
                  FaktStore **pp, char **pzErr){
  StoreConfig cfg;
  memset(&cfg, 0, sizeof(cfg));
  cfg.bCreate = bCreate;
  cfg.bReadonly = bReadonly;
  cfg.nMapInit = nInit;
  cfg.nMapMax = nMax;
  cfg.nRoom = nInit/2;        /* a small initial map stays small until half used */
  return faktStoreOpen(zPath, &cfg, pp, pzErr);
}

/* Open expecting failure: returns the code, frees the message, closes a store. */
static int openFails(const char *zPath, int bCreate, char *zMsg, size_t nMsg){
  FaktStore *s = NULL;
  char *zErr = NULL;
  int rc = openDb(zPath, bCreate, 0, 0, 0, &s, &zErr);
  if( zMsg ) snprintf(zMsg, nMsg, "%s", zErr ? zErr : "");
  free(zErr);
  if( s ){ faktStoreClose(s); return -1; }   /* unexpectedly opened */
  return rc;
}

static void encId(uint8_t *o, int tag, uint32_t id){
  o[0] = (uint8_t)tag;
  faktEncU64(o+1, id);
}
static void encInt(uint8_t *o, int64_t i){
  o[0] = T_INT;
  faktEncU64(o+1, (uint64_t)i ^ 0x8000000000000000ULL);
}

/* The proposition id as SPEC 12.4 defines it, computed here independently
** of faktClaimProp, from names: of the subject, the predicate and, for an
** entity or claim object, of the object (zO; NULL for other values). */
static uint64_t propOf(const char *zS, const char *zP, const uint8_t *o, const char *zO){
  uint8_t a[33];
  faktEncU64(a, faktHash64(zS, strlen(zS)));
  faktEncU64(a+8, faktHash64(zP, strlen(zP)));
  a[16] = o[0];
  if( zO ) faktEncU64(a+17, faktHash64(zO, strlen(zO))); else memcpy(a+17, o+1, 8);
  faktEncU64(a+25, 0);                 /* no unit */
  return faktHash64(a, 33) >> 1;
}

/* A name id with an entity record. */
static uint32_t mkEnt(StoreTxn *t, const char *zName, int kind, uint32_t type, const char *zLabel){
  uint32_t id = 0;
  EntRec r;
  if( faktDictIntern(t, NS_NAME, zName, -1, &id) ) return 0;
  memset(&r, 0, sizeof(r));
  r.kind = (uint8_t)kind;
  r.type = type;
  if( zLabel && faktDictIntern(t, NS_STR, zLabel, -1, &r.label) ) return 0;
  if( faktEntPut(t, id, &r) ) return 0;
  return id;
}

/* Add a claim named zName (or with a fresh id if NULL). Returns its id or 0. */
static uint32_t mkClaim(StoreTxn *t, const char *zName, uint32_t s, uint32_t p, const uint8_t *o,
                        uint32_t tx, uint32_t source, const char *zQuote){
  ClaimRec r;
  uint32_t id = 0;
  int rc = zName ? faktDictIntern(t, NS_NAME, zName, -1, &id) : faktStoreNewGenId(t, &id);
  if( rc ) return 0;
  memset(&r, 0, sizeof(r));
  r.s = s; r.p = p;
  memcpy(r.o, o, ENC_LEN);
  r.source = source;
  r.txAdd = tx;
  if( zQuote ){ r.zQuote = zQuote; r.quote = (uint32_t)strlen(zQuote); }
  if( faktClaimAdd(t, id, &r) ) return 0;
  return id;
}

/* Count rows of a cursor on an index with a prefix; the last Vis in *pVis. */
static int countIx(StoreTxn *t, StoreIndex ix, const uint8_t *a, int n, Vis *pVis){
  StoreCursor *c;
  const uint8_t *k;
  Vis v;
  int nRow = 0, rc;
  if( faktCursorOpen(t, ix, a, n, &c) ) return -1;
  while( (rc = faktCursorNext(c, &k, &v))==FAKT_ROW ){
    nRow++;
    if( n>0 && memcmp(k, a, (size_t)n)!=0 ) nRow = -1000;
    if( pVis ) *pVis = v;
  }
  faktCursorClose(c);
  return rc==FAKT_DONE ? nRow : -1;
}

static int countAux(StoreTxn *t, const char *zDb, const void *a, int n){
  StoreCursor *c;
  int nRow = 0, rc;
  if( faktAuxOpen(t, zDb, (const uint8_t*)a, n, &c) ) return -1;
  while( (rc = faktAuxNext(c, NULL, NULL, NULL, NULL))==FAKT_ROW ) nRow++;
  faktCursorClose(c);
  return rc==FAKT_DONE ? nRow : -1;
}

/* Docs of token zTok through the fts reader, the first nMax into a; the
** count, or -1 after an error. */
static int ftsList(StoreTxn *t, const char *zTok, uint32_t *a, int nMax){
  FtsCursor *c;
  uint32_t d = 0, prev = 0;
  int n = 0, rc;
  if( faktFtsOpen(t, zTok, (int)strlen(zTok), &c) ) return -1;
  while( (rc = faktFtsNext(c, &d))==FAKT_ROW ){
    if( n>0 && d<=prev ){ rc = -1; break; }   /* not ascending */
    if( n<nMax ) a[n] = d;
    prev = d;
    n++;
  }
  faktFtsClose(c);
  return rc==FAKT_DONE ? n : -1;
}

/* 1 if doc is among the docs of token zTok. */
static int ftsHas(StoreTxn *t, const char *zTok, uint32_t doc){
  FtsCursor *c;
  uint32_t d = 0;
  int rc;
  if( faktFtsOpen(t, zTok, (int)strlen(zTok), &c) ) return -1;
  rc = faktFtsSeek(c, doc, &d);
  faktFtsClose(c);
  return rc==FAKT_ROW && d==doc;
}

/* The raw DB zDb as "key=value" hex lines (malloc'd), to compare layouts. */
static char *dbDump(StoreTxn *t, const char *zDb){
  StoreCursor *c;
  const uint8_t *k, *v;
  int nk, nv;
  size_t n = 0, nAlloc = 1;
  char *z = calloc(1, 1);
  if( z==NULL || faktAuxOpen(t, zDb, NULL, 0, &c) ){ free(z); return NULL; }
  while( faktAuxNext(c, &k, &nk, &v, &nv)==FAKT_ROW ){
    size_t nNeed = n + 2*(size_t)(nk+nv) + 3;
    if( nNeed>nAlloc ){
      char *zNew = realloc(z, nNeed*2);
      if( zNew==NULL ){ free(z); z = NULL; break; }
      z = zNew; nAlloc = nNeed*2;
    }
    for(int i=0; i<nk; i++) n += (size_t)sprintf(z+n, "%02x", k[i]);
    z[n++] = '=';
    for(int i=0; i<nv; i++) n += (size_t)sprintf(z+n, "%02x", v[i]);
    z[n++] = '\n';
    z[n] = 0;
  }
  faktCursorClose(c);
  return z;
}

/* Entity id found through the alias index for zText, or 0. */
static uint32_t aliasFind(StoreTxn *t, const char *zText){
  char zF[512];
  size_t n = faktFold(zText, strlen(zText), zF, sizeof(zF));
  StoreCursor *c;
  const uint8_t *k;
  int nK, rc;
  uint32_t id = 0;
  if( faktAuxOpen(t, "alias", (const uint8_t*)zF, (int)n+1, &c) ) return 0;
  rc = faktAuxNext(c, &k, &nK, NULL, NULL);
  if( rc==FAKT_ROW && nK==(int)n+5 ) id = faktDecU32(k+n+1);
  faktCursorClose(c);
  return id;
}

static int commitTx(StoreTxn *t, uint32_t nAdd, uint32_t nRet, uint32_t *pTx){
  TxRec r;
  int rc;
  memset(&r, 0, sizeof(r));
  r.tMicros = 1694300000000000LL;
  r.nAdded = nAdd; r.nRetracted = nRet;
  rc = faktStoreLogTx(t, &r, pTx);
  if( rc ){ faktStoreAbort(t); return rc; }
  return faktStoreCommit(t);
}

/* ---------------------------------------------------------------- tests */

static void testOpenErrors(void){
  char zMsg[600];
  uint8_t aRand[3*4096];
  size_t i, n;
  char *zCopy;
  uint32_t seed = 12345;
  FaktStore *s = NULL;
  char *zErr = NULL;
  StoreTxn *t;
  uint8_t a4[4];

  /* missing, no create */
  CHECK( openFails(path(0, "missing.fakt"), 0, zMsg, sizeof(zMsg))==FAKT_CANTOPEN );
  CHECK( strstr(zMsg, "no such file")!=NULL );
  CHECK( !fileExists(path(0, "missing.fakt")) );

  /* random bytes: not ours, never written, no lock file made */
  for(i=0; i<sizeof(aRand); i++){ seed = seed*1103515245u + 12345u; aRand[i] = (uint8_t)(seed>>16); }
  CHECK( writeFile(path(0, "random.fakt"), aRand, sizeof(aRand)) );
  CHECK( openFails(path(0, "random.fakt"), 1, zMsg, sizeof(zMsg))==FAKT_NOTADB );
  CHECK( strstr(zMsg, "not a fakt database")!=NULL );
  zCopy = readFile(path(0, "random.fakt"), &n);
  CHECK( zCopy && n==sizeof(aRand) && memcmp(zCopy, aRand, n)==0 );
  free(zCopy);
  CHECK( !fileExists(path(0, "random.fakt-lock")) );

  /* empty file, even with create */
  CHECK( writeFile(path(0, "empty.fakt"), "", 0) );
  CHECK( openFails(path(0, "empty.fakt"), 1, NULL, 0)==FAKT_NOTADB );
  CHECK( fileSize(path(0, "empty.fakt"))==0 );

  /* a real database to damage */
  CHECK( openDb(path(0, "real.fakt"), 1, 0, 0, 0, &s, &zErr)==FAKT_OK );
  if( s ){
    CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
    for(i=0; i<300; i++){
      char zName[32];
      snprintf(zName, sizeof(zName), "entity_%zu", i);
      mkEnt(t, zName, K_ENTITY, 0, zName);
    }
    CHECK( faktStoreCommit(t)==FAKT_OK );
    faktStoreClose(s);
  }
  zCopy = readFile(path(0, "real.fakt"), &n);
  CHECK( zCopy!=NULL && n>=4*4096 );
  if( zCopy ){
    /* truncated copies: a short header is not a database, a cut body is damage */
    CHECK( writeFile(path(0, "trunc.fakt"), zCopy, n/2) );
    CHECK( openFails(path(0, "trunc.fakt"), 0, zMsg, sizeof(zMsg))==FAKT_CORRUPT );
    CHECK( strstr(zMsg, "truncated")!=NULL );
    CHECK( fileSize(path(0, "trunc.fakt"))==(long)(n/2) );
    CHECK( writeFile(path(0, "trunc2.fakt"), zCopy, 100) );
    CHECK( openFails(path(0, "trunc2.fakt"), 0, NULL, 0)==FAKT_NOTADB );
    free(zCopy);
  }

  /* format newer than supported */
  CHECK( openDb(path(0, "real.fakt"), 0, 0, 0, 0, &s, &zErr)==FAKT_OK );
  if( s ){
    faktEncU32(a4, 99);
    CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
    CHECK( faktAuxPut(t, "meta", (const uint8_t*)"format", 6, a4, 4)==FAKT_OK );
    CHECK( faktStoreCommit(t)==FAKT_OK );
    faktStoreClose(s);
  }
  CHECK( openFails(path(0, "real.fakt"), 0, zMsg, sizeof(zMsg))==FAKT_FORMAT );
  CHECK( strcmp(zMsg, "database format 99 is newer than this fakt (supports 8)")==0 );

  /* an LMDB file whose magic is not ours */
  CHECK( openDb(path(0, "magic.fakt"), 1, 0, 0, 0, &s, &zErr)==FAKT_OK );
  if( s ){
    CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
    CHECK( faktAuxPut(t, "meta", (const uint8_t*)"magic", 5, (const uint8_t*)"nope", 4)==FAKT_OK );
    CHECK( faktStoreCommit(t)==FAKT_OK );
    faktStoreClose(s);
  }
  CHECK( openFails(path(0, "magic.fakt"), 0, NULL, 0)==FAKT_NOTADB );

  /* read-only open of a missing file */
  s = NULL;
  CHECK( openDb(path(0, "missing.fakt"), 1, 1, 0, 0, &s, &zErr)==FAKT_CANTOPEN && s==NULL );
  free(zErr);
}

static void testMain(void){
  FaktStore *s = NULL;
  char *zErr = NULL, *zBig, *zRep = NULL;
  StoreTxn *t, *t2, *tn;
  uint32_t idAsserts, idStance, idPerson, idType, idLoc, idKim, idKim2, idVla, idPyo, idVisits, idSpeed;
  uint32_t idSrc, c1, c2, c3, id, tx, aDoc[4];
  const char *z;
  int n, ns, kind;
  uint8_t o[ENC_LEN], a[32];
  EntRec e;
  ClaimRec cr;
  Vis v;
  TxRec txr;
  size_t nz, i;
  uint64_t nMap, nUsed;
  const char *zText = "Der gepanzerte Zug von Kim Jong Un erreichte Wladiwostok. Der Zug fuhr langsam.";

  rmDb(path(1, "main.fakt"));
  CHECK( openDb(path(1, "main.fakt"), 1, 0, 0, 0, &s, &zErr)==FAKT_OK && s!=NULL && zErr==NULL );
  if( s==NULL ){ free(zErr); return; }
  CHECK( fileExists(path(1, "main.fakt-lock")) );
  /* the creating write made room for a transaction: 16 GiB free (SPEC 11.5) */
  CHECK( faktStoreInfo(s, &nMap, &nUsed)==FAKT_OK && nUsed>0 && nMap>=nUsed+((uint64_t)16<<30) && nMap<=((uint64_t)64<<30) );

  /* built-ins */
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
  CHECK( faktStoreLastTx(t)==0 );
  CHECK( faktDictLookup(t, NS_NAME, "asserts", -1, &idAsserts)==FAKT_OK );
  CHECK( faktObjGetKind(t, idAsserts, &kind)==FAKT_OK && kind==K_STANCE );
  CHECK( faktDictLookup(t, NS_NAME, "stance", -1, &idStance)==FAKT_OK );
  CHECK( faktEntGet(t, idAsserts, &e)==FAKT_OK && e.type==idStance );
  CHECK( faktDictLookup(t, NS_NAME, "denies", -1, &id)==FAKT_OK );
  CHECK( faktDictLookup(t, NS_NAME, "person", -1, &idPerson)==FAKT_OK );
  CHECK( faktDictLookup(t, NS_NAME, "type", -1, &idType)==FAKT_OK );
  CHECK( faktEntGet(t, idPerson, &e)==FAKT_OK && e.kind==K_TYPE && e.type==idType );
  CHECK( faktDictLookup(t, NS_NAME, "organisation", -1, &id)==FAKT_OK );
  CHECK( faktDictLookup(t, NS_NAME, "located_in", -1, &idLoc)==FAKT_OK );
  CHECK( faktEntGet(t, idLoc, &e)==FAKT_OK && e.kind==K_PREDICATE && e.objType==PT_ENTITY );
  CHECK( faktDictLookup(t, NS_NAME, "nonesuch", -1, &id)==FAKT_NOTFOUND );
  CHECK( faktObjGetKind(t, 999999, &kind)==FAKT_NOTFOUND );
  CHECK( faktStoreNewId(t, &id)==FAKT_MISUSE );          /* read txn */
  faktStoreAbort(t);

  /* dictionary */
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  CHECK( faktStoreBegin(s, 1, &t2)==FAKT_BUSY );
  CHECK( faktDictIntern(t, NS_STR, "Kim Jong Un", -1, &id)==FAKT_OK );
  CHECK( faktDictIntern(t, NS_STR, "Kim Jong Un", -1, &idKim)==FAKT_OK && idKim==id );
  CHECK( faktDictIntern(t, NS_NAME, "Kim Jong Un", -1, &id)==FAKT_OK && id!=idKim );
  CHECK( faktDictText(t, idKim, &ns, &z, &n)==FAKT_OK && ns==NS_STR && n==11 && memcmp(z, "Kim Jong Un", 11)==0 );
  CHECK( faktDictIntern(t, NS_STR, "", 0, &id)==FAKT_OK && faktDictText(t, id, &ns, &z, &n)==FAKT_OK && n==0 );
  zBig = malloc(60*1024);
  if( zBig ){
    for(i=0; i<60*1024; i++) zBig[i] = (char)('a' + i%26);
    CHECK( faktDictIntern(t, NS_STR, zBig, 60*1024, &id)==FAKT_OK );
    CHECK( faktDictLookup(t, NS_STR, zBig, 60*1024, &idKim2)==FAKT_OK && idKim2==id );
    CHECK( faktDictText(t, id, &ns, &z, &n)==FAKT_OK && n==60*1024 && memcmp(z, zBig, (size_t)n)==0 );
    zBig[30000] = 'Z';
    CHECK( faktDictLookup(t, NS_STR, zBig, 60*1024, &idKim2)==FAKT_NOTFOUND );
    free(zBig);
  }

  /* entities with aliases and coordinates */
  idKim = mkEnt(t, "kim_jong_un", K_ENTITY, idPerson, "Kim Jong Un");
  CHECK( idKim!=0 );
  CHECK( faktEntGet(t, idKim, &e)==FAKT_OK );
  CHECK( faktDictIntern(t, NS_STR, "Kim Jong-un", -1, &e.aAlias[0])==FAKT_OK );
  CHECK( faktDictIntern(t, NS_STR, "Kim Dschong Un", -1, &e.aAlias[1])==FAKT_OK );
  e.nAlias = 2;
  CHECK( faktEntPut(t, idKim, &e)==FAKT_OK );
  CHECK( aliasFind(t, "kim jong un")==idKim );
  CHECK( aliasFind(t, "KIM DSCHONG UN")==idKim );
  idVla = mkEnt(t, "wladiwostok", K_ENTITY, 0, "Wladiwostok");
  CHECK( faktEntGet(t, idVla, &e)==FAKT_OK );
  e.bCoords = 1; e.lat = 43.1155; e.lon = 131.8855;
  CHECK( faktEntPut(t, idVla, &e)==FAKT_OK );
  faktEncU32(a, faktGeoCell(43.1155, 131.8855));
  CHECK( countAux(t, "geo", a, 4)==1 );
  /* move it: the old cell and the old label go away */
  CHECK( faktDictIntern(t, NS_STR, "Vladivostok", -1, &e.label)==FAKT_OK );
  e.lat = 44.5; e.lon = 132.5;
  CHECK( faktEntPut(t, idVla, &e)==FAKT_OK );
  CHECK( countAux(t, "geo", a, 4)==0 );
  faktEncU32(a, faktGeoCell(44.5, 132.5));
  CHECK( countAux(t, "geo", a, 4)==1 );
  CHECK( aliasFind(t, "Wladiwostok")==0 );
  CHECK( aliasFind(t, "vladivostok")==idVla );
  CHECK( faktEntGet(t, idVla, &e)==FAKT_OK && e.bCoords && e.lat==44.5 && e.lon==132.5 );
  idPyo = mkEnt(t, "pyongyang", K_ENTITY, 0, "Pjöngjang");
  idVisits = mkEnt(t, "visits", K_PREDICATE, 0, NULL);
  idSpeed = mkEnt(t, "speed", K_PREDICATE, 0, NULL);
  idSrc = mkEnt(t, "src1", K_SOURCE, 0, "Artikel 1");
  CHECK( idPyo && idVisits && idSpeed && idSrc );
  CHECK( faktTextPut(t, idSrc, zText, strlen(zText))==FAKT_OK );
  CHECK( faktTextGet(t, idSrc, &z, &nz)==FAKT_OK && nz==strlen(zText) && memcmp(z, zText, nz)==0 );
  CHECK( ftsList(t, "zug", aDoc, 4)==1 && aDoc[0]==idSrc );   /* two occurrences, one posting */

  /* claims (tx 1) */
  tx = faktStoreLastTx(t) + 1;
  CHECK( tx==1 );
  encId(o, T_ID, idVla);
  c1 = mkClaim(t, "c1", idKim, idVisits, o, tx, idSrc, "Der gepanzerte Zug");
  encId(o, T_ID, idPyo);
  c2 = mkClaim(t, "c2", idKim, idVisits, o, tx, 0, NULL);
  encInt(o, 60);
  c3 = mkClaim(t, "c3", idKim, idSpeed, o, tx, idSrc, NULL);
  CHECK( c1 && c2 && c3 );
  memset(&cr, 0, sizeof(cr));
  CHECK( faktClaimAdd(t, c1, &cr)==FAKT_CONSTRAINT );    /* id taken */
  CHECK( faktEntGet(t, c1, &e)==FAKT_MISMATCH );
  CHECK( faktClaimGet(t, idKim, &cr)==FAKT_MISMATCH );
  CHECK( faktClaimGet(t, c1, &cr)==FAKT_OK && cr.s==idKim && cr.p==idVisits && cr.txAdd==1 && cr.txRet==0 && cr.source==idSrc );
  CHECK( commitTx(t, 3, 0, &tx)==FAKT_OK && tx==1 );

  /* cursors on all three orders, stats, srcc, prop, fts */
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
  CHECK( faktStoreLastTx(t)==1 );
  faktEncU32(a, idKim);
  CHECK( countIx(t, IX_SPO, a, 4, &v)==3 );
  faktEncU32(a+4, idVisits);
  CHECK( countIx(t, IX_SPO, a, 8, &v)==2 && v.txAdd==1 && v.txRet==0 );
  faktEncU32(a, idVisits); encId(a+4, T_ID, idVla);
  CHECK( countIx(t, IX_POS, a, 4, NULL)==2 );
  CHECK( countIx(t, IX_POS, a, 13, NULL)==1 );
  encId(a, T_ID, idPyo);
  CHECK( countIx(t, IX_OSP, a, 9, NULL)==1 );
  encInt(a, 60);
  CHECK( countIx(t, IX_OSP, a, 9, NULL)==1 );
  CHECK( countIx(t, IX_SPO, NULL, 0, NULL)==3 );
  CHECK( faktStatGet(t, 'T', 0)==3 );
  CHECK( faktStatGet(t, 'S', idKim)==3 );
  CHECK( faktStatGet(t, 'P', idVisits)==2 );
  CHECK( faktStatGet(t, 'O', idVla)==1 );
  CHECK( faktStatGet(t, 'O', 60)==0 );                    /* numbers are not counted */
  faktEncU32(a, idSrc);
  CHECK( countAux(t, "srcc", a, 4)==2 );
  CHECK( faktClaimGet(t, c1, &cr)==FAKT_OK );
  uint64_t prop = 0;
  CHECK( faktClaimProp(t, &cr, &prop)==FAKT_OK );
  CHECK( prop==propOf("kim_jong_un", "visits", cr.o, cr.o[0]==T_ID ? "wladiwostok" : NULL) );
  faktEncU64(a, prop);
  CHECK( countAux(t, "prop", a, 8)==1 );
  CHECK( ftsList(t, "gepanzerte", aDoc, 4)==2 && aDoc[0]==idSrc && aDoc[1]==c1 );   /* the source and claim c1 */
  CHECK( faktStoreGetTx(t, 1, &txr)==FAKT_OK && txr.nAdded==3 && txr.tMicros==1694300000000000LL );
  CHECK( faktStoreGetTx(t, 2, &txr)==FAKT_NOTFOUND );
  faktStoreAbort(t);

  /* retract c1 in tx 2 */
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  CHECK( faktClaimRetract(t, c1, 2)==FAKT_OK );
  CHECK( faktClaimRetract(t, c1, 3)==FAKT_OK );          /* already retracted: no change */
  CHECK( faktClaimGet(t, c1, &cr)==FAKT_OK && cr.txRet==2 );
  CHECK( faktClaimRetract(t, 999999, 2)==FAKT_NOTFOUND );
  CHECK( commitTx(t, 0, 1, &tx)==FAKT_OK && tx==2 );
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
  faktEncU32(a, idKim); faktEncU32(a+4, idVisits); encId(a+8, T_ID, idVla);
  CHECK( countIx(t, IX_SPO, a, 17, &v)==1 && v.txAdd==1 && v.txRet==2 );
  faktEncU32(a, idVisits); encId(a+4, T_ID, idVla);
  CHECK( countIx(t, IX_POS, a, 13, &v)==1 && v.txRet==2 );
  encId(a, T_ID, idVla);
  CHECK( countIx(t, IX_OSP, a, 9, &v)==1 && v.txRet==2 );
  CHECK( faktStatGet(t, 'T', 0)==2 && faktStatGet(t, 'S', idKim)==2 && faktStatGet(t, 'O', idVla)==0 );
  CHECK( faktClaimGet(t, c1, &cr)==FAKT_OK && cr.txRet==2 && cr.txAdd==1 );
  faktStoreAbort(t);

  /* rules */
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  CHECK( faktDictIntern(t, NS_NAME, "within", -1, &id)==FAKT_OK );
  CHECK( faktRulePut(t, id, "r(x) :- a(x);", 13)==FAKT_OK );
  CHECK( faktRulePut(t, id, "r(x) :- b(x);", 13)==FAKT_OK );
  faktEncU32(a, id);
  CHECK( countAux(t, "rule", NULL, 0)==1 );
  CHECK( faktRuleDel(t, id)==FAKT_OK && faktRuleDel(t, id)==FAKT_NOTFOUND );
  CHECK( faktStoreCommit(t)==FAKT_OK );

  /* nested transactions: an aborted child leaves the parent's work */
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  CHECK( mkEnt(t, "outer", K_ENTITY, 0, "Outer")!=0 );
  CHECK( faktStoreBeginNested(t, &tn)==FAKT_OK );
  CHECK( faktDictLookup(t, NS_NAME, "outer", -1, &id)==FAKT_MISUSE );   /* parent busy */
  CHECK( mkEnt(tn, "inner", K_ENTITY, 0, "Inner")!=0 );
  encId(o, T_ID, idPyo);
  CHECK( mkClaim(tn, "c_inner", idKim, idVisits, o, 3, 0, NULL)!=0 );
  faktStoreAbort(tn);
  CHECK( faktStoreBeginNested(t, &tn)==FAKT_OK );
  CHECK( mkEnt(tn, "inner2", K_ENTITY, 0, "Inner two")!=0 );
  CHECK( faktStoreCommit(tn)==FAKT_OK );
  CHECK( faktStoreCommit(t)==FAKT_OK );
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
  CHECK( faktDictLookup(t, NS_NAME, "outer", -1, &id)==FAKT_OK );
  CHECK( faktDictLookup(t, NS_NAME, "inner", -1, &id)==FAKT_NOTFOUND );
  CHECK( faktDictLookup(t, NS_NAME, "inner2", -1, &id)==FAKT_OK );
  CHECK( aliasFind(t, "inner")==0 && aliasFind(t, "outer")!=0 );
  CHECK( faktStatGet(t, 'T', 0)==2 );
  faktStoreAbort(t);

  CHECK( faktStoreCheck(s, &zRep)==FAKT_OK && zRep && strcmp(zRep, "ok")==0 );
  free(zRep); zRep = NULL;
  faktStoreClose(s);

  /* reopen: everything persisted; read-only refuses writes */
  s = NULL;
  CHECK( openDb(path(1, "main.fakt"), 0, 1, 0, 0, &s, &zErr)==FAKT_OK && s );
  if( s ){
    CHECK( faktStoreBegin(s, 1, &t)==FAKT_READONLY );
    CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
    CHECK( faktStoreLastTx(t)==2 );
    CHECK( faktDictLookup(t, NS_NAME, "kim_jong_un", -1, &id)==FAKT_OK && id==idKim );
    CHECK( aliasFind(t, "Kim Jong-un")==idKim );
    CHECK( faktStatGet(t, 'T', 0)==2 );
    faktStoreAbort(t);
    CHECK( faktStoreCheck(s, NULL)==FAKT_OK );
    faktStoreClose(s);
  }

  /* damage: delete one pos entry, the check must say so */
  s = NULL;
  CHECK( openDb(path(1, "main.fakt"), 0, 0, 0, 0, &s, &zErr)==FAKT_OK && s );
  if( s ){
    CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
    faktEncU32(a, idSpeed); encInt(a+4, 60); faktEncU32(a+13, idKim); faktEncU32(a+17, c3);
    CHECK( faktAuxDel(t, "pos", a, 21)==FAKT_OK );
    CHECK( faktStoreCommit(t)==FAKT_OK );
    CHECK( faktStoreCheck(s, &zRep)==FAKT_CORRUPT );
    CHECK( zRep && strstr(zRep, "no pos entry")!=NULL );
    free(zRep); zRep = NULL;
    /* and a stat that lies */
    CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
    a[0] = 'T'; faktEncU32(a+1, 0); faktEncU64(a+5, 41);
    CHECK( faktAuxPut(t, "stat", a, 5, a+5, 8)==FAKT_OK );
    CHECK( faktStoreCommit(t)==FAKT_OK );
    CHECK( faktStoreCheck(s, &zRep)==FAKT_CORRUPT && zRep && strstr(zRep, "stat T0: stored 41, recount 2")!=NULL );
    free(zRep);
    faktStoreClose(s);
  }
}

/*
** Posting blocks: one word in many claims (blocks split), a word repeated
** in a quote, a source text put again (postings deleted, a middle insert
** into a full block), the same writes buffered (top-level) and direct
** (nested) giving the same bytes, Seek, and damaged blocks.
*/
static void checkOk(FaktStore *s, int iLine){
  char *zRep = NULL;
  int rc = faktStoreCheck(s, &zRep);
  if( rc!=FAKT_OK ) printf("check at line %d: %d %s\n", iLine, rc, zRep ? zRep : "");
  CHECK( rc==FAKT_OK );
  free(zRep);
}

#define FTS_N 300
static void ftsBuild(const char *zPath, int bNested, uint32_t *aClaim, char **pzDump){
  FaktStore *s = NULL;
  StoreTxn *t = NULL, *tn, *tw;
  char *zErr = NULL, zQuote[64], zName[16];
  uint32_t idS, idP, idSrc, aDoc[FTS_N+8];
  uint8_t o[ENC_LEN];
  int i;
  *pzDump = NULL;
  rmDb(zPath);
  CHECK( openDb(zPath, 1, 0, 0, 0, &s, &zErr)==FAKT_OK );
  if( s==NULL ){ free(zErr); return; }
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  idS = mkEnt(t, "subj", K_ENTITY, 0, NULL);
  idP = mkEnt(t, "pred", K_PREDICATE, 0, NULL);
  idSrc = mkEnt(t, "src", K_SOURCE, 0, NULL);
  CHECK( idS && idP && idSrc );
  CHECK( faktTextPut(t, idSrc, "Alpha beta. Alpha!", 18)==FAKT_OK );
  for(i=0; i<FTS_N; i++){
    snprintf(zQuote, sizeof(zQuote), "common w%d%s%s", i, i%3==0 ? " rare" : "",
             i==7 ? " echo Echo ECHO" : "");
    encInt(o, i);
    tw = t;
    if( bNested ){ CHECK( faktStoreBeginNested(t, &tn)==FAKT_OK ); tw = tn; }
    snprintf(zName, sizeof(zName), "c%d", i);
    aClaim[i] = mkClaim(tw, zName, idS, idP, o, 1, idSrc, zQuote);
    CHECK( aClaim[i]!=0 );
    if( bNested ) CHECK( faktStoreCommit(tn)==FAKT_OK );
  }
  CHECK( commitTx(t, FTS_N, 0, NULL)==FAKT_OK );
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
  CHECK( ftsList(t, "common", aDoc, FTS_N)==FTS_N && memcmp(aDoc, aClaim, sizeof(uint32_t)*FTS_N)==0 );
  CHECK( countAux(t, "fts", "common", 7)==3 );            /* 128 + 128 + 44 */
  CHECK( ftsList(t, "echo", aDoc, 4)==1 && aDoc[0]==aClaim[7] );   /* three times, one posting */
  CHECK( ftsList(t, "rare", aDoc, FTS_N)==FTS_N/3 && aDoc[1]==aClaim[3] );
  CHECK( ftsList(t, "alpha", aDoc, 4)==1 && aDoc[0]==idSrc );
  CHECK( ftsList(t, "nothing", aDoc, 4)==0 );
  faktStoreAbort(t);

  /* the text again: "common" gets the source, before every claim (a full
  ** first block splits), "alpha" loses it, then everything goes */
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  tw = t;
  if( bNested ){ CHECK( faktStoreBeginNested(t, &tn)==FAKT_OK ); tw = tn; }
  CHECK( faktTextPut(tw, idSrc, "beta common gamma", 17)==FAKT_OK );
  if( bNested ) CHECK( faktStoreCommit(tn)==FAKT_OK );
  CHECK( ftsList(t, "common", aDoc, FTS_N+1)==FTS_N+1 && aDoc[0]==idSrc && aDoc[1]==aClaim[0] );
  CHECK( ftsList(t, "alpha", aDoc, 4)==0 );
  CHECK( ftsList(t, "gamma", aDoc, 4)==1 && aDoc[0]==idSrc );
  CHECK( countAux(t, "fts", "common", 7)==4 );            /* 65 + 64 + 128 + 44 */
  CHECK( faktStoreCommit(t)==FAKT_OK );
  checkOk(s, __LINE__);
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  tw = t;
  if( bNested ){ CHECK( faktStoreBeginNested(t, &tn)==FAKT_OK ); tw = tn; }
  CHECK( faktTextPut(tw, idSrc, "Beta", 4)==FAKT_OK );     /* the first doc of a block goes */
  if( bNested ) CHECK( faktStoreCommit(tn)==FAKT_OK );
  CHECK( faktStoreCommit(t)==FAKT_OK );
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
  CHECK( ftsList(t, "common", aDoc, FTS_N)==FTS_N && memcmp(aDoc, aClaim, sizeof(uint32_t)*FTS_N)==0 );
  CHECK( ftsList(t, "gamma", aDoc, 4)==0 && ftsList(t, "beta", aDoc, 4)==1 );
  CHECK( ftsHas(t, "common", aClaim[100])==1 && ftsHas(t, "common", idSrc)==0 );
  *pzDump = dbDump(t, "fts");
  faktStoreAbort(t);
  checkOk(s, __LINE__);
  faktStoreClose(s);
}

static void testFts(void){
  FaktStore *s = NULL;
  StoreTxn *t = NULL;
  FtsCursor *c = NULL, *c2 = NULL;
  char *zErr = NULL, *zA = NULL, *zB = NULL, *zRep = NULL;
  uint32_t aA[FTS_N], aB[FTS_N], d = 0, aDoc[8];
  uint8_t k[16], v[16];
  int i;
  ftsBuild(path(0, "fts_a.fakt"), 0, aA, &zA);
  ftsBuild(path(1, "fts_b.fakt"), 1, aB, &zB);
  CHECK( memcmp(aA, aB, sizeof(aA))==0 );
  CHECK( zA && zB && strcmp(zA, zB)==0 );                 /* buffered and nested: same blocks */
  free(zA);
  free(zB);

  CHECK( openDb(path(0, "fts_a.fakt"), 0, 0, 0, 0, &s, &zErr)==FAKT_OK );
  if( s==NULL ){ free(zErr); return; }

  /* Seek: exact, between, never backwards, past the end */
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
  CHECK( faktFtsOpen(t, "common", 6, &c)==FAKT_OK );
  CHECK( faktFtsSeek(c, aA[5], &d)==FAKT_ROW && d==aA[5] );
  CHECK( faktFtsSeek(c, aA[2], &d)==FAKT_ROW && d==aA[5] );
  CHECK( faktFtsNext(c, &d)==FAKT_ROW && d==aA[6] );
  CHECK( faktFtsSeek(c, aA[200], &d)==FAKT_ROW && d==aA[200] );      /* another block */
  CHECK( faktFtsSeek(c, aA[FTS_N-1], &d)==FAKT_ROW && d==aA[FTS_N-1] );
  CHECK( faktFtsNext(c, &d)==FAKT_DONE );
  CHECK( faktFtsSeek(c, 1, &d)==FAKT_DONE );
  faktFtsClose(c);
  CHECK( faktFtsOpen(t, "common", 6, &c)==FAKT_OK );
  CHECK( faktFtsSeek(c, aA[FTS_N-1]+1, &d)==FAKT_DONE );
  faktFtsClose(c);
  CHECK( faktFtsOpen(t, "common", 6, &c)==FAKT_OK );
  CHECK( faktFtsSeek(c, 1, &d)==FAKT_ROW && d==aA[0] );
  faktFtsClose(c);
  faktFtsClose(NULL);
  CHECK( faktFtsOpen(t, "", 0, &c)==FAKT_MISUSE && c==NULL );
  faktStoreAbort(t);

  /* the block under an open cursor is re-keyed by a write in the same
  ** transaction: the cursor goes on, ascending (aA[64] starts a block) */
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  CHECK( faktTextPut(t, aA[64], "common", 6)==FAKT_OK );
  CHECK( faktFtsOpen(t, "common", 6, &c)==FAKT_OK );      /* flushes the pending puts */
  CHECK( faktFtsSeek(c, aA[64], &d)==FAKT_ROW && d==aA[64] );
  CHECK( faktTextPut(t, aA[64], "other", 5)==FAKT_OK );
  CHECK( faktFtsOpen(t, "other", 5, &c2)==FAKT_OK );      /* flushes: aA[64] leaves "common" */
  faktFtsClose(c2);
  {
    uint32_t prev = d;
    int nMore = 0, rc;
    while( (rc = faktFtsNext(c, &d))==FAKT_ROW ){
      if( d<=prev ) nMore = -1000;
      prev = d;
      nMore++;
    }
    CHECK( rc==FAKT_DONE && nMore==FTS_N-65 );
  }
  faktFtsClose(c);
  CHECK( ftsList(t, "common", aDoc, 8)==FTS_N-1 );
  faktStoreAbort(t);

  /* far apart docs (4-byte gaps): a block is full at 500 bytes, 126 docs */
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  for(i=1; i<=300 && faktTextPut(t, (uint32_t)i*3000000u, "big", 3)==FAKT_OK; i++){}
  CHECK( i==301 );
  CHECK( countAux(t, "fts", "big", 4)==3 );
  CHECK( ftsList(t, "big", aDoc, 8)==300 && aDoc[7]==24000000u );
  CHECK( faktFtsOpen(t, "big", 3, &c)==FAKT_OK );
  CHECK( faktFtsSeek(c, 3000000u*200 - 1, &d)==FAKT_ROW && d==3000000u*200 );
  faktFtsClose(c);
  faktStoreAbort(t);

  /* gaps of several bytes, written raw: docs 1, 201, 70201, 2^32-1 */
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  memcpy(k, "www\0", 4); faktEncU32(k+4, 1);
  v[0] = 0xC8; v[1] = 0x01;                               /* 200 */
  v[2] = 0xF0; v[3] = 0xA2; v[4] = 0x04;                  /* 70000 */
  v[5] = 0xC6; v[6] = 0xDB; v[7] = 0xFB; v[8] = 0xFF; v[9] = 0x0F;   /* 4294897094 */
  CHECK( faktAuxPut(t, "fts", k, 8, v, 10)==FAKT_OK );
  CHECK( ftsList(t, "www", aDoc, 8)==4 && aDoc[0]==1 && aDoc[1]==201 && aDoc[2]==70201 && aDoc[3]==UINT32_MAX );
  CHECK( faktFtsOpen(t, "www", 3, &c)==FAKT_OK );
  CHECK( faktFtsSeek(c, 202, &d)==FAKT_ROW && d==70201 );
  CHECK( faktFtsSeek(c, 70202, &d)==FAKT_ROW && d==UINT32_MAX );
  faktFtsClose(c);
  faktStoreAbort(t);

  /* damaged blocks: FAKT_CORRUPT from the reader, a problem for the check */
  {
    static const struct { uint8_t a[6]; int n; } aBad[] = {
      { {0x80}, 1 },                                      /* truncated varint */
      { {0x00}, 1 },                                      /* gap 0 */
      { {0xFF, 0xFF, 0xFF, 0xFF, 0x7F}, 5 },              /* past 32 bits */
      { {0xFF, 0xFF, 0xFF, 0xFF, 0x0F}, 5 },              /* past 2^32-1 from doc 5 */
      { {0x81, 0x80, 0x80, 0x80, 0x80, 0x01}, 6 },        /* six bytes */
    };
    for(i=0; i<(int)(sizeof(aBad)/sizeof(aBad[0])); i++){
      CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
      memcpy(k, "zzz\0", 4); faktEncU32(k+4, 5);
      CHECK( faktAuxPut(t, "fts", k, 8, aBad[i].a, aBad[i].n)==FAKT_OK );
      CHECK( ftsList(t, "zzz", aDoc, 8)==-1 );
      CHECK( faktFtsOpen(t, "zzz", 3, &c)==FAKT_OK );
      CHECK( faktFtsSeek(c, 6, &d)==FAKT_CORRUPT );
      CHECK( faktFtsNext(c, &d)==FAKT_DONE );
      faktFtsClose(c);
      CHECK( faktStoreCommit(t)==FAKT_OK );
      CHECK( faktStoreCheck(s, &zRep)==FAKT_CORRUPT && zRep && strstr(zRep, "fts block of \"zzz\" at 5: damaged") );
      free(zRep); zRep = NULL;
      CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
      CHECK( faktAuxDel(t, "fts", k, 8)==FAKT_OK );
      CHECK( faktStoreCommit(t)==FAKT_OK );
    }
    /* 129 docs in one block */
    uint8_t aMany[128];
    memset(aMany, 1, sizeof(aMany));
    CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
    CHECK( faktAuxPut(t, "fts", k, 8, aMany, 127)==FAKT_OK );
    CHECK( ftsList(t, "zzz", aDoc, 8)==128 );
    CHECK( faktAuxPut(t, "fts", k, 8, aMany, 128)==FAKT_OK );
    CHECK( ftsList(t, "zzz", aDoc, 8)==-1 );
    CHECK( faktAuxDel(t, "fts", k, 8)==FAKT_OK );
    CHECK( faktStoreCommit(t)==FAKT_OK );
  }
  /* overlapping blocks, a doc that is no object, a missing posting */
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  memcpy(k, "common\0", 7); faktEncU32(k+7, aA[10]);
  CHECK( faktAuxPut(t, "fts", k, 11, v, 0)==FAKT_OK );    /* inside the first block */
  CHECK( ftsList(t, "common", aDoc, 8)==FTS_N );          /* read as the union, ascending */
  memcpy(k, "yyy\0", 4); faktEncU32(k+4, 999999);
  CHECK( faktAuxPut(t, "fts", k, 8, v, 0)==FAKT_OK );
  memcpy(k, "rare\0", 5); faktEncU32(k+5, aA[0]);
  CHECK( faktAuxDel(t, "fts", k, 9)==FAKT_OK );            /* the first block of "rare" */
  CHECK( faktStoreCommit(t)==FAKT_OK );
  CHECK( faktStoreCheck(s, &zRep)==FAKT_CORRUPT && zRep );
  if( zRep ){
    char zWant[128];
    snprintf(zWant, sizeof(zWant), "fts block of \"common\" at %u overlaps the one before", aA[10]);
    CHECK( strstr(zRep, zWant)!=NULL );
    CHECK( strstr(zRep, "fts posting of \"yyy\" for 999999: no such claim or source")!=NULL );
    snprintf(zWant, sizeof(zWant), "claim %u: no fts posting for \"rare\"", aA[0]);
    CHECK( strstr(zRep, zWant)!=NULL );
  }
  free(zRep);
  faktStoreClose(s);
}

/*
** s2i (format 7): a text of up to 64 bytes is its own key; a longer one is
** keyed by its hash, and two long texts in one hash bucket (DUPSORT) are
** told apart by comparing their texts. The lengths 64 and 65 on either
** side, and the keys i2s and s2i hold for them.
*/
static void testCollision(void){
  FaktStore *s = NULL;
  char *zErr = NULL, zAlpha[100], zBeta[100], z64[65], z65[66];
  StoreTxn *t;
  uint32_t idA, idB, id, id64, id65;
  uint8_t k[80], v[4];
  rmDb(path(2, "coll.fakt"));
  CHECK( openDb(path(2, "coll.fakt"), 1, 0, 0, 0, &s, &zErr)==FAKT_OK );
  if( s==NULL ){ free(zErr); return; }
  memset(zAlpha, 'a', 99); zAlpha[99] = 0;
  memset(zBeta, 'b', 99); zBeta[99] = 0;
  memset(z64, 'x', 64); z64[64] = 0;
  memset(z65, 'x', 65); z65[65] = 0;
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  CHECK( faktDictIntern(t, NS_STR, zAlpha, 99, &idA)==FAKT_OK );
  /* pretend zAlpha hashes like zBeta: its id joins zBeta's bucket */
  k[0] = NS_STR | 0x80;
  faktEncU64(k+1, faktHash64(zBeta, 99));
  faktEncU32(v, idA);
  CHECK( faktAuxPut(t, "s2i", k, 9, v, 4)==FAKT_OK );
  CHECK( faktDictLookup(t, NS_STR, zBeta, 99, &id)==FAKT_NOTFOUND );
  CHECK( faktDictIntern(t, NS_STR, zBeta, 99, &idB)==FAKT_OK && idB!=idA );
  CHECK( countAux(t, "s2i", k, 9)==2 );
  CHECK( faktDictLookup(t, NS_STR, zBeta, 99, &id)==FAKT_OK && id==idB );
  CHECK( faktDictLookup(t, NS_STR, zAlpha, 99, &id)==FAKT_OK && id==idA );
  CHECK( faktDictLookup(t, NS_NAME, zBeta, 99, &id)==FAKT_NOTFOUND );
  /* the text as the key up to 64 bytes, the hash from 65 */
  CHECK( faktDictIntern(t, NS_STR, z64, 64, &id64)==FAKT_OK );
  CHECK( faktDictIntern(t, NS_STR, z65, 65, &id65)==FAKT_OK && id65!=id64 );
  k[0] = NS_STR; memcpy(k+1, z64, 64);
  CHECK( countAux(t, "s2i", k, 65)==1 );
  k[0] = NS_STR | 0x80; faktEncU64(k+1, faktHash64(z65, 65));
  CHECK( countAux(t, "s2i", k, 9)==1 );
  CHECK( faktDictLookup(t, NS_STR, z64, 63, &id)==FAKT_NOTFOUND );
  CHECK( faktDictLookup(t, NS_STR, z65, 65, &id)==FAKT_OK && id==id65 );
  CHECK( faktDictLookup(t, NS_STR, z64, 64, &id)==FAKT_OK && id==id64 );
  CHECK( faktDictLookup(t, NS_STR, "", 0, &id)==FAKT_NOTFOUND );
  CHECK( faktDictIntern(t, NS_STR, "", 0, &id)==FAKT_OK && faktDictLookup(t, NS_STR, "", 0, &idA)==FAKT_OK && idA==id );
  k[0] = NS_STR; memcpy(k+1, "bad", 3);                 /* a damaged value */
  CHECK( faktAuxPut(t, "s2i", k, 4, v, 3)==FAKT_OK );
  CHECK( faktDictLookup(t, NS_STR, "bad", 3, &id)==FAKT_CORRUPT );
  CHECK( faktStoreCommit(t)==FAKT_OK );
  /* the collision entry points to zAlpha under zBeta's hash: the check sees it */
  char *zRep = NULL;
  CHECK( faktStoreCheck(s, &zRep)==FAKT_CORRUPT && zRep && strstr(zRep, "does not match its text")
         && strstr(zRep, "s2i: malformed entry") );
  free(zRep);
  CHECK( faktHash64("beta", 4)!=faktHash64("betb", 4) && faktHash64("", 0)!=0 );
  faktStoreClose(s);
}

/* Insert n claims of subject subj in one transaction (one tx). Claims are
** named "cN" when bNamed, else get bare ids. Returns the first error. */
static int insertBatch(FaktStore *s, uint32_t subj, uint32_t pred, int iFrom, int n, int bNamed){
  StoreTxn *t;
  ClaimRec r;
  uint32_t tx, id;
  int i, rc = faktStoreBegin(s, 1, &t);
  if( rc ) return rc;
  tx = faktStoreLastTx(t) + 1;
  memset(&r, 0, sizeof(r));
  r.s = subj; r.p = pred; r.txAdd = tx;
  for(i=0; i<n && rc==FAKT_OK; i++){
    char zName[32];
    encInt(r.o, iFrom + i);
    snprintf(zName, sizeof(zName), "c%d", iFrom + i);
    rc = bNamed ? faktDictIntern(t, NS_NAME, zName, -1, &id) : faktStoreNewId(t, &id);
    if( rc==FAKT_OK ) rc = faktClaimAdd(t, id, &r);
  }
  if( rc ){ faktStoreAbort(t); return rc; }
  return commitTx(t, (uint32_t)n, 0, NULL);
}

static void setup(FaktStore *s, uint32_t *pSubj, uint32_t *pPred){
  StoreTxn *t;
  *pSubj = *pPred = 0;
  if( faktStoreBegin(s, 1, &t) ) return;
  *pSubj = mkEnt(t, "train", K_ENTITY, 0, "Zug");
  *pPred = mkEnt(t, "number", K_PREDICATE, 0, NULL);
  if( faktStoreCommit(t) ) *pSubj = 0;
}

/*
** Generated claims _cN (format 4): the name is parsed, not looked up; the
** id is FAKT_GEN_BIT|N from next_gen; an explicit _cN moves next_gen past
** N; nothing enters the dictionary; the check sees an id at or past next_gen.
*/
static void testGenerated(void){
  FaktStore *s = NULL;
  StoreTxn *t = NULL;
  char *zErr = NULL, *zRep = NULL, aBuf[FAKT_GEN_NAME];
  const char *z;
  uint32_t id = 0, idE, idP, c1, c2, c3;
  uint8_t o[ENC_LEN], a4[4];
  int n = 0, ns;

  CHECK( faktGenParse("_c1", 3, &id)==1 && id==(FAKT_GEN_BIT|1) );
  CHECK( faktGenParse("_c2147483647", 12, &id)==1 && id==0xFFFFFFFFu );
  CHECK( faktGenParse("_c2147483648", 12, &id)==0 );
  CHECK( faktGenParse("_c9999999999", 12, &id)==0 );
  CHECK( faktGenParse("_c0", 3, &id)==0 );
  CHECK( faktGenParse("_c01", 4, &id)==0 );
  CHECK( faktGenParse("_c", 2, &id)==0 );
  CHECK( faktGenParse("_c1x", 4, &id)==0 );
  CHECK( faktGenParse("c1", 2, &id)==0 );
  /* a generated claim's name, made without the dictionary, parses back */
  {
    static const uint32_t aV[] = { 1, 9, 10, 99, 100, 1234567, 1000000000, 2147483647 };
    int ok = 1;
    for(size_t i=0; i<sizeof(aV)/sizeof(aV[0]); i++){
      char zWant[32];
      uint32_t idBack = 0;
      snprintf(zWant, sizeof(zWant), "_c%u", aV[i]);
      ok &= faktIdName(NULL, FAKT_GEN_BIT|aV[i], aBuf, &z, &n)==FAKT_OK
         && n==(int)strlen(zWant) && strcmp(z, zWant)==0
         && faktGenParse(z, n, &idBack)==1 && idBack==(FAKT_GEN_BIT|aV[i]);
    }
    CHECK( ok );
    CHECK( faktIdName(NULL, FAKT_GEN_BIT, aBuf, &z, &n)==FAKT_NOTFOUND );
  }
  CHECK( faktGenParse("_C1", 3, &id)==0 );

  rmDb(path(0, "gen.fakt"));
  CHECK( openDb(path(0, "gen.fakt"), 1, 0, 0, 0, &s, &zErr)==FAKT_OK );
  if( s==NULL ){ free(zErr); return; }
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  idE = mkEnt(t, "ent", K_ENTITY, 0, NULL);
  idP = mkEnt(t, "pred", K_PREDICATE, 0, NULL);
  TxRec rec;
  memset(&rec, 0, sizeof(rec));
  CHECK( faktStoreLogTx(t, &rec, &id)==FAKT_OK && id==1 );
  encInt(o, 7);
  c1 = mkClaim(t, NULL, idE, idP, o, 1, 0, NULL);
  c2 = mkClaim(t, NULL, idE, idP, o, 1, 0, NULL);
  CHECK( c1==(FAKT_GEN_BIT|1) && c2==(FAKT_GEN_BIT|2) );
  CHECK( faktIdName(t, c2, aBuf, &z, &n)==FAKT_OK && n==3 && memcmp(z, "_c2", 3)==0 );
  CHECK( faktIdName(t, idE, aBuf, &z, &n)==FAKT_OK && n==3 && memcmp(z, "ent", 3)==0 );
  CHECK( faktDictText(t, c1, &ns, &z, &n)==FAKT_NOTFOUND );
  CHECK( faktDictLookup(t, NS_NAME, "_c2", -1, &id)==FAKT_OK && id==c2 );
  CHECK( faktDictLookup(t, NS_NAME, "_c3", -1, &id)==FAKT_NOTFOUND );
  CHECK( faktDictLookup(t, NS_STR, "_c2", -1, &id)==FAKT_NOTFOUND );   /* only names */
  /* an explicit _c40 is not interned and moves the counter past it */
  c3 = mkClaim(t, "_c40", idE, idP, o, 1, 0, NULL);
  CHECK( c3==(FAKT_GEN_BIT|40) );
  CHECK( mkClaim(t, NULL, idE, idP, o, 1, 0, NULL)==(FAKT_GEN_BIT|41) );
  CHECK( faktDictIntern(t, NS_NAME, "_c5", -1, &id)==FAKT_OK && id==(FAKT_GEN_BIT|5) );
  CHECK( mkClaim(t, NULL, idE, idP, o, 1, 0, NULL)==(FAKT_GEN_BIT|42) );   /* 5 < 42: unchanged */
  CHECK( faktStoreCommit(t)==FAKT_OK );
  checkOk(s, __LINE__);

  /* next_gen put back below a stored claim: the check says which */
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  faktEncU32(a4, 42);
  CHECK( faktAuxPut(t, "meta", (const uint8_t*)"next_gen", 8, a4, 4)==FAKT_OK );
  CHECK( faktStoreCommit(t)==FAKT_OK );
  CHECK( faktStoreCheck(s, &zRep)==FAKT_CORRUPT && zRep
         && strstr(zRep, "generated claim _c42 not below next_gen 42")!=NULL
         && strstr(zRep, "_c41 not")==NULL );
  free(zRep); zRep = NULL;

  /* a missing next_gen is damage, and no generated claim can be made */
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  CHECK( faktAuxDel(t, "meta", (const uint8_t*)"next_gen", 8)==FAKT_OK );
  CHECK( faktStoreNewGenId(t, &id)==FAKT_CORRUPT );
  CHECK( faktStoreCommit(t)==FAKT_OK );
  CHECK( faktStoreCheck(s, &zRep)==FAKT_CORRUPT && zRep && strstr(zRep, "meta: next_gen missing")!=NULL );
  free(zRep);
  faktStoreClose(s);
}

/*
** The write transaction's name cache: what an aborted nested transaction
** interned is gone (its id is given out again, to another name); a kind
** looked up before the object existed is found once it does; a read sees
** a name another transaction committed; the cache a commit leaves to the
** next write transaction holds nothing of one that aborted.
*/
static void testNameCache(void){
  FaktStore *s = NULL;
  StoreTxn *t = NULL, *tn = NULL;
  char *zErr = NULL;
  uint32_t idGone = 0, idNew = 0, idOther = 0, id = 0;
  int kind = 0;
  rmDb(path(0, "names.fakt"));
  CHECK( openDb(path(0, "names.fakt"), 1, 0, 0, 0, &s, &zErr)==FAKT_OK );
  if( s==NULL ){ free(zErr); return; }
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  CHECK( faktStoreBeginNested(t, &tn)==FAKT_OK );
  CHECK( faktDictIntern(tn, NS_NAME, "gone", -1, &idGone)==FAKT_OK );
  CHECK( faktDictLookup(tn, NS_NAME, "gone", -1, &id)==FAKT_OK && id==idGone );
  faktStoreAbort(tn);
  CHECK( faktDictLookup(t, NS_NAME, "gone", -1, &id)==FAKT_NOTFOUND );
  CHECK( faktDictIntern(t, NS_NAME, "fresh", -1, &idNew)==FAKT_OK && idNew==idGone );
  CHECK( faktDictLookup(t, NS_NAME, "gone", -1, &id)==FAKT_NOTFOUND );
  CHECK( faktDictLookupKind(t, "fresh", -1, &id, &kind)==FAKT_NOTFOUND && id==idNew );
  CHECK( mkEnt(t, "fresh", K_ENTITY, 0, NULL)==idNew );
  CHECK( faktDictLookupKind(t, "fresh", -1, &id, &kind)==FAKT_OK && id==idNew && kind==K_ENTITY );
  /* a child that commits leaves its names with the parent */
  CHECK( faktStoreBeginNested(t, &tn)==FAKT_OK );
  CHECK( mkEnt(tn, "kept", K_SOURCE, 0, NULL)!=0 );
  CHECK( faktStoreCommit(tn)==FAKT_OK );
  CHECK( faktDictLookupKind(t, "kept", -1, &id, &kind)==FAKT_OK && kind==K_SOURCE );
  CHECK( faktStoreCommit(t)==FAKT_OK );
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
  CHECK( faktDictLookupKind(t, "kept", -1, &id, &kind)==FAKT_OK && kind==K_SOURCE );
  CHECK( faktDictLookup(t, NS_NAME, "gone", -1, &id)==FAKT_NOTFOUND );
  faktStoreAbort(t);
  /* the next write txn takes the committed cache over; one that aborts
  ** takes its own names with it, and their ids are given out again */
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  CHECK( faktDictLookupKind(t, "kept", -1, &id, &kind)==FAKT_OK && kind==K_SOURCE );
  CHECK( faktDictLookupKind(t, "fresh", -1, &id, &kind)==FAKT_OK && id==idNew && kind==K_ENTITY );
  CHECK( faktDictIntern(t, NS_NAME, "lost", -1, &idGone)==FAKT_OK );
  faktStoreAbort(t);
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  CHECK( faktDictLookup(t, NS_NAME, "lost", -1, &id)==FAKT_NOTFOUND );
  CHECK( faktDictIntern(t, NS_NAME, "other", -1, &idOther)==FAKT_OK && idOther==idGone );
  CHECK( faktDictLookup(t, NS_NAME, "lost", -1, &id)==FAKT_NOTFOUND );
  CHECK( faktStoreCommit(t)==FAKT_OK );
  /* a failed commit leaves no cache behind either: "late" is not there */
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  CHECK( faktDictIntern(t, NS_NAME, "late", -1, &idGone)==FAKT_OK );
  CHECK( faktStoreBeginNested(t, &tn)==FAKT_OK );
  CHECK( faktStoreCommit(t)==FAKT_MISUSE );     /* a child is open: aborted */
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  CHECK( faktDictLookup(t, NS_NAME, "late", -1, &id)==FAKT_NOTFOUND );
  CHECK( faktDictLookup(t, NS_NAME, "other", -1, &id)==FAKT_OK && id==idOther );
  /* kinds looked up by id: those of an aborted child are forgotten with
  ** it, and its ids, given out again, have their new objects' kinds */
  CHECK( faktStoreBeginNested(t, &tn)==FAKT_OK );
  CHECK( (idGone = mkEnt(tn, "brief", K_ENTITY, 0, NULL))!=0 );
  CHECK( faktObjGetKind(tn, idGone, &kind)==FAKT_OK && kind==K_ENTITY );
  CHECK( faktObjGetKind(tn, idGone, &kind)==FAKT_OK && kind==K_ENTITY );
  faktStoreAbort(tn);
  CHECK( faktObjGetKind(t, idGone, &kind)==FAKT_NOTFOUND );
  CHECK( mkEnt(t, "lasting", K_SOURCE, 0, NULL)==idGone );
  CHECK( faktObjGetKind(t, idGone, &kind)==FAKT_OK && kind==K_SOURCE );
  CHECK( faktStoreCommit(t)==FAKT_OK );
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  CHECK( faktObjGetKind(t, idGone, &kind)==FAKT_OK && kind==K_SOURCE );
  faktStoreAbort(t);
  checkOk(s, __LINE__);
  faktStoreClose(s);
}

/* Bytes of file pages this process has mapped in (/proc/self/statm's
** third field), or with bAnon its other resident bytes; -1 where that is
** not known. */
static long long statmBytes(int bAnon){
  unsigned long long nSize, nRes, nShared;
  FILE *f = fopen("/proc/self/statm", "r");
  int n;
  if( f==NULL ) return -1;
  n = fscanf(f, "%llu %llu %llu", &nSize, &nRes, &nShared);
  fclose(f);
  if( n!=3 ) return -1;
  return (long long)((bAnon ? nRes - nShared : nShared) * (unsigned long long)sysconf(_SC_PAGESIZE));
}
static long long mappedIn(void){ return statmBytes(0); }

/* A new database zFile holding n entities named zPre and their number, of
** kind xKind(i) and label zLabel, committed and closed. Their ids
** (malloc'd), or NULL after a failed check. */
static uint32_t *fillEntities(const char *zFile, const char *zPre, uint32_t n,
                              int (*xKind)(uint32_t), const char *zLabel){
  FaktStore *s = NULL;
  StoreTxn *t = NULL;
  char *zErr = NULL, zName[64];
  uint32_t *aId = malloc(n * sizeof(uint32_t));
  int bOk = aId!=NULL;
  rmDb(path(0, zFile));
  CHECK( bOk && openDb(path(0, zFile), 1, 0, 0, 0, &s, &zErr)==FAKT_OK );
  if( s==NULL ){ free(zErr); free(aId); return NULL; }
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  for(uint32_t i=0; i<n && bOk; i++){
    snprintf(zName, sizeof(zName), "%s%u", zPre, i);
    bOk = (aId[i] = mkEnt(t, zName, xKind(i), 0, zLabel))!=0;
  }
  CHECK( bOk );
  CHECK( faktStoreCommit(t)==FAKT_OK );
  faktStoreClose(s);
  if( !bOk ){ free(aId); return NULL; }
  return aId;
}

static int kindEntity(uint32_t i){ (void)i; return K_ENTITY; }
static int kindMixed(uint32_t i){ return i%3==0 ? K_SOURCE : i%3==1 ? K_ENTITY : K_PREDICATE; }

/*
** A write transaction keeps about StoreConfig.nMapped bytes of the file
** mapped in, whatever reads them: the open leaves the file's pages
** resident (its walk), and reads of records scattered over it in a write
** transaction must let them go. Without the drop, or with reads that do
** not count towards it, the mapped bytes stay at the file's size.
*/
static void testMappedBudget(void){
  FaktStore *s = NULL;
  StoreTxn *t = NULL;
  StoreConfig cfg;
  char *zErr = NULL;
  const uint32_t nEnt = 30000;
  const uint64_t nBudget = (uint64_t)256 << 10;
  uint32_t *aId;
  long long m0, m1, mMax = 0;
  uint32_t i;
  int bOk = 1;
  if( mappedIn()<0 ){ printf("  (no /proc/self/statm: budget not checked)\n"); return; }
  aId = fillEntities("mapped.fakt", "mapped_entity_", nEnt, kindEntity,
                     "a label long enough to fill the pages of obj");
  if( aId==NULL ) return;
  memset(&cfg, 0, sizeof(cfg));
  cfg.nMapped = nBudget;
  m0 = mappedIn();
  CHECK( faktStoreOpen(path(0, "mapped.fakt"), &cfg, &s, &zErr)==FAKT_OK );
  if( s==NULL ){ free(zErr); free(aId); return; }
  m1 = mappedIn();
  uint64_t nUsed = 0, nMap = 0;
  CHECK( faktStoreInfo(s, &nMap, &nUsed)==FAKT_OK );
  /* the open maps in a few pages of the file (SPEC 12.7), the reads
  ** below most of it */
  CHECK( m1 - m0 < (long long)(nUsed/8) && nUsed >= 8*nBudget );
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  uint64_t x = 88172645463325252ull;
  for(i=0; i<4*nEnt; i++){
    EntRec r;
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    if( faktEntGet(t, aId[x % nEnt], &r)!=FAKT_OK ){ bOk = 0; break; }
    if( i>=nEnt && i%64==0 ){
      long long m = mappedIn() - m0;
      if( m>mMax ) mMax = m;
    }
  }
  CHECK( bOk );
  if( mMax > (long long)(4*nBudget) ){
    printf("  mapped in during the reads: %lld bytes, budget %llu, file %llu\n",
           mMax, (unsigned long long)nBudget, (unsigned long long)nUsed);
  }
  CHECK( mMax <= (long long)(4*nBudget) );
  faktStoreAbort(t);
  checkOk(s, __LINE__);
  faktStoreClose(s);
  free(aId);
}

/*
** Reads leave about faktStoreSetMapped's bytes of the file mapped in: random
** reads over a file many times the budget, in one read transaction and in
** many short ones, stay within four times it; with no limit (0) the same
** reads leave most of the file mapped in, which is what the check would
** see if the reads did not count (faktKvReadTick).
*/
static long long readMapped(FaktStore *s, const uint32_t *aId, uint32_t nEnt, int bShort){
  StoreTxn *t = NULL;
  long long m0 = mappedIn(), mMax = 0;
  uint64_t x = 88172645463325252ull;
  int bOk = 1;
  if( !bShort ) CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
  for(uint32_t i=0; i<4*nEnt && bOk; i++){
    EntRec r;
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    if( bShort && faktStoreBegin(s, 0, &t)!=FAKT_OK ){ bOk = 0; break; }
    bOk = faktEntGet(t, aId[x % nEnt], &r)==FAKT_OK;
    if( bShort ){ faktStoreAbort(t); t = NULL; }
    if( i%64==0 ){
      long long m = mappedIn() - m0;
      if( m>mMax ) mMax = m;
    }
  }
  CHECK( bOk );
  if( t ) faktStoreAbort(t);
  return mMax;
}

static void testReadMapped(void){
  FaktStore *s = NULL;
  StoreConfig cfg;
  char *zErr = NULL;
  const uint32_t nEnt = 30000;
  const uint64_t nBudget = (uint64_t)256 << 10;
  uint64_t nUsed = 0, nMap = 0;
  uint32_t *aId;
  if( mappedIn()<0 ){ printf("  (no /proc/self/statm: budget not checked)\n"); return; }
  aId = fillEntities("rmapped.fakt", "read_mapped_entity_", nEnt, kindEntity,
                     "a label long enough to fill the pages of obj, and more");
  if( aId==NULL ) return;
  memset(&cfg, 0, sizeof(cfg));
  CHECK( faktStoreOpen(path(0, "rmapped.fakt"), &cfg, &s, &zErr)==FAKT_OK );
  if( s==NULL ){ free(zErr); free(aId); return; }
  CHECK( faktStoreInfo(s, &nMap, &nUsed)==FAKT_OK );
  CHECK( nUsed >= 8*nBudget );
  CHECK( faktStoreSetMapped(s, nBudget)==FAKT_OK );
  for(int bShort=0; bShort<2; bShort++){
    long long m = readMapped(s, aId, nEnt, bShort);
    if( m > (long long)(4*nBudget) ){
      printf("  mapped in by reads (%s): %lld bytes, budget %llu, file %llu\n", bShort ? "short" : "one txn",
             m, (unsigned long long)nBudget, (unsigned long long)nUsed);
    }
    CHECK( m <= (long long)(4*nBudget) );
  }
  /* a limit a quarter of the file: the looks come as often as the pages
  ** grow (one each 256 KiB of limit let random gets map in the file) */
  CHECK( faktStoreSetMapped(s, nUsed/4)==FAKT_OK );
  for(int bShort=0; bShort<2; bShort++){
    long long m = readMapped(s, aId, nEnt, bShort);
    if( m > (long long)(3*(nUsed/4)) ){
      printf("  mapped in by reads (%s): %lld bytes, limit %llu, file %llu\n", bShort ? "short" : "one txn",
             m, (unsigned long long)(nUsed/4), (unsigned long long)nUsed);
    }
    CHECK( m <= (long long)(3*(nUsed/4)) );
  }
  /* no limit: the reads map in most of what they touch */
  CHECK( faktStoreSetMapped(s, 0)==FAKT_OK );
  CHECK( readMapped(s, aId, nEnt, 0) > (long long)(nUsed/2) );
  checkOk(s, __LINE__);
  faktStoreClose(s);
  free(aId);
}

/* Anonymous memory of this process (resident minus file pages), -1 if unknown. */
static long long anonIn(void){ return statmBytes(1); }

/*
** The new pages of a write transaction are memory until it commits; past
** StoreConfig.nDirty of them LMDB writes half of them to the file
** (store/lmdb.patch). A transaction that writes some 24 MB of records
** grows the process's anonymous memory by less than 12 MB with a 1 MiB
** limit, and by more than 20 MB with a limit above what it writes.
*/
static long long dirtyGrowth(uint64_t nDirty){
  FaktStore *s = NULL;
  StoreTxn *t = NULL;
  StoreConfig cfg;
  char *zErr = NULL, zName[64], zLabel[1001];
  long long m0, mMax = 0;
  int bOk = 1;
  memset(zLabel, 'x', 1000);
  zLabel[1000] = 0;
  rmDb(path(0, "dirty.fakt"));
  memset(&cfg, 0, sizeof(cfg));
  cfg.bCreate = 1;
  cfg.nDirty = nDirty;
  CHECK( faktStoreOpen(path(0, "dirty.fakt"), &cfg, &s, &zErr)==FAKT_OK );
  if( s==NULL ){ free(zErr); return -1; }
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  m0 = anonIn();
  for(uint32_t i=0; i<24000 && bOk; i++){
    snprintf(zName, sizeof(zName), "dirty_%u", i);
    zLabel[i%1000] = (char)('a' + i%26);       /* no two labels alike */
    bOk = mkEnt(t, zName, K_ENTITY, 0, zLabel)!=0;
    if( i%256==0 ){
      long long m = anonIn() - m0;
      if( m>mMax ) mMax = m;
    }
  }
  CHECK( bOk );
  CHECK( faktStoreCommit(t)==FAKT_OK );
  checkOk(s, __LINE__);
  faktStoreClose(s);
  return mMax;
}

static void testDirtyBudget(void){
  if( anonIn()<0 ){ printf("  (no /proc/self/statm: dirty pages not checked)\n"); return; }
  long long nSmall = dirtyGrowth((uint64_t)1 << 20);
  long long nLarge = dirtyGrowth((uint64_t)256 << 20);
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  /* the sanitizer's quarantine holds what LMDB frees: the transactions
  ** ran (and spilled, and freed their spill lists), the sizes say nothing */
  (void)nSmall; (void)nLarge;
  return;
#endif
  if( nSmall>=(12<<20) || nLarge<=(20<<20) ){
    printf("  anonymous memory of the transaction: %lld bytes with 1 MiB of dirty pages, %lld with 256 MiB\n",
           nSmall, nLarge);
  }
  CHECK( nSmall < (12<<20) );
  CHECK( nLarge > (20<<20) );
}

/*
** Kinds looked up by id in a write transaction are remembered in a table
** indexed by the id, which grows as larger ids come: every kind read back
** through it is the object's, before and after the table grew, and ids
** never seen are still looked up in the file.
*/
static void testKindTable(void){
  FaktStore *s = NULL;
  StoreTxn *t = NULL;
  char *zErr = NULL;
  const uint32_t nObj = 9000;
  uint32_t *aId = fillEntities("kinds.fakt", "k", nObj, kindMixed, NULL);
  int bOk = 1, kind = -1;
  uint32_t i;
  if( aId==NULL ) return;
  CHECK( aId[nObj-1]>4096 );
  CHECK( openDb(path(0, "kinds.fakt"), 0, 0, 0, 0, &s, &zErr)==FAKT_OK );
  if( s==NULL ){ free(zErr); free(aId); return; }
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  /* the first pass fills the table (small ids first, then past its first
  ** size), the second reads it */
  for(int iPass=0; iPass<2; iPass++){
    for(i=0; i<nObj && bOk; i++){
      bOk = faktObjGetKind(t, aId[i], &kind)==FAKT_OK && kind==kindMixed(i);
    }
    CHECK( bOk );
  }
  CHECK( faktObjGetKind(t, aId[nObj-1] + 1000, &kind)==FAKT_NOTFOUND );
  faktStoreAbort(t);
  faktStoreClose(s);
  free(aId);
}

/* A new database zFile with a write txn open that logged transaction 1
** and made an entity, a predicate and a source named zPre + "s", "p",
** "src". 0, or 1 when it could not be opened (*ps NULL). */
static int openWithBasics(const char *zFile, const char *zPre, FaktStore **ps, StoreTxn **pt,
                          uint32_t *pS, uint32_t *pP, uint32_t *pSrc){
  char *zErr = NULL, zName[32];
  TxRec rec;
  uint32_t idTx = 0;
  *ps = NULL;
  *pt = NULL;
  rmDb(path(0, zFile));
  CHECK( openDb(path(0, zFile), 1, 0, 0, 0, ps, &zErr)==FAKT_OK );
  if( *ps==NULL ){ free(zErr); return 1; }
  CHECK( faktStoreBegin(*ps, 1, pt)==FAKT_OK );
  memset(&rec, 0, sizeof(rec));
  CHECK( faktStoreLogTx(*pt, &rec, &idTx)==FAKT_OK && idTx==1 );
  snprintf(zName, sizeof(zName), "%ss", zPre);
  *pS = mkEnt(*pt, zName, K_ENTITY, 0, NULL);
  snprintf(zName, sizeof(zName), "%sp", zPre);
  *pP = mkEnt(*pt, zName, K_PREDICATE, 0, NULL);
  snprintf(zName, sizeof(zName), "%ssrc", zPre);
  *pSrc = mkEnt(*pt, zName, K_SOURCE, 0, NULL);
  return 0;
}

/*
** Claim records (format 5, varints): every field round-trips at its
** extremes; a record cut short or with a byte too many is damaged, never
** read past.
*/
static void testClaimRecord(void){
  FaktStore *s = NULL;
  StoreTxn *t = NULL;
  ClaimRec r, g;
  uint8_t o[ENC_LEN], k[4];
  uint32_t idS, idP, idSrc, idC = 0, idC2 = 0;
  if( openWithBasics("rec.fakt", "r", &s, &t, &idS, &idP, &idSrc) ) return;
  encInt(o, -9223372036854775807LL - 1);          /* an 8-byte payload */
  memset(&r, 0, sizeof(r));
  r.s = idS; r.p = idP; memcpy(r.o, o, ENC_LEN);
  CHECK( faktStoreNewGenId(t, &idC)==FAKT_OK );
  uint32_t idUnit = 0;
  CHECK( faktDictIntern(t, NS_STR, "km/h", -1, &idUnit)==FAKT_OK );
  r.unit = idUnit; r.source = idSrc; r.by = idC; r.stance = 16;   /* by: a 5-byte varint */
  r.holds = 0xFFFFFFFFFFFFFFFFULL; r.until = 1; r.said = (20230910ULL<<8)|3;
  r.txAdd = 1; r.txRet = 0;
  r.zQuote = "Kim traf"; r.quote = 8; r.spanStart = 0xFFFFFFF0u; r.spanEnd = 0xFFFFFFFFu;
  r.bQuoteRef = 1;                 /* ignored: the source has no text, so the quote is copied */
  r.nVia = 8;
  for(int i=0; i<8; i++) r.aVia[i] = i%2 ? idC : idS;
  CHECK( faktClaimAdd(t, idC, &r)==FAKT_OK );
  CHECK( faktClaimGet(t, idC, &g)==FAKT_OK );
  CHECK( g.s==r.s && g.p==r.p && memcmp(g.o, r.o, ENC_LEN)==0 && g.unit==r.unit && g.source==r.source
         && g.by==r.by && g.stance==r.stance && g.holds==r.holds && g.until==r.until && g.said==r.said
         && g.txAdd==1 && g.txRet==0 && g.quote==8 && !g.bQuoteRef && g.zQuote && memcmp(g.zQuote, "Kim traf", 8)==0
         && g.spanStart==r.spanStart && g.spanEnd==r.spanEnd && g.nVia==8
         && memcmp(g.aVia, r.aVia, sizeof(r.aVia))==0 );
  /* nothing optional: the shortest record */
  memset(&r, 0, sizeof(r));
  r.s = idS; r.p = idP; encId(o, T_ID, idS); memcpy(r.o, o, ENC_LEN); r.stance = 15; r.txAdd = 1;
  CHECK( faktStoreNewGenId(t, &idC2)==FAKT_OK && faktClaimAdd(t, idC2, &r)==FAKT_OK );
  CHECK( faktClaimGet(t, idC2, &g)==FAKT_OK && g.source==0 && g.quote==0 && g.zQuote==NULL && g.nVia==0
         && memcmp(g.o, o, ENC_LEN)==0 );
  CHECK( faktStoreCommit(t)==FAKT_OK );
  checkOk(s, __LINE__);
  /* damaged: the shortest record cut by one byte, and with one byte more */
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  StoreCursor *c = NULL;
  const uint8_t *aK, *aV; int nK, nV;
  uint8_t aRec[64];
  int nRec = 0;
  memcpy(k, &idC2, 4);
  CHECK( faktAuxOpen(t, "obj", k, 4, &c)==FAKT_OK );
  if( c && faktAuxNext(c, &aK, &nK, &aV, &nV)==FAKT_ROW && nV<=(int)sizeof(aRec)-1 ){
    nRec = nV;
    memcpy(aRec, aV, (size_t)nV);
  }
  faktCursorClose(c);
  CHECK( nRec>=9 && nRec<22 );
  CHECK( faktAuxPut(t, "obj", k, 4, aRec, nRec-1)==FAKT_OK );
  CHECK( faktClaimGet(t, idC2, &g)==FAKT_CORRUPT );
  aRec[nRec] = 'x';
  CHECK( faktAuxPut(t, "obj", k, 4, aRec, nRec+1)==FAKT_OK );
  CHECK( faktClaimGet(t, idC2, &g)==FAKT_CORRUPT );
  aRec[2] |= 0x80; aRec[3] = 0xFF; aRec[4] = 0xFF; aRec[5] = 0xFF; aRec[6] = 0xFF;  /* a varint past 5 bytes */
  CHECK( faktAuxPut(t, "obj", k, 4, aRec, nRec)==FAKT_OK );
  CHECK( faktClaimGet(t, idC2, &g)==FAKT_CORRUPT );
  faktStoreAbort(t);
  faktStoreClose(s);
}

/* Bytes of object id's record, or -1. */
static int recLen(StoreTxn *t, uint32_t id){
  StoreCursor *c = NULL;
  const uint8_t *aK, *aV;
  int nK, nV, n = -1;
  uint8_t k[4];
  memcpy(k, &id, 4);
  if( faktAuxOpen(t, "obj", k, 4, &c)==FAKT_OK && faktAuxNext(c, &aK, &nK, &aV, &nV)==FAKT_ROW ) n = nV;
  faktCursorClose(c);
  return n;
}

/* A quote that is its span's exact bytes is shared with the source's text
** (format 6); replacing the text gives every claim of the source, retracted
** ones too, its own copy first, atomically with the new text. */
static void testSharedQuote(void){
  static const char zText[] = "Kim traf Putin in Wostotschny.";
  static const char zNew[] = "Ein ganz anderer Text.";
  FaktStore *s = NULL;
  StoreTxn *t = NULL;
  char *zRep = NULL;
  ClaimRec r, g;
  TxRec rec;
  uint8_t o[ENC_LEN];
  const char *z = NULL;
  int n = 0;
  uint32_t idS, idP, idSrc, idTx, aC[4] = {0, 0, 0, 0};
  /* quote, span start, span end: shared; other whitespace; shared, then
  ** retracted; a span that does not hold the quote (copied, not trusted) */
  static const struct { const char *zQ; uint32_t a, b; int bShared; } aq[4] = {
    { "Kim traf", 0, 8, 1 }, { "traf  Putin", 4, 14, 0 }, { "Putin", 9, 14, 1 }, { "Wostotsc", 0, 8, 0 },
  };
  if( openWithBasics("share.fakt", "s", &s, &t, &idS, &idP, &idSrc) ) return;
  memset(&rec, 0, sizeof(rec));
  CHECK( faktTextPut(t, idSrc, zText, strlen(zText))==FAKT_OK );
  for(int i=0; i<4; i++){
    memset(&r, 0, sizeof(r));
    r.s = idS; r.p = idP; encInt(o, i); memcpy(r.o, o, ENC_LEN); r.stance = 15; r.txAdd = 1;
    r.source = idSrc; r.zQuote = aq[i].zQ; r.quote = (uint32_t)strlen(aq[i].zQ);
    r.spanStart = aq[i].a; r.spanEnd = aq[i].b;
    CHECK( faktStoreNewGenId(t, &aC[i])==FAKT_OK && faktClaimAdd(t, aC[i], &r)==FAKT_OK );
  }
  CHECK( faktStoreCommit(t)==FAKT_OK );
  checkOk(s, __LINE__);
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
  for(int i=0; i<4; i++){
    CHECK( faktClaimGet(t, aC[i], &g)==FAKT_OK && g.bQuoteRef==aq[i].bShared
           && (g.zQuote==NULL)==aq[i].bShared && g.quote==strlen(aq[i].zQ) );
    CHECK( faktClaimQuote(t, &g, &z, &n)==FAKT_OK && n==(int)strlen(aq[i].zQ) && memcmp(z, aq[i].zQ, (size_t)n)==0 );
  }
  CHECK( faktStatGet(t, 'N', 0)==0 );       /* no named claim with a quote */
  /* a shared quote costs none of its bytes: claims 0 and 3 differ only there */
  CHECK( recLen(t, aC[0])>0 && recLen(t, aC[0]) + 8 == recLen(t, aC[3]) );
  faktStoreAbort(t);

  /* the same text again: nothing is copied; claim 2 is retracted */
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  CHECK( faktStoreLogTx(t, &rec, &idTx)==FAKT_OK );
  CHECK( faktTextPut(t, idSrc, zText, strlen(zText))==FAKT_OK );
  CHECK( faktClaimRetract(t, aC[2], 2)==FAKT_OK );
  CHECK( faktClaimGet(t, aC[0], &g)==FAKT_OK && g.bQuoteRef );
  CHECK( faktStoreCommit(t)==FAKT_OK );
  /* a new text, in a transaction that is rolled back: still shared */
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  CHECK( faktTextPut(t, idSrc, zNew, strlen(zNew))==FAKT_OK );
  CHECK( faktClaimGet(t, aC[0], &g)==FAKT_OK && !g.bQuoteRef && g.zQuote && memcmp(g.zQuote, "Kim traf", 8)==0 );
  faktStoreAbort(t);
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
  CHECK( faktClaimGet(t, aC[0], &g)==FAKT_OK && g.bQuoteRef );
  faktStoreAbort(t);
  /* committed: every claim keeps its quote, the retracted one too */
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  CHECK( faktStoreLogTx(t, &rec, &idTx)==FAKT_OK );
  CHECK( faktTextPut(t, idSrc, zNew, strlen(zNew))==FAKT_OK );
  CHECK( faktStoreCommit(t)==FAKT_OK );
  checkOk(s, __LINE__);
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
  for(int i=0; i<4; i++){
    CHECK( faktClaimGet(t, aC[i], &g)==FAKT_OK && !g.bQuoteRef && g.spanStart==aq[i].a && g.spanEnd==aq[i].b );
    CHECK( faktClaimQuote(t, &g, &z, &n)==FAKT_OK && n==(int)strlen(aq[i].zQ) && memcmp(z, aq[i].zQ, (size_t)n)==0 );
  }
  CHECK( faktClaimGet(t, aC[2], &g)==FAKT_OK && g.txRet==2 );
  faktStoreAbort(t);

  /* a text cut short behind the store's back: the shared quote of a new
  ** claim is reported, not read past the text */
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  CHECK( faktStoreLogTx(t, &rec, &idTx)==FAKT_OK );
  memset(&r, 0, sizeof(r));
  r.s = idS; r.p = idP; encInt(o, 9); memcpy(r.o, o, ENC_LEN); r.stance = 15; r.txAdd = 4;
  r.source = idSrc; r.zQuote = "anderer Text"; r.quote = 12; r.spanStart = 9; r.spanEnd = 21;
  uint32_t idLate = 0;       /* a named claim: counted in stat N */
  CHECK( faktDictIntern(t, NS_NAME, "late", -1, &idLate)==FAKT_OK && faktClaimAdd(t, idLate, &r)==FAKT_OK );
  CHECK( faktStatGet(t, 'N', 0)==1 );
  uint8_t kSrc[4];
  faktEncU32(kSrc, idSrc);
  CHECK( faktAuxPut(t, "text", kSrc, 4, (const uint8_t*)"Ein ganz", 8)==FAKT_OK );
  CHECK( faktStoreCommit(t)==FAKT_OK );
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
  CHECK( faktClaimGet(t, idLate, &g)==FAKT_OK && g.bQuoteRef );
  CHECK( faktClaimQuote(t, &g, &z, &n)==FAKT_CORRUPT );
  faktStoreAbort(t);
  CHECK( faktStoreCheck(s, &zRep)==FAKT_CORRUPT && zRep && strstr(zRep, "span 9-21 is not in the stored text") );
  free(zRep);
  faktStoreClose(s);
  /* verify names the claim; quote() says the file is damaged */
  fakt *db = NULL;
  fakt_stmt *st = NULL;
  CHECK( fakt_open(path(0, "share.fakt"), FAKT_OPEN_READONLY, &db)==FAKT_OK );
  CHECK( fakt_prepare(db, "verify ssrc;", -1, &st, NULL)==FAKT_OK );
  int nRow = 0, bLate = 0;
  while( st && fakt_step(st)==FAKT_ROW ){
    nRow++;
    if( strcmp(fakt_column_text(st, 0), "late")==0 && strcmp(fakt_column_text(st, 2), "quote not found")==0 ) bLate = 1;
  }
  CHECK( bLate && nRow==4 );     /* and the three live claims whose spans the cut text lost */
  fakt_finalize(st); st = NULL;
  CHECK( fakt_prepare(db, "find ?q where quote(late, ?q);", -1, &st, NULL)==FAKT_OK );
  CHECK( st && fakt_step(st)==FAKT_CORRUPT && strstr(fakt_errmsg(db), "not in the stored text of source") );
  fakt_finalize(st);
  fakt_close(db);
}

/* faktStoreSnapshot: what lets a statement keep the map pointers of its
** dictionary cache from one execution to the next. Equal only for two read
** txns of the same commit through the same mapping. */
/* The report of faktStoreCheck (malloc'd), with its code in *pRc. */
static char *checkReport(FaktStore *s, int *pRc){
  char *zRep = NULL;
  *pRc = faktStoreCheck(s, &zRep);
  return zRep ? zRep : strdup("");
}

/* Write meta/last_tx = v in a write txn of its own. */
static int setLastTx(FaktStore *s, uint32_t v){
  StoreTxn *t = NULL;
  uint8_t a4[4];
  faktEncU32(a4, v);
  if( faktStoreBegin(s, 1, &t) ) return 0;
  if( faktAuxPut(t, "meta", (const uint8_t*)"last_tx", 7, a4, 4) ){ faktStoreAbort(t); return 0; }
  return faktStoreCommit(t)==FAKT_OK;
}

/*
** Transaction ids never wrap (issue 25, point 10): with last_tx one short
** of STORE_TX_MAX one commit still takes STORE_TX_MAX, the next is
** FAKT_FULL "transaction ids are exhausted" and changes nothing; the claims
** stay readable; .check warns near the end and flags 2^32-1. Through the
** API too: the statement fails with the message, and no map growth retries.
*/
static void testTxIds(void){
  FaktStore *s = NULL;
  StoreTxn *t = NULL;
  ClaimRec r, g;
  uint8_t o[ENC_LEN];
  uint32_t idS, idP, idSrc, idC = 0, tx = 0;
  char *zRep;
  int rc;
  if( openWithBasics("txid.fakt", "x", &s, &t, &idS, &idP, &idSrc) ) return;
  memset(&r, 0, sizeof(r));
  r.s = idS; r.p = idP; encInt(o, 7); memcpy(r.o, o, ENC_LEN); r.stance = 15; r.txAdd = 1;
  CHECK( faktStoreNewGenId(t, &idC)==FAKT_OK && faktClaimAdd(t, idC, &r)==FAKT_OK );
  CHECK( faktStoreCommit(t)==FAKT_OK );
  checkOk(s, __LINE__);
  CHECK( setLastTx(s, STORE_TX_MAX-1) );
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK && commitTx(t, 1, 0, &tx)==FAKT_OK && tx==STORE_TX_MAX );
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  rc = commitTx(t, 1, 0, &tx);
  CHECK( rc==FAKT_FULL && strstr(faktStoreErrmsg(s), "transaction ids are exhausted")!=NULL );
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
  CHECK( faktStoreLastTx(t)==STORE_TX_MAX );
  CHECK( faktClaimGet(t, idC, &g)==FAKT_OK && g.txAdd==1 );
  faktStoreAbort(t);
  zRep = checkReport(s, &rc);
  /* the ids 2 .. STORE_TX_MAX-1 were skipped here: their log records are missing */
  CHECK( rc==FAKT_CORRUPT && strstr(zRep, "warning: last_tx is 4294967294: only 0 transaction ids are left")!=NULL );
  CHECK( strstr(zRep, "txlog: transactions 2 to 4294967293 are missing")!=NULL );
  free(zRep);
  CHECK( setLastTx(s, 0xffffffffu) );
  zRep = checkReport(s, &rc);
  CHECK( rc==FAKT_CORRUPT && strstr(zRep, "meta: last_tx 4294967295 is past the last transaction id")!=NULL );
  free(zRep);
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK && commitTx(t, 1, 0, &tx)==FAKT_FULL );
  faktStoreClose(s);

  /* through the API: a statement and a begin ... commit both fail, nothing changes */
  {
    fakt *db = NULL;
    char *zErr = NULL;
    const char *zPath = path(0, "txapi.fakt");
    rmDb(zPath);
    CHECK( fakt_open(zPath, FAKT_OPEN_READWRITE|FAKT_OPEN_CREATE, &db)==FAKT_OK );
    CHECK( fakt_exec(db, "predicate num : number; entity x thing \"X\"; claim a1: x num 1;", NULL, NULL, &zErr)==FAKT_OK );
    fakt_free(zErr); zErr = NULL;
    fakt_close(db); db = NULL;
    s = NULL;
    char *zE = NULL;
    CHECK( openDb(zPath, 0, 0, 0, 0, &s, &zE)==FAKT_OK );
    free(zE);
    if( s ){ CHECK( setLastTx(s, STORE_TX_MAX-1) ); faktStoreClose(s); }
    CHECK( fakt_open(zPath, FAKT_OPEN_READWRITE, &db)==FAKT_OK );
    CHECK( fakt_exec(db, "claim a2: x num 2;", NULL, NULL, &zErr)==FAKT_OK );
    fakt_free(zErr); zErr = NULL;
    CHECK( fakt_last_tx(db)==(int64_t)STORE_TX_MAX );
    rc = fakt_exec(db, "claim a3: x num 3;", NULL, NULL, &zErr);
    CHECK( rc==FAKT_FULL && zErr && strstr(zErr, "transaction ids are exhausted")!=NULL );
    fakt_free(zErr); zErr = NULL;
    rc = fakt_exec(db, "begin; claim a4: x num 4; commit;", NULL, NULL, &zErr);
    CHECK( rc==FAKT_FULL && zErr && strstr(zErr, "transaction ids are exhausted")!=NULL );
    fakt_free(zErr); zErr = NULL;
    if( fakt_in_transaction(db) ) fakt_exec(db, "rollback;", NULL, NULL, NULL);
    CHECK( fakt_last_tx(db)==(int64_t)STORE_TX_MAX );
    /* every committed claim, old and new, answers; none of the refused */
    fakt_stmt *st = NULL;
    long long sum = 0;
    int nRow = 0;
    CHECK( fakt_prepare(db, "find ?n where x num ?n;", -1, &st, NULL)==FAKT_OK );
    while( st && fakt_step(st)==FAKT_ROW ){ sum += fakt_column_int64(st, 0); nRow++; }
    fakt_finalize(st);
    CHECK( nRow==2 && sum==3 );
    fakt_close(db);
  }
}

/*
** .check finds damage that stays well-formed (issue 25, point 16): a claim
** object of unknown type, a predicate's unknown object type, txlog records
** missing (inside, at the end, all) or short.
*/
static void testCheckDamage(void){
  FaktStore *s = NULL;
  StoreTxn *t = NULL;
  ClaimRec r;
  EntRec e;
  uint8_t o[ENC_LEN], k[4], v[20];
  uint32_t idS, idP, idSrc, idC = 0, idP2, tx = 0;
  char *zRep;
  int rc;
  if( openWithBasics("damage.fakt", "d", &s, &t, &idS, &idP, &idSrc) ) return;
  memset(&r, 0, sizeof(r));
  r.s = idS; r.p = idP; encInt(o, 7); o[0] = 127; memcpy(r.o, o, ENC_LEN); r.stance = 15; r.txAdd = 1;
  CHECK( faktStoreNewGenId(t, &idC)==FAKT_OK && faktClaimAdd(t, idC, &r)==FAKT_OK );
  idP2 = mkEnt(t, "dp2", K_PREDICATE, 0, NULL);
  CHECK( idP2!=0 && faktEntGet(t, idP2, &e)==FAKT_OK );
  e.objType = 9;
  CHECK( faktEntPut(t, idP2, &e)==FAKT_OK );
  CHECK( faktStoreCommit(t)==FAKT_OK );
  zRep = checkReport(s, &rc);
  CHECK( rc==FAKT_CORRUPT && strstr(zRep, "object of unknown type 127")!=NULL );
  CHECK( strstr(zRep, "unknown object type 9")!=NULL );
  free(zRep);
  faktStoreClose(s);

  if( openWithBasics("txlog.fakt", "l", &s, &t, &idS, &idP, &idSrc) ) return;
  CHECK( faktStoreCommit(t)==FAKT_OK );
  for(int i=0; i<3; i++){
    CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK && commitTx(t, 0, 0, &tx)==FAKT_OK );
  }
  CHECK( tx==4 );
  checkOk(s, __LINE__);
  /* record 2 gone */
  faktEncU32(k, 2);
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK && faktStoreGetTx(t, 2, &(TxRec){0})==FAKT_OK );
  CHECK( faktAuxDel(t, "txlog", k, 4)==FAKT_OK && faktStoreCommit(t)==FAKT_OK );
  zRep = checkReport(s, &rc);
  CHECK( rc==FAKT_CORRUPT && strstr(zRep, "txlog: transactions 2 to 2 are missing")!=NULL );
  free(zRep);
  /* record 4 (the last) short, record 2 back */
  memset(v, 0, sizeof(v));
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK && faktAuxPut(t, "txlog", k, 4, v, 20)==FAKT_OK );
  faktEncU32(k, 4);
  CHECK( faktAuxPut(t, "txlog", k, 4, v, 10)==FAKT_OK && faktStoreCommit(t)==FAKT_OK );
  zRep = checkReport(s, &rc);
  CHECK( rc==FAKT_CORRUPT && strstr(zRep, "txlog record 4 is damaged (10 bytes, not 20)")!=NULL );
  CHECK( strstr(zRep, "missing")==NULL );
  free(zRep);
  /* the log's end gone, then the whole log */
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK && faktAuxDel(t, "txlog", k, 4)==FAKT_OK && faktStoreCommit(t)==FAKT_OK );
  zRep = checkReport(s, &rc);
  CHECK( rc==FAKT_CORRUPT && strstr(zRep, "txlog: transactions 4 to 4 are missing (last_tx 4)")!=NULL );
  free(zRep);
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  for(uint32_t i=1; i<=3; i++){ faktEncU32(k, i); CHECK( faktAuxDel(t, "txlog", k, 4)==FAKT_OK ); }
  CHECK( faktStoreCommit(t)==FAKT_OK );
  zRep = checkReport(s, &rc);
  CHECK( rc==FAKT_CORRUPT && strstr(zRep, "txlog: transactions 1 to 4 are missing (last_tx 4)")!=NULL );
  free(zRep);
  faktStoreClose(s);
}

/*
** A garbage stored rule (issue 25, point 16) is reported as damage of that
** rule, by name, not as an error at a column of the user's new statement.
*/
static void testRuleDamage(void){
  fakt *db = NULL;
  char *zErr = NULL, *zE = NULL;
  FaktStore *s = NULL;
  StoreTxn *t = NULL;
  uint32_t id = 0;
  const char *zPath = path(0, "ruledmg.fakt");
  rmDb(zPath);
  CHECK( fakt_open(zPath, FAKT_OPEN_READWRITE|FAKT_OPEN_CREATE, &db)==FAKT_OK );
  CHECK( fakt_exec(db, "entity a place \"A\"; rule near(?x) if ?x located_in ?y;", NULL, NULL, &zErr)==FAKT_OK );
  fakt_free(zErr); zErr = NULL;
  fakt_close(db); db = NULL;
  CHECK( openDb(zPath, 0, 0, 0, 0, &s, &zE)==FAKT_OK );
  free(zE);
  if( s==NULL ) return;
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK && faktDictLookup(t, NS_NAME, "near", 4, &id)==FAKT_OK );
  CHECK( faktRulePut(t, id, "rule near(?x) if ?x ) garbage", 29)==FAKT_OK && faktStoreCommit(t)==FAKT_OK );
  faktStoreClose(s);
  CHECK( fakt_open(zPath, FAKT_OPEN_READWRITE, &db)==FAKT_OK );
  int rc = fakt_exec(db, "rule far(?x) if ?x located_in ?y;", NULL, NULL, &zErr);
  CHECK( rc==FAKT_CORRUPT && zErr && strstr(zErr, "stored rule near is damaged")!=NULL );
  fakt_free(zErr); zErr = NULL;
  /* fakt_check() finds it too (the store alone cannot: it is a text) */
  char *zRep = NULL;
  CHECK( fakt_check(db, &zRep)==FAKT_CORRUPT );
  CHECK( zRep && strncmp(zRep, "rules: stored rule near is damaged", 34)==0 );
  fakt_free(zRep);
  /* and the way out the message names works: drop it, then rules work again */
  CHECK( fakt_exec(db, "drop rule near; rule far(?x) if ?x located_in ?y;", NULL, NULL, &zErr)==FAKT_OK );
  fakt_free(zErr); zErr = NULL;
  CHECK( fakt_check(db, &zRep)==FAKT_OK && zRep && strcmp(zRep, "ok")==0 );
  fakt_free(zRep);
  fakt_close(db);
}

static void testSnapshot(void){
  FaktStore *s = NULL;
  StoreTxn *t = NULL;
  char *zErr = NULL;
  uint64_t a[2] = {0, 0}, b[2] = {0, 0}, c[2] = {0, 0}, d[2] = {0, 0};
  TxRec rec;
  uint32_t idTx = 0;
  rmDb(path(0, "snap.fakt"));
  CHECK( openDb(path(0, "snap.fakt"), 1, 0, 0, 0, &s, &zErr)==FAKT_OK );
  if( s==NULL ){ free(zErr); return; }
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK && faktStoreSnapshot(t, a)==1 );
  faktStoreAbort(t);
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK && faktStoreSnapshot(t, b)==1 );
  faktStoreAbort(t);
  CHECK( a[0]==b[0] && a[1]==b[1] );                 /* nothing happened between */
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  CHECK( faktStoreSnapshot(t, c)==0 );                 /* a writer's pages move */
  memset(&rec, 0, sizeof(rec));
  CHECK( faktStoreLogTx(t, &rec, &idTx)==FAKT_OK && mkEnt(t, "snap_e", K_ENTITY, 0, NULL)!=0 );
  CHECK( faktStoreCommit(t)==FAKT_OK );
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK && faktStoreSnapshot(t, c)==1 );
  faktStoreAbort(t);
  CHECK( c[0]!=a[0] && c[1]==a[1] );                   /* a commit: another state */
  CHECK( faktStoreGrow(s)==FAKT_OK );
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK && faktStoreSnapshot(t, d)==1 );
  faktStoreAbort(t);
  CHECK( d[0]==c[0] && d[1]!=c[1] );                   /* the same state, remapped */
  faktStoreClose(s);
}

static void testGrowth(void){
  FaktStore *s = NULL;
  char *zErr = NULL;
  StoreTxn *t;
  uint32_t subj, pred;
  uint64_t nMap0 = 0, nMap = 0, nUsed = 0;
  int i, rc = FAKT_OK, nGrow = 0;
  uint8_t a[8];
  rmDb(path(3, "grow.fakt"));
  CHECK( openDb(path(3, "grow.fakt"), 1, 0, 1<<20, 0, &s, &zErr)==FAKT_OK );
  if( s==NULL ){ free(zErr); return; }
  CHECK( faktStoreInfo(s, &nMap0, &nUsed)==FAKT_OK && nMap0==(1<<20) );
  setup(s, &subj, &pred);
  CHECK( subj && pred );
  /* batches of 10,000 claims: the first is larger than the 1 MiB map and
  ** the 512 KiB of room it makes, so it must fail FULL and grow */
  for(i=0; i<200000 && rc==FAKT_OK; ){
    rc = insertBatch(s, subj, pred, i, 10000, 0);
    if( rc==FAKT_FULL ){
      nGrow++;
      rc = faktStoreGrow(s);
      continue;
    }
    i += 10000;
  }
  CHECK( rc==FAKT_OK && i==200000 );
  CHECK( faktStoreInfo(s, &nMap, &nUsed)==FAKT_OK && nMap>=((uint64_t)32<<20) && nUsed<=nMap );
  CHECK( nGrow>0 && nMap>nMap0 );
  if( getenv("FAKT_TEST_VERBOSE") ) printf("growth: %d grows, map %llu, used %llu\n", nGrow, (unsigned long long)nMap, (unsigned long long)nUsed);
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
  CHECK( faktStatGet(t, 'T', 0)==200000 && faktStatGet(t, 'S', subj)==200000 );
  faktEncU32(a, pred);
  CHECK( countIx(t, IX_POS, a, 4, NULL)==200000 );
  CHECK( faktStoreLastTx(t)==20 );
  faktStoreAbort(t);
  faktStoreClose(s);
}

static void testFull(void){
  FaktStore *s = NULL;
  char *zErr = NULL, *zRep = NULL;
  StoreTxn *t;
  uint32_t subj, pred;
  int i = 0, rc = FAKT_OK, nCommitted = 0;
  uint8_t a[8];
  rmDb(path(4, "full.fakt"));
  CHECK( openDb(path(4, "full.fakt"), 1, 0, 256<<10, 1<<20, &s, &zErr)==FAKT_OK );
  if( s==NULL ){ free(zErr); return; }
  setup(s, &subj, &pred);
  while( i<1000000 ){
    rc = insertBatch(s, subj, pred, i, 200, 1);
    if( rc==FAKT_FULL ){
      rc = faktStoreGrow(s);
      if( rc ) break;
      continue;
    }
    if( rc ) break;
    i += 200;
    nCommitted = i;
  }
  CHECK( rc==FAKT_FULL );
  {
    char zWant[400];
    snprintf(zWant, sizeof(zWant), "database is full (max size 1048576 bytes): %s", path(4, "full.fakt"));
    CHECK( strcmp(faktStoreErrmsg(s), zWant)==0 );
  }
  CHECK( nCommitted>=1000 );
  /* a single small write still fails, and commits nothing */
  CHECK( insertBatch(s, subj, pred, 5000000, 200, 1)==FAKT_FULL );
  faktStoreClose(s);
  s = NULL;
  CHECK( openDb(path(4, "full.fakt"), 0, 0, 0, 1<<20, &s, &zErr)==FAKT_OK );
  if( s==NULL ){ free(zErr); return; }
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
  CHECK( faktStatGet(t, 'T', 0)==(uint64_t)nCommitted );
  faktEncU32(a, subj);
  CHECK( countIx(t, IX_SPO, a, 4, NULL)==nCommitted );
  CHECK( faktStoreLastTx(t)==(uint32_t)(nCommitted/200) );
  faktStoreAbort(t);
  CHECK( faktStoreCheck(s, &zRep)==FAKT_OK );
  free(zRep);
  faktStoreClose(s);
}

/* Another process grows the map: our open handle adopts the new size.
** The child is forked before this process opens anything, then waits on a
** pipe, so it shares no LMDB state with us. */
static void testResized(void){
  FaktStore *s = NULL;
  char *zErr = NULL;
  StoreTxn *t;
  uint32_t subj = 0, pred = 0;
  uint64_t nMap = 0;
  pid_t pid;
  int status = 0, aPipe[2];
  char cGo = 0;
  rmDb(path(5, "resize.fakt"));
  if( pipe(aPipe) ){ CHECK( 0 ); return; }
  fflush(stdout);
  pid = fork();
  if( pid==0 ){
    FaktStore *s2 = NULL;
    char *zE = NULL;
    int i = 0, rc;
    close(aPipe[1]);
    if( read(aPipe[0], &cGo, 1)!=1 ) _exit(2);
    close(aPipe[0]);
    rc = openDb(path(5, "resize.fakt"), 0, 0, 1<<20, 0, &s2, &zE);
    if( rc==FAKT_OK ) setup(s2, &subj, &pred);
    while( rc==FAKT_OK && i<30000 ){
      rc = insertBatch(s2, subj, pred, i, 3000, 0);
      if( rc==FAKT_FULL ){ rc = faktStoreGrow(s2); continue; }
      i += 3000;
    }
    faktStoreClose(s2);
    free(zE);
    _exit(rc==FAKT_OK ? 0 : 1);
  }
  close(aPipe[0]);
  CHECK( pid>0 );
  CHECK( openDb(path(5, "resize.fakt"), 1, 0, 1<<20, 0, &s, &zErr)==FAKT_OK );
  CHECK( write(aPipe[1], "g", 1)==1 );
  close(aPipe[1]);
  if( pid>0 ) waitpid(pid, &status, 0);
  CHECK( WIFEXITED(status) && WEXITSTATUS(status)==0 );
  if( s==NULL ){ free(zErr); return; }
  CHECK( faktStoreInfo(s, &nMap, NULL)==FAKT_OK && nMap==(1<<20) );
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
  CHECK( faktDictLookup(t, NS_NAME, "train", -1, &subj)==FAKT_OK );
  CHECK( faktDictLookup(t, NS_NAME, "number", -1, &pred)==FAKT_OK );
  faktStoreAbort(t);
  CHECK( faktStoreInfo(s, &nMap, NULL)==FAKT_OK && nMap>(1<<20) );
  CHECK( insertBatch(s, subj, pred, 90000, 10, 0)==FAKT_OK );
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
  CHECK( faktStatGet(t, 'T', 0)==30010 );
  faktStoreAbort(t);
  faktStoreClose(s);
}

/* The flush's radix sort of pending puts orders them as the merge sort
** does, from runs too small for it to large ones with long shared prefixes. */
/*
** The statement's directory of i2s records (value.c): each record it has
** not seen costs a walk down the tree, until DICT_FILL_MIN of them (and a
** sixteenth of the records) have; then one cursor pass fills the rest. The
** texts read through it must be those of the store, before and after the
** pass, and a write transaction's view (no committed snapshot) never fills.
*/
#define FILL_BLK 400
static void testDictFill(void){
  const char *zPath = path(0, "fill.fakt");
  FaktStore *s = NULL;
  char *zErr = NULL, z[32];
  StoreTxn *t;
  static uint32_t aId[FILL_BLK*64];
  const char *zT;
  int i, n, ok;
  DictCache *pC = calloc(1, sizeof(DictCache));
  rmDb(zPath);
  CHECK( pC!=NULL && openDb(zPath, 1, 0, 0, 0, &s, &zErr)==FAKT_OK );
  if( s==NULL || pC==NULL ){ free(zErr); free(pC); return; }
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  for(ok=1, i=0; i<FILL_BLK*64; i++){
    n = snprintf(z, sizeof(z), "fill%d", i);
    ok &= faktDictIntern(t, NS_NAME, z, n, &aId[i])==FAKT_OK;
  }
  CHECK( ok );
  /* a write transaction's view: no snapshot, so no pass however many miss */
  faktDictCacheNewSnap(pC);
  pC->bSnap = 0;
  for(ok=1, i=0; i<FILL_BLK*64; i+=64){
    n = snprintf(z, sizeof(z), "fill%d", i);
    ok &= faktDictTextC(t, pC, aId[i], &zT, &n)==FAKT_OK && n==(int)strlen(z) && memcmp(zT, z, (size_t)n)==0;
  }
  CHECK( ok && pC->bFilled==0 );
  CHECK( faktStoreCommit(t)==FAKT_OK );

  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
  faktDictCacheNewSnap(pC);
  pC->bSnap = 1;
  /* one id of each record: every one a miss until the pass */
  for(ok=1, i=0; i<FILL_BLK*64; i+=64){
    n = snprintf(z, sizeof(z), "fill%d", i);
    ok &= faktDictTextC(t, pC, aId[i], &zT, &n)==FAKT_OK && n==(int)strlen(z) && memcmp(zT, z, (size_t)n)==0;
  }
  CHECK( ok );
  CHECK( pC->bFilled==1 && pC->nMiss==256 );
  CHECK( pC->nRec>=FILL_BLK && pC->nRec<=FILL_BLK+2 );
  /* every text, from the directory the pass filled */
  for(ok=1, i=0; i<FILL_BLK*64; i++){
    n = snprintf(z, sizeof(z), "fill%d", i);
    ok &= faktDictTextC(t, pC, aId[i], &zT, &n)==FAKT_OK && n==(int)strlen(z) && memcmp(zT, z, (size_t)n)==0;
  }
  CHECK( ok && pC->nMiss==256 );
  faktStoreAbort(t);
  faktDictCacheFree(pC);
  faktStoreClose(s);
  rmDb(zPath);
}

/*
** The dictionary's blocks (format 7): texts of 64 ids to an i2s record,
** texts over 120 bytes out of line under 0x80000000|id. Strings across
** several blocks, the 120/121-byte boundary, an empty text, an aborted
** child's strings, the records i2s holds, and damage the check and
** faktDictText must see: a block whose ends go backwards, a missing
** out-of-line text, a missing block, an orphan out-of-line text, and
** next_id moved back under an interned id.
*/
#define DICT_N 300
static char *dictText(int i, int *pn){
  static char z[600];
  int n = -1;
  if( i%37==5 ) n = 120;                       /* the longest inline text */
  else if( i%37==6 ) n = 121;                  /* the shortest out of line */
  else if( i%41==7 ) n = 200 + i;              /* long */
  else if( i==50 ) n = 0;                      /* empty */
  if( n<0 ){
    n = snprintf(z, sizeof(z), "name%d", i);
  }else{
    for(int j=0; j<n; j++) z[j] = (char)('a' + (i + j)%26);
    z[n] = 0;
  }
  *pn = n;
  return z;
}
static int dictSays(StoreTxn *t, uint32_t id, int nsWant, const char *zWant, int nWant){
  int ns, n;
  const char *z;
  if( faktDictText(t, id, &ns, &z, &n)!=FAKT_OK ) return 0;
  return ns==nsWant && n==nWant && memcmp(z, zWant, (size_t)n)==0;
}
static void i2sKey(uint8_t *k, uint32_t u){ unsigned int x = u; memcpy(k, &x, 4); }

static void testDictBlocks(void){
  const char *zPath = path(0, "dict.fakt");
  FaktStore *s = NULL;
  char *zErr = NULL, *zRep = NULL;
  StoreTxn *t, *tn;
  uint32_t aId[DICT_N], id, idA, idB, nLong = 0, idLong = 0;
  uint8_t k[8], aSave[8192];
  const uint8_t *aK, *aV;
  int nK, nV, i, n, nSave, ok;
  StoreCursor *c;
  rmDb(zPath);
  CHECK( openDb(zPath, 1, 0, 0, 0, &s, &zErr)==FAKT_OK );
  if( s==NULL ){ free(zErr); return; }
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  for(i=0; i<DICT_N; i++){
    const char *z = dictText(i, &n);
    CHECK( faktDictIntern(t, i%2 ? NS_STR : NS_NAME, z, n, &aId[i])==FAKT_OK );
    if( n>120 ){ nLong++; idLong = aId[i]; }
  }
  for(ok=1, i=0; i<DICT_N; i++){
    const char *z = dictText(i, &n);
    ok &= dictSays(t, aId[i], i%2 ? NS_STR : NS_NAME, z, n) && (i==0 || aId[i]==aId[i-1]+1);
  }
  CHECK( ok );
  /* a child's strings go with it; their ids go to the parent's next ones */
  CHECK( faktStoreBeginNested(t, &tn)==FAKT_OK );
  CHECK( faktDictIntern(tn, NS_NAME, "child_a", -1, &idA)==FAKT_OK && idA==aId[DICT_N-1]+1 );
  CHECK( faktDictIntern(tn, NS_NAME, "child_b", -1, &idB)==FAKT_OK && idB==idA+1 );
  faktStoreAbort(tn);
  CHECK( faktDictText(t, idA, NULL, NULL, NULL)==FAKT_NOTFOUND );
  CHECK( faktDictIntern(t, NS_STR, "parent", -1, &id)==FAKT_OK && id==idA );
  CHECK( dictSays(t, idA, NS_STR, "parent", 6) && faktDictText(t, idB, NULL, NULL, NULL)==FAKT_NOTFOUND );
  CHECK( faktDictLookup(t, NS_NAME, "child_a", -1, &id)==FAKT_NOTFOUND );
  CHECK( faktStoreCommit(t)==FAKT_OK );
  checkOk(s, __LINE__);

  /* what i2s holds: one record per 64 ids, and one per long text */
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
  CHECK( countAux(t, "i2s", NULL, 0)==(int)((idA>>6) + 1 + nLong) );
  for(ok=1, i=0; i<DICT_N; i++){
    const char *z = dictText(i, &n);
    ok &= dictSays(t, aId[i], i%2 ? NS_STR : NS_NAME, z, n);
    ok &= faktDictLookup(t, i%2 ? NS_STR : NS_NAME, z, n, &id)==FAKT_OK && id==aId[i];
  }
  CHECK( ok );
  /* the entry the prefetch loads is the one the reader reads: the text
  ** after the ns byte, or the out-of-line mark (ns | 0x80) */
  for(ok=1, i=0; i<DICT_N; i++){
    const uint8_t *aB, *pE;
    const char *z;
    size_t nB;
    int ns;
    ok &= faktDictBlock(t, aId[i], &aB, &nB)==FAKT_OK
       && faktDictBlockText(t, aB, nB, aId[i], &ns, &z, &n)==FAKT_OK
       && (pE = faktDictBlockEntry(aB, nB, aId[i]))!=NULL
       && (n>120 ? pE[0]==(ns|0x80) : (pE[0]==ns && (const char*)pE+1==z));
  }
  CHECK( ok );
  {
    const uint8_t *aB;
    size_t nB;
    CHECK( faktDictBlock(t, idA, &aB, &nB)==FAKT_OK && faktDictBlockEntry(aB, nB, idA)!=NULL );
    CHECK( faktDictBlockEntry(aB, nB, idA+1)==NULL );     /* past the block's slots */
    CHECK( faktDictBlockEntry(aB, 2, idA)==NULL );        /* too short to hold a header */
  }
  CHECK( faktDictText(t, 0, NULL, NULL, NULL)==FAKT_NOTFOUND );
  CHECK( faktDictText(t, idA+1, NULL, NULL, NULL)==FAKT_NOTFOUND );
  CHECK( faktDictText(t, idA+64*5, NULL, NULL, NULL)==FAKT_NOTFOUND );
  /* block 1 as stored, to damage and put back */
  i2sKey(k, 1);
  nSave = -1;
  if( faktAuxOpen(t, "i2s", k, 4, &c)==FAKT_OK ){
    if( faktAuxNext(c, &aK, &nK, &aV, &nV)==FAKT_ROW && nV<=(int)sizeof(aSave) ){
      memcpy(aSave, aV, (size_t)nV);
      nSave = nV;
    }
    faktCursorClose(c);
  }
  faktStoreAbort(t);
  CHECK( nSave>129 && aSave[0]==64 );
  if( nSave<=129 ){ faktStoreClose(s); return; }

  /* the ends of slots 3 and 4 swapped: the check and the reader see it */
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  {
    uint8_t aBad[8192];
    memcpy(aBad, aSave, (size_t)nSave);
    aBad[7] = aSave[9]; aBad[8] = aSave[10];
    aBad[9] = aSave[7]; aBad[10] = aSave[8];
    CHECK( faktAuxPut(t, "i2s", k, 4, aBad, nSave)==FAKT_OK );
  }
  CHECK( faktStoreCommit(t)==FAKT_OK );
  CHECK( faktStoreCheck(s, &zRep)==FAKT_CORRUPT && zRep && strstr(zRep, "i2s block 1: malformed") );
  free(zRep); zRep = NULL;
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
  CHECK( faktDictText(t, 64+4, NULL, NULL, NULL)==FAKT_CORRUPT );
  faktStoreAbort(t);

  /* block 1 gone: its 64 ids have no text */
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  CHECK( faktAuxDel(t, "i2s", k, 4)==FAKT_OK );
  CHECK( faktStoreCommit(t)==FAKT_OK );
  CHECK( faktStoreCheck(s, &zRep)==FAKT_CORRUPT && zRep && strstr(zRep, "strings 64 to 127 have no text") );
  free(zRep); zRep = NULL;
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  CHECK( faktAuxPut(t, "i2s", k, 4, aSave, nSave)==FAKT_OK );
  CHECK( faktStoreCommit(t)==FAKT_OK );
  checkOk(s, __LINE__);

  /* a long text lost, then an orphan one for an inline id */
  CHECK( nLong>0 );
  i2sKey(k, 0x80000000u | idLong);
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
  nSave = -1;
  if( faktAuxOpen(t, "i2s", k, 4, &c)==FAKT_OK ){
    if( faktAuxNext(c, &aK, &nK, &aV, &nV)==FAKT_ROW && nK==4 && memcmp(aK, k, 4)==0 && nV<=(int)sizeof(aSave) ){
      memcpy(aSave, aV, (size_t)nV);
      nSave = nV;
    }
    faktCursorClose(c);
  }
  faktStoreAbort(t);
  CHECK( nSave>121 );
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  CHECK( faktAuxDel(t, "i2s", k, 4)==FAKT_OK );
  CHECK( faktDictText(t, idLong, NULL, NULL, NULL)==FAKT_CORRUPT );
  CHECK( faktStoreCommit(t)==FAKT_OK );
  CHECK( faktStoreCheck(s, &zRep)==FAKT_CORRUPT && zRep && strstr(zRep, "out-of-line text is missing or damaged") );
  free(zRep); zRep = NULL;
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  if( nSave>0 ) CHECK( faktAuxPut(t, "i2s", k, 4, aSave, nSave)==FAKT_OK );
  i2sKey(k, 0x80000000u | aId[1]);
  CHECK( nSave>0 && faktAuxPut(t, "i2s", k, 4, aSave, nSave)==FAKT_OK );
  CHECK( faktStoreCommit(t)==FAKT_OK );
  CHECK( faktStoreCheck(s, &zRep)==FAKT_CORRUPT && zRep && strstr(zRep, "text its block does not point to") );
  free(zRep); zRep = NULL;
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  CHECK( faktAuxDel(t, "i2s", k, 4)==FAKT_OK );
  CHECK( faktStoreCommit(t)==FAKT_OK );
  checkOk(s, __LINE__);

  /* next_id moved back: interning refuses to overwrite a string */
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  faktEncU32(k, aId[10]);
  CHECK( faktAuxPut(t, "meta", (const uint8_t*)"next_id", 7, k, 4)==FAKT_OK );
  CHECK( faktDictIntern(t, NS_NAME, "intruder", -1, &id)==FAKT_CORRUPT );
  faktStoreAbort(t);
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
  CHECK( dictSays(t, aId[10], NS_NAME, "name10", 6) );
  faktStoreAbort(t);

  /* a block whose one slot claims 7,744 bytes of entries (64 slots' worth):
  ** appending to its last slot must find it damaged, not write past the
  ** new record (the entries of n slots are at most n*121 bytes) */
  {
    uint8_t aBad[1 + 2 + 64*121];
    uint32_t idLast = 63*64 + 63;          /* slot 63 of block 63, unused */
    memset(aBad, 'x', sizeof(aBad));
    aBad[0] = 1;                            /* one slot ... */
    aBad[1] = (uint8_t)((64*121)>>8);       /* ... ending after 7,744 bytes */
    aBad[2] = (uint8_t)(64*121);
    aBad[3] = (uint8_t)NS_NAME;
    i2sKey(k, idLast >> 6);
    CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
    CHECK( faktAuxPut(t, "i2s", k, 4, aBad, (int)sizeof(aBad))==FAKT_OK );
    faktEncU32(k, idLast);
    CHECK( faktAuxPut(t, "meta", (const uint8_t*)"next_id", 7, k, 4)==FAKT_OK );
    char zName[121];
    memset(zName, 'n', 120); zName[120] = 0;
    CHECK( faktDictIntern(t, NS_NAME, zName, 120, &id)==FAKT_CORRUPT );
    faktStoreAbort(t);
  }
  checkOk(s, __LINE__);
  faktStoreClose(s);
}

/*
** faktObjLeaf walks obj's branch pages without liblmdb: for every object
** of a tree three levels deep, the leaf it finds is the page that holds
** the record LMDB returns. Write transactions get NULL.
*/
static void testObjLeaf(void){
  const char *zPath = path(0, "leaf.fakt");
  FaktStore *s = NULL;
  char *zErr = NULL, zName[32];
  StoreTxn *t;
  uint32_t aId[20000];
  int i, n = 0, nSame = 0, nLeaf = 0;
  rmDb(zPath);
  CHECK( openDb(zPath, 1, 0, 0, 0, &s, &zErr)==FAKT_OK );
  if( s==NULL ){ free(zErr); return; }
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  for(i=0; i<20000; i++){
    snprintf(zName, sizeof(zName), "leaf%d", i);
    aId[n] = mkEnt(t, zName, K_ENTITY, 0, "A label long enough to fill pages faster");
    if( aId[n] ) n++;
  }
  CHECK( n==20000 );
  CHECK( faktObjLeaf(t, aId[0])==NULL && !faktObjWalkable(t) );   /* write txn */
  CHECK( faktStoreCommit(t)==FAKT_OK );
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
  CHECK( faktObjWalkable(t) );
  for(i=0; i<n; i++){
    uint8_t k[4];
    const uint8_t *aK, *aV;
    int nK, nV;
    StoreCursor *c;
    unsigned int u = aId[i];
    memcpy(k, &u, 4);
    const uint8_t *pLeaf = faktObjLeaf(t, aId[i]);
    nLeaf += pLeaf!=NULL;
    if( faktAuxOpen(t, "obj", k, 4, &c)==FAKT_OK ){
      if( faktAuxNext(c, &aK, &nK, &aV, &nV)==FAKT_ROW && pLeaf
       && (uintptr_t)aV - (uintptr_t)pLeaf < 4096 ) nSame++;
      faktCursorClose(c);
    }
  }
  CHECK( nLeaf==n && nSame==n );
  faktStoreAbort(t);
  faktStoreClose(s);
}

/* Descriptors this process has open on unlinked run files (.fakt-run-*);
** *pnByte (if not NULL): their bytes. */
static int runFilesOpenSize(uint64_t *pnByte){
  char zLink[64], zTarget[512];
  int n = 0;
  if( pnByte ) *pnByte = 0;
  for(int fd=0; fd<1024; fd++){
    snprintf(zLink, sizeof(zLink), "/proc/self/fd/%d", fd);
    ssize_t k = readlink(zLink, zTarget, sizeof(zTarget)-1);
    if( k<=0 ) continue;
    zTarget[k] = 0;
    if( strstr(zTarget, "/.fakt-run-") && strstr(zTarget, "(deleted)") ){
      struct stat st;
      n++;
      if( pnByte && fstat(fd, &st)==0 ) *pnByte += (uint64_t)st.st_size;
    }
  }
  return n;
}
static int runFilesOpen(void){
  return runFilesOpenSize(NULL);
}

/* Threads of this process (the sorter of a write txn is one). */
static int threadCount(void){
  FILE *f = fopen("/proc/self/status", "r");
  char zLine[256];
  int n = -1;
  if( f==NULL ) return -1;
  while( fgets(zLine, sizeof(zLine), f) ){
    if( strncmp(zLine, "Threads:", 8)==0 ) n = atoi(zLine + 8);
  }
  fclose(f);
  return n;
}


/* The objects the run and sorter tests' claims name: 16 subjects s0..s15,
** predicate p and source src. */
static void mkRunObjects(StoreTxn *t, uint32_t aSubj[16], uint32_t *pidP, uint32_t *pidSrc){
  for(int i=0; i<16; i++){
    char zName[16];
    snprintf(zName, sizeof(zName), "s%d", i);
    aSubj[i] = mkEnt(t, zName, K_ENTITY, 0, NULL);
  }
  *pidP = mkEnt(t, "p", K_PREDICATE, 0, NULL);
  *pidSrc = mkEnt(t, "src", K_SOURCE, 0, NULL);
}

/*
** One script of writes for testRuns, into a new database zFile whose write
** transactions spill a sorted run each nFlush bytes of index puts (0: 8
** MiB, so never here), keep up to nRunMem bytes of runs in memory (0: the
** default, 128 MiB; 1: none) and past that write them all into directory zRunDir
** (NULL: the database's). The script reads the indexes halfway (a merge
** inside the transaction), merges into a nested transaction that aborts
** and into one that commits, and retracts claims whose index entries are
** in older runs. Returns the six index DBs as hex lines (malloc'd), or
** NULL; *pnRunFd: the run files open just before the commit, *pnRunByte
** their bytes.
*/
#define RUNS_N 1200
static char *runsBuild(const char *zFile, size_t nFlush, const char *zRunDir, uint64_t nRunMax,
                       uint64_t nRunMem, int *pnRunFd, uint64_t *pnRunByte){
  static const char *azIx[] = { "spo", "pos", "osp", "srcc", "prop", "fts" };
  FaktStore *s = NULL;
  StoreTxn *t = NULL, *tn = NULL;
  StoreConfig cfg;
  char *zErr = NULL, zQuote[64], *zAll = NULL;
  uint32_t aSubj[16], idP, idSrc, aClaim[RUNS_N], idTx = 0;
  uint8_t o[ENC_LEN];
  TxRec rec;
  int i, nLive = 0;
  *pnRunFd = -1;
  rmDb(path(0, zFile));
  memset(&cfg, 0, sizeof(cfg));
  cfg.bCreate = 1;
  cfg.nPendFlush = nFlush;
  cfg.zRunDir = zRunDir;
  cfg.nRunMax = nRunMax;
  cfg.nRunMem = nRunMem;
  CHECK( faktStoreOpen(path(0, zFile), &cfg, &s, &zErr)==FAKT_OK );
  if( s==NULL ){ free(zErr); return NULL; }
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  memset(&rec, 0, sizeof(rec));
  CHECK( faktStoreLogTx(t, &rec, &idTx)==FAKT_OK && idTx==1 );
  mkRunObjects(t, aSubj, &idP, &idSrc);
  for(i=0; i<RUNS_N; i++){
    encInt(o, (int64_t)((i*7919) % 997));
    snprintf(zQuote, sizeof(zQuote), "common w%d k%d", i, i%13);
    aClaim[i] = mkClaim(t, NULL, aSubj[(i*5)%16], idP, o, 1, idSrc, zQuote);
    CHECK( aClaim[i]!=0 );
    nLive++;
    if( i%200==199 ){                           /* its entries are in an older run */
      CHECK( faktClaimRetract(t, aClaim[i-150], 1)==FAKT_OK );
    }
    if( i==500 ){                               /* read: everything so far is there */
      CHECK( countAux(t, "spo", NULL, 0)==i+1 );
      CHECK( countAux(t, "pos", NULL, 0)==i+1 );
    }
    if( i==800 || i==1000 ){                    /* merged into a child, which aborts, then commits */
      CHECK( faktStoreBeginNested(t, &tn)==FAKT_OK );
      CHECK( countAux(tn, "osp", NULL, 0)==i+1 );
      encInt(o, -1);
      CHECK( mkClaim(tn, NULL, aSubj[0], idP, o, 1, 0, NULL)!=0 );
      CHECK( countAux(tn, "osp", NULL, 0)==i+2 );
      if( i==800 ){
        faktStoreAbort(tn);
      }else{
        CHECK( faktStoreCommit(tn)==FAKT_OK );
        nLive++;
      }
    }
  }
  /* a read in a nested txn that aborts: the sort under way ends and the
  ** runs are merged into it, and stay pending (and in the file) */
  CHECK( faktStoreBeginNested(t, &tn)==FAKT_OK );
  CHECK( countAux(tn, "spo", NULL, 0)==RUNS_N + 1 );
  faktStoreAbort(tn);
  *pnRunFd = runFilesOpenSize(pnRunByte);
  CHECK( commitTx(t, (uint32_t)nLive, RUNS_N/200, NULL)==FAKT_OK );
  CHECK( runFilesOpen()==0 );
  checkOk(s, __LINE__);
  /* a transaction that aborts leaves nothing of its runs */
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  for(i=0; i<300; i++){
    encInt(o, 5000 + i);
    CHECK( mkClaim(t, NULL, aSubj[i%16], idP, o, 1, idSrc, "common abort") != 0 );
  }
  faktStoreAbort(t);
  CHECK( runFilesOpen()==0 );
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
  CHECK( countAux(t, "spo", NULL, 0)==nLive );
  size_t nAll = 0;
  for(i=0; i<6; i++){
    char *z = dbDump(t, azIx[i]);
    CHECK( z!=NULL && z[0]!=0 );
    if( z==NULL ) continue;
    size_t n = strlen(z);
    char *zNew = realloc(zAll, nAll + n + 8);
    if( zNew ){
      zAll = zNew;
      nAll += (size_t)sprintf(zAll + nAll, "%s:\n", azIx[i]);
      memcpy(zAll + nAll, z, n + 1);
      nAll += n;
    }
    free(z);
  }
  faktStoreAbort(t);
  faktStoreClose(s);
  return zAll;
}

/*
** A write transaction spills its buffered index puts as sorted runs, kept
** in memory up to a budget and all moved to a temporary file past it, and
** merges them: the same index DBs as without runs, with every run in the
** file, every run in memory, runs in memory and then all in the file, a
** run directory that cannot be used (with nothing in memory it flushes at
** once; with a budget it keeps the first runs, then flushes them and the
** buffer), runs that reach their limit on disk (the runs so far are
** merged, then it flushes; moved in part, runs in memory and in the file
** are merged); no file left open after a commit or an abort, and none
** left behind on disk.
*/
#define RUNS_CASES 9
static void testRuns(void){
  static const struct { const char *zFile; size_t nFlush; const char *zDir; uint64_t nMax, nMem; } a[] = {
    { "runs0.fakt", 0, NULL, 0, 0 },                           /* no runs */
    { "runs1.fakt", 1024, NULL, 0, 1 },                        /* every run in the file */
    { "runs2.fakt", 1024, "/nonexistent/fakt-runs", 0, 1 },    /* no file: flushes */
    { "runs3.fakt", 1024, NULL, 6000, 1 },                     /* the file's limit */
    { "runs4.fakt", 1024, NULL, 0, 0 },                        /* every run in memory */
    { "runs5.fakt", 1024, NULL, 0, 5*4096 },                   /* in memory, then all in the file */
    { "runs6.fakt", 1024, "/nonexistent/fakt-runs", 0, 0 },    /* in memory, no file needed */
    { "runs7.fakt", 1024, "/nonexistent/fakt-runs", 0, 5*4096 },  /* in memory, then flushes */
    { "runs8.fakt", 1024, NULL, 2000, 5*4096 },                /* some moved to the file before
                                                               ** its limit: both merged */
  };
  char *az[RUNS_CASES];
  int anFd[RUNS_CASES], i;
  uint64_t anByte[RUNS_CASES];
  for(i=0; i<RUNS_CASES; i++){
    az[i] = runsBuild(a[i].zFile, a[i].nFlush, a[i].zDir, a[i].nMax, a[i].nMem, &anFd[i], &anByte[i]);
    CHECK( az[i]!=NULL );
    CHECK( az[0] && az[i] && strcmp(az[0], az[i])==0 );
  }
  CHECK( anFd[0]==0 && anFd[1]==1 && anFd[2]==0 && anFd[3]==1 );
  CHECK( anFd[4]==0 && anFd[5]==1 && anFd[6]==0 && anFd[7]==0 && anFd[8]==1 );
  CHECK( anByte[1]>6000 && anByte[3]<=6000 && anByte[8]<=2000 );
  CHECK( anByte[5]==anByte[1] );                             /* the runs in memory moved too */
  CHECK( az[0] && strstr(az[0], "fts:\n") && strlen(strstr(az[0], "fts:\n"))>100 );
  for(i=0; i<RUNS_CASES; i++) free(az[i]);
  char zCmd[200];
  snprintf(zCmd, sizeof(zCmd), "ls -a %s | grep -q fakt-run", zDir);
  CHECK( system(zCmd)!=0 );                     /* no run file on disk */
}

/* Claims i0..i1-1 of testSorter's script into t (subjects aSubj[16],
** predicate idP, source idSrc, a quote of several words each): the
** number added. */
static int sorterClaims(StoreTxn *t, const uint32_t *aSubj, uint32_t idP, uint32_t idSrc, int i0, int i1){
  uint8_t o[ENC_LEN];
  char zQuote[80];
  int i, n = 0;
  for(i=i0; i<i1; i++){
    encInt(o, (int64_t)i*7919 % 100003);
    snprintf(zQuote, sizeof(zQuote), "sorted w%d k%d m%d", i, i%17, i%101);
    n += mkClaim(t, NULL, aSubj[i%16], idP, o, 1, idSrc, zQuote)!=0;
  }
  return n;
}

/*
** The sorter thread of a write transaction: none before its first spill,
** one from then on while the loading thread fills the other buffer;
** joined, with nothing left (no thread, no run file, no claim), when the
** transaction aborts right after a spill, its sort likely still running,
** and when one commits. A nested transaction never spills: past the
** buffer's size it flushes its parent's puts and its own into itself,
** with no sorter of its own, and its parent's runs are what they were.
*/
static void testSorter(void){
  FaktStore *s = NULL;
  StoreTxn *t = NULL, *tn = NULL;
  StoreConfig cfg;
  char *zErr = NULL;
  uint32_t aSubj[16], idP = 0, idSrc = 0, idTx = 0;
  int n0 = threadCount(), i, n, nLive = 0;
  TxRec rec;
  rmDb(path(0, "sorter.fakt"));
  memset(&cfg, 0, sizeof(cfg));
  cfg.bCreate = 1;
  cfg.nPendFlush = (size_t)2 << 20;
  CHECK( n0>=1 );
  CHECK( faktStoreOpen(path(0, "sorter.fakt"), &cfg, &s, &zErr)==FAKT_OK );
  if( s==NULL ){ free(zErr); return; }
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  memset(&rec, 0, sizeof(rec));
  CHECK( faktStoreLogTx(t, &rec, &idTx)==FAKT_OK );
  mkRunObjects(t, aSubj, &idP, &idSrc);
  CHECK( commitTx(t, 0, 0, NULL)==FAKT_OK );
  /* abort right after the first spill */
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  CHECK( sorterClaims(t, aSubj, idP, idSrc, 0, 100)==100 && threadCount()==n0 );
  for(i=100, n=100; i<200000 && threadCount()==n0; i++) n += sorterClaims(t, aSubj, idP, idSrc, i, i+1);
  CHECK( n==i && threadCount()==n0+1 );
  faktStoreAbort(t);
  CHECK( threadCount()==n0 && runFilesOpen()==0 );
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
  CHECK( countAux(t, "spo", NULL, 0)==0 && countAux(t, "fts", NULL, 0)==0 );
  faktStoreAbort(t);
  /* several spills, a nested txn past the buffer's size, a commit */
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  nLive += sorterClaims(t, aSubj, idP, idSrc, 0, 40000);
  CHECK( threadCount()==n0+1 );
  CHECK( faktStoreBeginNested(t, &tn)==FAKT_OK );
  n = sorterClaims(tn, aSubj, idP, idSrc, 40000, 70000);
  CHECK( n==30000 && threadCount()==n0+1 );
  CHECK( faktStatGet(tn, 'T', 0)==70000 );
  CHECK( countAux(tn, "spo", NULL, 0)>=40000 );
  CHECK( faktStoreCommit(tn)==FAKT_OK );
  nLive += n;
  CHECK( faktStoreBeginNested(t, &tn)==FAKT_OK );
  CHECK( sorterClaims(tn, aSubj, idP, idSrc, 70000, 90000)==20000 );
  faktStoreAbort(tn);                          /* its claims are gone, the parent's stay pending */
  nLive += sorterClaims(t, aSubj, idP, idSrc, 90000, 100000);
  CHECK( faktStatGet(t, 'T', 0)==(uint64_t)nLive );          /* counted, some adds still queued */
  CHECK( faktStatGet(t, 'S', aSubj[3])==(uint64_t)nLive/16 );
  CHECK( commitTx(t, (uint32_t)nLive, 0, NULL)==FAKT_OK );
  CHECK( threadCount()==n0 && runFilesOpen()==0 );
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
  CHECK( nLive==80000 );
  CHECK( countAux(t, "spo", NULL, 0)==nLive && countAux(t, "pos", NULL, 0)==nLive );
  CHECK( countAux(t, "osp", NULL, 0)==nLive && countAux(t, "srcc", NULL, 0)==nLive );
  faktStoreAbort(t);
  checkOk(s, __LINE__);
  faktStoreClose(s);
}

/* meta's u32 record zKey as txn t's LMDB txn holds it (raw), or 0 if none. */
static uint32_t metaRaw(StoreTxn *t, const char *zKey){
  StoreCursor *c;
  const uint8_t *aK, *aV;
  int nK, nV;
  uint32_t v = 0;
  if( faktAuxOpen(t, "meta", (const uint8_t*)zKey, (int)strlen(zKey), &c) ) return 0;
  if( faktAuxNext(c, &aK, &nK, &aV, &nV)==FAKT_ROW && nK==(int)strlen(zKey) && nV==4 ) v = faktDecU32(aV);
  faktCursorClose(c);
  return v;
}

/*
** A write transaction keeps meta's next_id and next_gen and writes them at
** its commit: a nested transaction's counters go to its parent when it
** commits and are gone when it aborts, an aborted transaction leaves meta
** as it was, and a raw put or delete of the records in the middle counts.
** It knows without a read that an id past every object is new (the kind
** of a new generated claim), and an object put past that bound, raw or
** not, in a nested transaction or before, is found.
*/
static void testCounters(void){
  FaktStore *s = NULL;
  StoreTxn *t = NULL, *tn = NULL;
  char *zErr = NULL;
  uint32_t id = 0, id2 = 0, idE, idP, aK[1];   /* obj keys: native ids */
  uint8_t o[ENC_LEN], a4[4], aObj[64];
  int kind = -1;
  rmDb(path(0, "ctr.fakt"));
  CHECK( openDb(path(0, "ctr.fakt"), 1, 0, 0, 0, &s, &zErr)==FAKT_OK );
  if( s==NULL ){ free(zErr); return; }
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  uint32_t idFirst = metaRaw(t, "next_id");
  CHECK( idFirst>1 && metaRaw(t, "next_gen")==1 );
  idE = mkEnt(t, "e", K_ENTITY, 0, NULL);
  idP = mkEnt(t, "p", K_PREDICATE, 0, NULL);
  CHECK( idE==idFirst && idP==idFirst+1 );
  encInt(o, 1);
  CHECK( mkClaim(t, NULL, idE, idP, o, 1, 0, NULL)==(FAKT_GEN_BIT|1) );
  CHECK( metaRaw(t, "next_gen")==1 && metaRaw(t, "next_id")==idFirst );   /* not yet in meta */
  /* a nested txn that aborts takes its ids back; one that commits keeps them */
  CHECK( faktStoreBeginNested(t, &tn)==FAKT_OK );
  CHECK( mkClaim(tn, NULL, idE, idP, o, 1, 0, NULL)==(FAKT_GEN_BIT|2) );
  CHECK( faktStoreNewId(tn, &id)==FAKT_OK && id==idFirst+2 );
  CHECK( faktObjGetKind(tn, FAKT_GEN_BIT|2, &kind)==FAKT_OK && kind==K_CLAIM );
  faktStoreAbort(tn);
  CHECK( faktObjGetKind(t, FAKT_GEN_BIT|2, &kind)==FAKT_NOTFOUND );
  CHECK( faktStoreNewGenId(t, &id)==FAKT_OK && id==(FAKT_GEN_BIT|2) );
  CHECK( faktObjGetKind(t, id, &kind)==FAKT_NOTFOUND );    /* new, not read */
  CHECK( faktStoreBeginNested(t, &tn)==FAKT_OK );
  CHECK( faktStoreNewGenId(tn, &id)==FAKT_OK && id==(FAKT_GEN_BIT|3) );
  CHECK( faktStoreNewId(tn, &id)==FAKT_OK && id==idFirst+2 );
  CHECK( faktStoreCommit(tn)==FAKT_OK );
  CHECK( faktStoreNewGenId(t, &id)==FAKT_OK && id==(FAKT_GEN_BIT|4) );
  CHECK( faktStoreNewId(t, &id)==FAKT_OK && id==idFirst+3 );
  /* a raw put of next_gen in the middle wins; so does a delete */
  faktEncU32(a4, 10);
  CHECK( faktAuxPut(t, "meta", (const uint8_t*)"next_gen", 8, a4, 4)==FAKT_OK );
  CHECK( faktStoreNewGenId(t, &id)==FAKT_OK && id==(FAKT_GEN_BIT|10) );
  /* objects put past the bound, raw, in a nested txn, are found */
  CHECK( faktObjGetKind(t, FAKT_GEN_BIT|500, &kind)==FAKT_NOTFOUND );
  CHECK( faktObjGetKind(t, 900000, &kind)==FAKT_NOTFOUND );
  CHECK( faktStoreBeginNested(t, &tn)==FAKT_OK );
  memset(aObj, 0, sizeof(aObj));
  aObj[0] = K_ENTITY;
  aK[0] = FAKT_GEN_BIT|500;                  /* an entity record: kind, then zeros (52 bytes) */
  CHECK( faktAuxPut(tn, "obj", (const uint8_t*)aK, 4, aObj, 52)==FAKT_OK );
  aK[0] = 900000;
  CHECK( faktAuxPut(tn, "obj", (const uint8_t*)aK, 4, aObj, 52)==FAKT_OK );
  CHECK( faktObjGetKind(tn, FAKT_GEN_BIT|500, &kind)==FAKT_OK && kind==K_ENTITY );
  CHECK( faktObjGetKind(tn, 900000, &kind)==FAKT_OK && kind==K_ENTITY );
  CHECK( faktStoreCommit(tn)==FAKT_OK );
  CHECK( faktObjGetKind(t, FAKT_GEN_BIT|500, &kind)==FAKT_OK && kind==K_ENTITY );
  CHECK( faktObjGetKind(t, FAKT_GEN_BIT|501, &kind)==FAKT_NOTFOUND );
  CHECK( faktStoreCommit(t)==FAKT_OK );
  /* meta got the counters at the commit; the next txn finds the bounds */
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  CHECK( metaRaw(t, "next_gen")==11 && metaRaw(t, "next_id")==idFirst+4 );
  CHECK( faktObjGetKind(t, 900000, &kind)==FAKT_OK && kind==K_ENTITY );
  CHECK( faktObjGetKind(t, FAKT_GEN_BIT|500, &kind)==FAKT_OK && kind==K_ENTITY );
  CHECK( faktObjGetKind(t, FAKT_GEN_BIT|10, &kind)==FAKT_NOTFOUND );   /* handed out, never written */
  CHECK( faktObjGetKind(t, FAKT_GEN_BIT|1, &kind)==FAKT_OK && kind==K_CLAIM );
  CHECK( faktStoreNewGenId(t, &id)==FAKT_OK && id==(FAKT_GEN_BIT|11) );
  CHECK( faktStoreNewId(t, &id2)==FAKT_OK && id2==idFirst+4 );
  faktStoreAbort(t);                            /* leaves meta as it was */
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  CHECK( metaRaw(t, "next_gen")==11 && metaRaw(t, "next_id")==idFirst+4 );
  CHECK( faktStoreNewGenId(t, &id)==FAKT_OK && id==(FAKT_GEN_BIT|11) );
  CHECK( faktAuxDel(t, "meta", (const uint8_t*)"next_gen", 8)==FAKT_OK );
  CHECK( faktStoreNewGenId(t, &id)==FAKT_CORRUPT );   /* deleted after it was read */
  faktStoreAbort(t);
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
  CHECK( metaRaw(t, "next_gen")==11 );
  faktStoreAbort(t);
  faktStoreClose(s);
}

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
/*
** The child of testRunsNoMem: under an address-space limit of nMb MiB more
** than it maps now (RLIMIT_AS, set before the open), claims go into one
** write transaction, its buffer spilling every 256 KiB, until one fails.
** The failure must be FAKT_NOMEM or FAKT_FULL, and the abort must leave
** no sorter thread and no run file. The exit status: 0, or which check
** failed; fdOut (a pipe) gets the number of claims it added.
*/
static int noMemChild(const char *zPath, int nMb, int fdOut){
  FaktStore *s = NULL;
  StoreTxn *t = NULL;
  StoreConfig cfg;
  struct rlimit lim;
  char *zErr = NULL, zQuote[80];
  unsigned long nPage = 0;
  uint32_t idS = 0, idP = 0, idSrc = 0, id;
  uint8_t o[ENC_LEN];
  int i, rc = FAKT_OK;
  FILE *f = fopen("/proc/self/statm", "r");
  if( f==NULL || fscanf(f, "%lu", &nPage)!=1 ){ if( f ) fclose(f); return 0; }   /* no /proc: nothing to test */
  fclose(f);
  lim.rlim_cur = lim.rlim_max = (rlim_t)nPage*(rlim_t)sysconf(_SC_PAGESIZE) + ((rlim_t)nMb << 20);
  if( setrlimit(RLIMIT_AS, &lim)!=0 ) return 0;
  memset(&cfg, 0, sizeof(cfg));
  cfg.nPendFlush = (size_t)256 << 10;
  if( faktStoreOpen(zPath, &cfg, &s, &zErr)!=FAKT_OK ){ free(zErr); faktStoreClose(s); return 0; }
  if( faktStoreBegin(s, 1, &t)!=FAKT_OK ){ faktStoreClose(s); return 0; }
  if( faktDictLookup(t, NS_NAME, "s", -1, &idS) || faktDictLookup(t, NS_NAME, "p", -1, &idP)
   || faktDictLookup(t, NS_NAME, "src", -1, &idSrc) ){ faktStoreAbort(t); faktStoreClose(s); return 1; }
  for(i=0; i<2000000 && rc==FAKT_OK; i++){
    ClaimRec r;
    memset(&r, 0, sizeof(r));
    encInt(o, i);
    snprintf(zQuote, sizeof(zQuote), "nomem w%d k%d m%d q%d", i, i%17, i%101, i%1009);
    rc = faktStoreNewGenId(t, &id);
    if( rc ) break;
    r.s = idS; r.p = idP;
    memcpy(r.o, o, ENC_LEN);
    r.source = idSrc;
    r.txAdd = 1;
    r.zQuote = zQuote;
    r.quote = (uint32_t)strlen(zQuote);
    rc = faktClaimAdd(t, id, &r);
  }
  if( write(fdOut, &i, sizeof(i))!=(ssize_t)sizeof(i) ){ /* the parent sees no count */ }
  if( rc==FAKT_OK ){ faktStoreAbort(t); faktStoreClose(s); return 2; }   /* never ran out */
  if( rc!=FAKT_NOMEM && rc!=FAKT_FULL ){
    printf("out of memory: claim %d: %d %s\n", i, rc, faktStoreErrmsg(s));
    faktStoreAbort(t); faktStoreClose(s); return 3;
  }
  faktStoreAbort(t);
  if( threadCount()!=1 || runFilesOpen()!=0 ){ faktStoreClose(s); return 4; }
  faktStoreClose(s);
  return 0;
}
#endif

/*
** Out of memory in a load's transaction (noMemChild, in a child process
** for its address-space limit, at three limits: the first claim that
** fails is the 138,000th, 448,000th, 706,000th here, with runs in memory
** and sorts under way): FAKT_NOMEM or FAKT_FULL, and after the abort no
** thread, no run file, and the database as it was. Not under a
** sanitizer, whose shadow memory needs the address space.
*/
static void testRunsNoMem(void){
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return;
#else
  static const int aMb[] = { 80, 128, 192 };
  FaktStore *s = NULL;
  StoreTxn *t = NULL;
  char *zErr = NULL;
  const char *zPath = path(0, "nomem.fakt");
  rmDb(zPath);
  CHECK( openDb(zPath, 1, 0, 0, 0, &s, &zErr)==FAKT_OK );
  if( s==NULL ){ free(zErr); return; }
  CHECK( faktStoreBegin(s, 1, &t)==FAKT_OK );
  CHECK( mkEnt(t, "s", K_ENTITY, 0, NULL) && mkEnt(t, "p", K_PREDICATE, 0, NULL)
         && mkEnt(t, "src", K_SOURCE, 0, NULL) );
  CHECK( faktStoreCommit(t)==FAKT_OK );
  faktStoreClose(s);
  for(size_t k=0; k<sizeof(aMb)/sizeof(aMb[0]); k++){
    int aFd[2], st = -1, nAdded = -1;
    pid_t pid;
    if( pipe(aFd) ){ CHECK( 0 ); return; }
    fflush(stdout);
    pid = fork();
    if( pid==0 ){
      close(aFd[0]);
      _exit(noMemChild(zPath, aMb[k], aFd[1]));
    }
    close(aFd[1]);
    if( read(aFd[0], &nAdded, sizeof(nAdded))!=(ssize_t)sizeof(nAdded) ) nAdded = -1;
    close(aFd[0]);
    CHECK( pid>0 && waitpid(pid, &st, 0)==pid );
    if( !WIFEXITED(st) || WEXITSTATUS(st)!=0 ) printf("out of memory at %d MiB: status %d after %d claims\n", aMb[k], st, nAdded);
    CHECK( WIFEXITED(st) && WEXITSTATUS(st)==0 );
    CHECK( nAdded>1000 );                      /* some spilled before it failed */
  }
  CHECK( openDb(zPath, 0, 0, 0, 0, &s, &zErr)==FAKT_OK );
  if( s==NULL ){ free(zErr); return; }
  CHECK( faktStoreBegin(s, 0, &t)==FAKT_OK );
  CHECK( countAux(t, "spo", NULL, 0)==0 && countAux(t, "fts", NULL, 0)==0 );
  faktStoreAbort(t);
  checkOk(s, __LINE__);
  faktStoreClose(s);
#endif
}

static void testPendSort(void){
  static const size_t an[] = { 0, 1, 63, 64, 65, 500, 5000, 100000 };
  for(size_t i=0; i<sizeof(an)/sizeof(an[0]); i++){
    for(uint64_t seed=1; seed<=3; seed++) CHECK( faktStorePendSortCheck(an[i], seed*7919 + i)==FAKT_OK );
  }
}

int main(void){
  const char *az[] = { "missing.fakt", "random.fakt", "empty.fakt", "real.fakt", "trunc.fakt",
                       "trunc2.fakt", "magic.fakt", "main.fakt", "coll.fakt", "grow.fakt",
                       "full.fakt", "resize.fakt", "fts_a.fakt", "fts_b.fakt", "gen.fakt", "names.fakt", "rec.fakt", "dict.fakt", "leaf.fakt", "mapped.fakt", "kinds.fakt",
                       "runs0.fakt", "runs1.fakt", "runs2.fakt", "runs3.fakt", "runs4.fakt",
                       "runs5.fakt", "runs6.fakt", "runs7.fakt", "runs8.fakt", "sorter.fakt", "ctr.fakt", "nomem.fakt",
                       "txid.fakt", "txapi.fakt", "damage.fakt", "txlog.fakt", "ruledmg.fakt" };
  size_t i;
  snprintf(zDir, sizeof(zDir), "/tmp/fakt_unit_store_XXXXXX");
  if( mkdtemp(zDir)==NULL ){ printf("FAIL %s:%d: mkdtemp\n0 passed, 1 failed\n", __FILE__, __LINE__); return 1; }
  testOpenErrors();
  testMain();
  testFts();
  testCollision();
  testGenerated();
  testNameCache();
  testMappedBudget();
  testReadMapped();
  testDirtyBudget();
  testKindTable();
  testPendSort();
  testRuns();
  testSorter();
  testCounters();
  testRunsNoMem();
  testDictBlocks();
  testDictFill();
  testObjLeaf();
  testClaimRecord();
  testSharedQuote();
  testSnapshot();
  testTxIds();
  testCheckDamage();
  testRuleDamage();
  testGrowth();
  testFull();
  testResized();
  for(i=0; i<sizeof(az)/sizeof(az[0]); i++) rmDb(path(0, az[i]));
  rmdir(zDir);
  printf("%d passed, %d failed\n", nPass, nFail);
  return nFail ? 1 : 0;
}
