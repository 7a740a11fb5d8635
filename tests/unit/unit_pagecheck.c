/*
** unit_pagecheck.c -- tests of the open-time page walk (store/pagecheck.c).
** A database built through the public API (claims deep enough for branch
** pages, a source text on overflow pages, a free list) and one with sorted
** duplicates made through the store layer (an inline LEAF2 sub-page and a
** LEAF2 sub-tree) must pass. Then one field at a time is damaged in a copy
** -- a branch child pointer, a node offset, a key size, an overflow page
** number and run length, a meta page's root, a tree depth, a page number,
** a record count, a free-list entry, sub-page bounds, a sub-tree record --
** and faktPageCheck must return FAKT_CORRUPT naming the page; fakt_open
** must refuse the file and fakt_check must report it. Each damaged copy is
** walked again through a map the caller keeps (faktPageCheckIn, the way
** fakt_open walks LMDB's map), with the same verdict and message; and a
** sound file's pages stay resident after such a walk and after fakt_open.
** The test finds pages with its own small reader of LMDB 0.9's format
** (64-bit layout).
** Prints "FAIL file:line: expr" per failed check, then "N passed, N failed".
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fakt.h"
#include "pagecheck.h"
#include "store.h"
#include "storeTest.h"

static int nPass = 0, nFail = 0;
#define CHECK(x) do{ if( x ){ nPass++; }else{ nFail++; \
  printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #x); } }while(0)

static char zDir[64];
static char zErr[512];       /* message of the last walk */

/* Path of a file in the scratch directory (static buffer per slot). */
static const char *path(int iSlot, const char *zName){
  static char az[4][256];
  snprintf(az[iSlot], sizeof(az[iSlot]), "%s/%s", zDir, zName);
  return az[iSlot];
}

static void rmDb(const char *zPath){
  char z[300];
  unlink(zPath);
  snprintf(z, sizeof(z), "%s-lock", zPath);
  unlink(z);
}

/* ================================================================ files */

/* A database file held in memory. */
typedef struct File { uint8_t *a; size_t n; } File;

static int loadFile(const char *zPath, File *f){
  FILE *fp = fopen(zPath, "rb");
  long n;
  f->a = NULL; f->n = 0;
  if( fp==NULL ) return 0;
  fseek(fp, 0, SEEK_END);
  n = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  f->a = malloc((size_t)n);
  if( f->a && fread(f->a, 1, (size_t)n, fp)!=(size_t)n ){ free(f->a); f->a = NULL; }
  fclose(fp);
  f->n = f->a ? (size_t)n : 0;
  return f->a!=NULL;
}

static int saveFile(const char *zPath, const uint8_t *a, size_t n){
  FILE *fp = fopen(zPath, "wb");
  if( fp==NULL ) return 0;
  if( fwrite(a, 1, n, fp)!=n ){ fclose(fp); return 0; }
  return fclose(fp)==0;
}

/* ================================================================ a small LMDB reader */
/* MDB_page: pgno 8, pad 2, flags 2, lower 2, upper 2, ptrs. MDB_node: lo, hi,
** flags, ksize (2 bytes each), key, data. MDB_meta after the page header:
** magic 4, version 4, address 8, mapsize 8, dbs[2] (48 bytes each), last_pg 8,
** txnid 8. MDB_db: pad 4, flags 2, depth 2, branch, leaf, overflow, entries,
** root (8 bytes each). Fields in host order. */
#define PSIZE    4096
#define HDR      16
#define META_DBS (HDR + 24)                /* offset of mm_dbs in a meta page */
#define DB_SZ    48

static uint16_t rd16(const uint8_t *p){ uint16_t v; memcpy(&v, p, 2); return v; }
static uint64_t rd64(const uint8_t *p){ uint64_t v; memcpy(&v, p, 8); return v; }
static void wr16(uint8_t *p, uint16_t v){ memcpy(p, &v, 2); }
static void wr64(uint8_t *p, uint64_t v){ memcpy(p, &v, 8); }

static uint8_t *page(File *f, uint64_t pg){ return f->a + pg*PSIZE; }
static uint16_t pgFlags(File *f, uint64_t pg){ return rd16(page(f, pg) + 10); }
static int nKeys(File *f, uint64_t pg){ return (rd16(page(f, pg) + 12) - HDR)/2; }
/* Node i of page pg. */
static uint8_t *node(File *f, uint64_t pg, int i){ return page(f, pg) + rd16(page(f, pg) + HDR + 2*i); }
static uint64_t child(File *f, uint64_t pg, int i){
  uint8_t *n = node(f, pg, i);
  return rd16(n) | ((uint64_t)rd16(n+2)<<16) | ((uint64_t)rd16(n+4)<<32);
}
static uint8_t *nodeData(uint8_t *n){ return n + 8 + rd16(n+6); }

/* The current meta page (0 or 1) and its last page. */
static int curMeta(File *f){
  return rd64(f->a + PSIZE + META_DBS + 2*DB_SZ + 8) > rd64(f->a + META_DBS + 2*DB_SZ + 8);
}
static uint64_t lastPg(File *f){ return rd64(page(f, curMeta(f)) + META_DBS + 2*DB_SZ); }
/* Record of FREE_DBI (0) or MAIN_DBI (1) in the current meta page. */
static uint8_t *coreDb(File *f, int i){ return page(f, curMeta(f)) + META_DBS + i*DB_SZ; }
static uint64_t dbRoot(const uint8_t *r){ return rd64(r + 40); }
static int dbDepth(const uint8_t *r){ return rd16(r + 6); }

/* The MDB_db record of named database zName (in the main root leaf), and
** in *piNode its node's index. */
static uint8_t *namedDb(File *f, const char *zName, int *piNode){
  uint64_t root = dbRoot(coreDb(f, 1));
  int i;
  if( pgFlags(f, root)!=2 ) return NULL;
  for(i=0; i<nKeys(f, root); i++){
    uint8_t *n = node(f, root, i);
    if( rd16(n+6)==strlen(zName) && memcmp(n+8, zName, strlen(zName))==0 ){
      if( piNode ) *piNode = i;
      return nodeData(n);
    }
  }
  return NULL;
}

/* ================================================================ the databases */

/* A script: 40 entities, 700 claims (spo and friends get branch pages), a
** source whose 12 KB text lies on overflow pages. malloc'd. */
static char *script(void){
  size_t nAlloc = 200000, n = 0;
  char *z = malloc(nAlloc);
  int i;
  if( z==NULL ) return NULL;
  n += (size_t)snprintf(z+n, nAlloc-n, "predicate likes : entity;\n");
  for(i=0; i<40; i++) n += (size_t)snprintf(z+n, nAlloc-n, "entity e%d person \"Person %d\";\n", i, i);
  n += (size_t)snprintf(z+n, nAlloc-n, "source big \"Big\" text \"");
  for(i=0; i<1200; i++) n += (size_t)snprintf(z+n, nAlloc-n, "word%04d ", i);
  n += (size_t)snprintf(z+n, nAlloc-n, "\";\n");
  for(i=0; i<700; i++){
    n += (size_t)snprintf(z+n, nAlloc-n, "claim c%d: e%d likes e%d;\n", i, i%40, (i*7+1)%40);
  }
  return z;
}

/* Build the claims database through the public API (several transactions,
** so there is a free list). 1 on success. */
static int buildClaims(const char *zPath){
  fakt *db = NULL;
  char *zScript = script(), *zMsg = NULL;
  int rc;
  rmDb(zPath);
  rc = fakt_open(zPath, FAKT_OPEN_READWRITE|FAKT_OPEN_CREATE, &db);
  if( rc==FAKT_OK && zScript ) rc = fakt_exec(db, zScript, NULL, NULL, &zMsg);
  if( rc==FAKT_OK ) rc = fakt_exec(db, "retract c5; claim c9999: e1 likes e2;", NULL, NULL, &zMsg);
  if( rc ) printf("build: %s\n", zMsg ? zMsg : fakt_errmsg(db));
  fakt_free(zMsg);
  fakt_close(db);
  free(zScript);
  return rc==FAKT_OK;
}

/* Build a database with sorted duplicates in s2i through the store layer:
** key 1 with 5 ids (an inline LEAF2 sub-page), key 2 with 3,000 ids (a
** LEAF2 sub-tree of depth 2). 1 on success. */
static int buildDups(const char *zPath){
  StoreConfig cfg;
  FaktStore *s = NULL;
  StoreTxn *t = NULL;
  char *zMsg = NULL;
  uint8_t k[9], v[4];
  int i, rc;
  rmDb(zPath);
  memset(&cfg, 0, sizeof(cfg));
  cfg.bCreate = 1;
  rc = faktStoreOpen(zPath, &cfg, &s, &zMsg);
  if( rc==FAKT_OK ) rc = faktStoreBegin(s, 1, &t);
  for(i=0; rc==FAKT_OK && i<3005; i++){
    k[0] = 'x';
    faktEncU64(k+1, i<5 ? 1 : 2);
    faktEncU32(v, 1000000 + (uint32_t)i);
    rc = faktAuxPut(t, "s2i", k, 9, v, 4);
  }
  if( rc==FAKT_OK ) rc = faktStoreCommit(t); else faktStoreAbort(t);
  if( rc ) printf("build dups: %s\n", zMsg ? zMsg : faktStoreErrmsg(s));
  free(zMsg);
  faktStoreClose(s);
  return rc==FAKT_OK;
}

/* ================================================================ damage */

/* The walk of zPath by two threads (whatever its size) gives rc and the
** message zErr holds, as the walk that gave them did. */
static int walkParSays(const char *zPath, int rc){
  char zPar[sizeof(zErr)];
  int rcPar = faktPageCheckPar(zPath, zPar, sizeof(zPar), 0);
  if( rcPar!=rc || strcmp(zPar, zErr)!=0 ){
    printf("  two threads: rc %d \"%s\", one: rc %d \"%s\"\n", rcPar, zPar, rc, zErr);
    return 0;
  }
  return 1;
}

/* A read-only shared map of zPath, as LMDB makes: *pn bytes, NULL if none. */
static void *mapFile(const char *zPath, size_t *pn){
  struct stat st;
  void *p = NULL;
  int fd = open(zPath, O_RDONLY);
  *pn = 0;
  if( fd<0 ) return NULL;
  if( fstat(fd, &st)==0 && st.st_size>0 ){
    p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if( p==MAP_FAILED ) p = NULL; else *pn = (size_t)st.st_size;
  }
  close(fd);
  return p;
}

/* The walk of zPath through a map the caller keeps (faktPageCheckIn, as
** fakt_open walks LMDB's map) gives rc and zErr's message too. */
static int walkInSays(const char *zPath, int rc){
  char zIn[sizeof(zErr)];
  size_t n;
  void *p = mapFile(zPath, &n);
  if( p==NULL ) return 0;
  int rcIn = faktPageCheckIn(zPath, p, n, zIn, sizeof(zIn));
  munmap(p, n);
  if( rcIn!=rc || strcmp(zIn, zErr)!=0 ){
    printf("  kept map: rc %d \"%s\", own map: rc %d \"%s\"\n", rcIn, zIn, rc, zErr);
    return 0;
  }
  return 1;
}

/* Write the damaged copy f to "work.fakt" and walk it; 1 if the walk says
** FAKT_CORRUPT with zWant in its message (printed otherwise). */
static int walkSays(File *f, const char *zWant){
  const char *zWork = path(1, "work.fakt");
  int rc;
  rmDb(zWork);
  if( !saveFile(zWork, f->a, f->n) ) return 0;
  rc = faktPageCheck(zWork, zErr, sizeof(zErr));
  if( rc!=FAKT_CORRUPT || strstr(zErr, zWant)==NULL ){
    printf("  walk: rc %d \"%s\", wanted \"%s\"\n", rc, zErr, zWant);
    return 0;
  }
  return walkParSays(zWork, rc) && walkInSays(zWork, rc);
}

/* Restore f from the pristine bytes a. */
static void restore(File *f, const uint8_t *a){ memcpy(f->a, a, f->n); }

static void testClaims(void){
  const char *zDb = path(0, "claims.fakt");
  File f;
  uint8_t *aOrig, *r;
  uint64_t root, leaf, last, txt = 0, freeLeaf;
  char zWant[200];
  int i, iNode = -1, iBig = -1;

  CHECK( buildClaims(zDb) );
  CHECK( faktPageCheck(zDb, zErr, sizeof(zErr))==FAKT_OK && zErr[0]==0 );
  CHECK( walkParSays(zDb, FAKT_OK) );
  if( !loadFile(zDb, &f) ){ CHECK( 0 ); return; }
  aOrig = malloc(f.n);
  if( aOrig==NULL ){ free(f.a); CHECK( 0 ); return; }
  memcpy(aOrig, f.a, f.n);
  last = lastPg(&f);

  /* the shape the cases below rely on */
  r = namedDb(&f, "spo", &iNode);
  CHECK( r!=NULL && dbDepth(r)==2 );
  if( r==NULL || dbDepth(r)!=2 ) goto done;
  root = dbRoot(r);
  CHECK( pgFlags(&f, root)==1 && nKeys(&f, root)>=2 );
  leaf = child(&f, root, 0);
  CHECK( pgFlags(&f, leaf)==2 );

  /* a branch child pointer out of range */
  wr16(node(&f, root, 1), 0xFFFF); wr16(node(&f, root, 1)+2, 0x00FF);
  snprintf(zWant, sizeof(zWant), "page %llu: node 1: child page 16777215 is out of range", (unsigned long long)root);
  CHECK( walkSays(&f, zWant) );
  restore(&f, aOrig);

  /* a branch child pointing back at its parent: a cycle */
  wr16(node(&f, root, 1), (uint16_t)root); wr16(node(&f, root, 1)+2, (uint16_t)(root>>16));
  snprintf(zWant, sizeof(zWant), "page %llu: the page is reached twice", (unsigned long long)root);
  CHECK( walkSays(&f, zWant) );
  restore(&f, aOrig);

  /* a node offset past the end of the page */
  wr16(page(&f, leaf) + HDR, PSIZE - 4);
  snprintf(zWant, sizeof(zWant), "page %llu: node 0 lies outside the page", (unsigned long long)leaf);
  CHECK( walkSays(&f, zWant) );
  restore(&f, aOrig);

  /* a node offset into the offset array (below mp_upper) */
  wr16(page(&f, leaf) + HDR + 2, HDR);
  snprintf(zWant, sizeof(zWant), "page %llu: node 1 lies outside the page", (unsigned long long)leaf);
  CHECK( walkSays(&f, zWant) );
  restore(&f, aOrig);

  /* a key size running past the page */
  wr16(node(&f, leaf, 0) + 6, 0x7000);
  snprintf(zWant, sizeof(zWant), "page %llu: node 0: its 28672-byte key runs past", (unsigned long long)leaf);
  CHECK( walkSays(&f, zWant) );
  restore(&f, aOrig);

  /* a data size running past the page */
  wr16(node(&f, leaf, 0), 0x7000);
  snprintf(zWant, sizeof(zWant), "page %llu: node 0: its 28672 bytes of data run past", (unsigned long long)leaf);
  CHECK( walkSays(&f, zWant) );
  restore(&f, aOrig);

  /* free-space bounds that do not fit */
  wr16(page(&f, leaf) + 14, PSIZE + 2);
  snprintf(zWant, sizeof(zWant), "page %llu: free-space bounds", (unsigned long long)leaf);
  CHECK( walkSays(&f, zWant) );
  restore(&f, aOrig);

  /* the page number field */
  wr64(page(&f, leaf), leaf + 1);
  snprintf(zWant, sizeof(zWant), "page %llu: its header names page %llu", (unsigned long long)leaf,
           (unsigned long long)(leaf + 1));
  CHECK( walkSays(&f, zWant) );
  restore(&f, aOrig);

  /* a leaf flagged as a branch page */
  wr16(page(&f, leaf) + 10, 1);
  snprintf(zWant, sizeof(zWant), "page %llu: a branch page at level 2 of a tree of depth 2", (unsigned long long)leaf);
  CHECK( walkSays(&f, zWant) );
  restore(&f, aOrig);

  /* a tree depth that disagrees with the tree */
  wr16(r + 6, 3);
  snprintf(zWant, sizeof(zWant), "page %llu: a leaf page at level 2 of a tree of depth 3", (unsigned long long)leaf);
  CHECK( walkSays(&f, zWant) );
  restore(&f, aOrig);

  /* a record count that disagrees with the tree (reported at the main root) */
  wr64(r + 32, rd64(r + 32) + 1);
  snprintf(zWant, sizeof(zWant), "page %llu: node %d: database \"spo\": the record counts",
           (unsigned long long)dbRoot(coreDb(&f, 1)), iNode);
  CHECK( walkSays(&f, zWant) );
  restore(&f, aOrig);

  /* a named database's root out of range */
  wr64(r + 40, last + 1);
  snprintf(zWant, sizeof(zWant), "page %llu: node %d: database \"spo\": root page %llu is out of range",
           (unsigned long long)dbRoot(coreDb(&f, 1)), iNode, (unsigned long long)(last + 1));
  CHECK( walkSays(&f, zWant) );
  restore(&f, aOrig);

  /* the current meta page's main root out of range */
  wr64(coreDb(&f, 1) + 40, last + 7);
  snprintf(zWant, sizeof(zWant), "page %d: main database: root page %llu is out of range",
           curMeta(&f), (unsigned long long)(last + 7));
  CHECK( walkSays(&f, zWant) );
  restore(&f, aOrig);

  /* the other meta page's magic */
  wr64(page(&f, 1-curMeta(&f)) + HDR, 0);
  snprintf(zWant, sizeof(zWant), "page %d: its magic number is wrong", 1-curMeta(&f));
  CHECK( walkSays(&f, zWant) );
  restore(&f, aOrig);

  /* the source text: an F_BIGDATA node in "text" (a one-leaf tree) */
  r = namedDb(&f, "text", NULL);
  CHECK( r!=NULL && dbDepth(r)==1 );
  if( r ){
    txt = dbRoot(r);
    for(i=0; i<nKeys(&f, txt); i++) if( rd16(node(&f, txt, i)+4)==1 ) iBig = i;
  }
  CHECK( iBig>=0 );
  if( iBig>=0 ){
    uint8_t *pPg = nodeData(node(&f, txt, iBig));
    uint64_t ov = rd64(pPg);
    CHECK( pgFlags(&f, ov)==4 && rd16(page(&f, ov)+12)>=3 );

    /* an overflow page number out of range */
    wr64(pPg, last + 100);
    snprintf(zWant, sizeof(zWant), "page %llu: node %d: overflow page %llu is out of range",
             (unsigned long long)txt, iBig, (unsigned long long)(last + 100));
    CHECK( walkSays(&f, zWant) );
    restore(&f, aOrig);

    /* an overflow page number naming a leaf */
    wr64(pPg, leaf);
    snprintf(zWant, sizeof(zWant), "page %llu: node %d: page %llu is not an overflow page",
             (unsigned long long)txt, iBig, (unsigned long long)leaf);
    CHECK( walkSays(&f, zWant) );
    restore(&f, aOrig);

    /* an overflow run too short for the data */
    wr16(page(&f, ov) + 12, 1);
    snprintf(zWant, sizeof(zWant), "page %llu: node %d: overflow run of 1 pages at page %llu does not fit",
             (unsigned long long)txt, iBig, (unsigned long long)ov);
    CHECK( walkSays(&f, zWant) );
    restore(&f, aOrig);
  }

  /* a free-list entry naming a page in use */
  freeLeaf = dbRoot(coreDb(&f, 0));
  CHECK( freeLeaf<=last && dbDepth(coreDb(&f, 0))==1 && nKeys(&f, freeLeaf)>=1 );
  if( freeLeaf<=last && dbDepth(coreDb(&f, 0))==1 ){
    uint8_t *pIdl = nodeData(node(&f, freeLeaf, 0));
    CHECK( rd64(pIdl)>=1 );
    wr64(pIdl + 8, leaf);
    snprintf(zWant, sizeof(zWant), "page %llu: node 0: free page %llu is also in use",
             (unsigned long long)freeLeaf, (unsigned long long)leaf);
    CHECK( walkSays(&f, zWant) );
    restore(&f, aOrig);
  }

  /* fakt_open reads no page of spo: the first statement that reaches the
  ** damaged page fails, naming it and the file; reading and writing */
  {
    fakt *db = NULL;
    const char *zWork = path(1, "work.fakt");
    char *zMsg = NULL;
    int k;
    wr16(node(&f, root, 1), 0xFFFF); wr16(node(&f, root, 1)+2, 0x00FF);
    rmDb(zWork);
    CHECK( saveFile(zWork, f.a, f.n) );
    snprintf(zWant, sizeof(zWant), "database file is damaged (page %llu: node 1: child page 16777215 is out of range",
             (unsigned long long)root);
    for(k=0; k<2; k++){
      CHECK( fakt_open(zWork, k ? FAKT_OPEN_READWRITE : FAKT_OPEN_READONLY, &db)==FAKT_OK );
      CHECK( fakt_exec(db, "find ?c, ?o where ?c: e39 likes ?o;", NULL, NULL, &zMsg)==FAKT_CORRUPT );
      CHECK( zMsg && strstr(zMsg, zWant) && strstr(zMsg, zWork) );
      if( !(zMsg && strstr(zMsg, zWant)) ) printf("  got: %s\n", zMsg ? zMsg : "(none)");
      fakt_free(zMsg);
      zMsg = NULL;
      fakt_close(db);
      db = NULL;
    }
    restore(&f, aOrig);
  }

  /* fakt_check runs the walk first: damage made after the open is reported */
  {
    fakt *db = NULL;
    char *zReport = NULL;
    const char *zWork = path(1, "work.fakt");
    FILE *fp;
    rmDb(zWork);
    CHECK( saveFile(zWork, f.a, f.n) );
    CHECK( fakt_open(zWork, FAKT_OPEN_READONLY, &db)==FAKT_OK );
    CHECK( fakt_check(db, &zReport)==FAKT_OK && zReport && strcmp(zReport, "ok")==0 );
    fakt_free(zReport);
    zReport = NULL;
    wr16(page(&f, leaf) + HDR, PSIZE - 4);
    fp = fopen(zWork, "r+b");
    CHECK( fp!=NULL );
    if( fp ){
      fseek(fp, (long)(leaf*PSIZE + HDR), SEEK_SET);
      fwrite(page(&f, leaf) + HDR, 1, 2, fp);
      fclose(fp);
    }
    snprintf(zWant, sizeof(zWant), "page %llu: node 0 lies outside the page", (unsigned long long)leaf);
    CHECK( fakt_check(db, &zReport)==FAKT_CORRUPT && zReport && strstr(zReport, zWant) );
    fakt_free(zReport);
    fakt_close(db);
    restore(&f, aOrig);
  }

done:
  free(aOrig);
  free(f.a);
  rmDb(path(1, "work.fakt"));
}

static void testDups(void){
  const char *zDb = path(0, "dups.fakt");
  StoreConfig cfg;
  FaktStore *s = NULL;
  char *zMsg = NULL;
  File f;
  uint8_t *aOrig, *r;
  uint64_t leaf = 0;
  char zWant[200];
  int i, iSub = -1, iTree = -1;

  CHECK( buildDups(zDb) );
  CHECK( faktPageCheck(zDb, zErr, sizeof(zErr))==FAKT_OK && zErr[0]==0 );
  CHECK( walkParSays(zDb, FAKT_OK) );
  /* the store's open walks the duplicates too */
  memset(&cfg, 0, sizeof(cfg));
  cfg.bReadonly = 1;
  CHECK( faktStoreOpen(zDb, &cfg, &s, &zMsg)==FAKT_OK );
  free(zMsg);
  faktStoreClose(s);
  if( !loadFile(zDb, &f) ){ CHECK( 0 ); return; }
  aOrig = malloc(f.n);
  if( aOrig==NULL ){ free(f.a); CHECK( 0 ); return; }
  memcpy(aOrig, f.a, f.n);

  r = namedDb(&f, "s2i", NULL);
  CHECK( r!=NULL && dbDepth(r)==1 && rd16(r+4)==0x14 );
  if( r ) leaf = dbRoot(r);
  for(i=0; r && i<nKeys(&f, leaf); i++){
    uint16_t fl = rd16(node(&f, leaf, i) + 4);
    if( fl==4 ) iSub = i;
    if( fl==6 ) iTree = i;
  }
  CHECK( iSub>=0 && iTree>=0 );
  if( iSub<0 || iTree<0 ) goto done;

  /* the inline sub-page: P_LEAF|P_SUBP|P_LEAF2 with five 4-byte values */
  {
    uint8_t *sp = nodeData(node(&f, leaf, iSub));
    CHECK( (rd16(sp+10) & ~0x10)==0x62 && rd16(sp+8)==4 && (rd16(sp+12)-HDR)/2==5 );
    wr16(sp + 12, 0x0FF0);
    snprintf(zWant, sizeof(zWant), "page %llu: node %d: sub-page: free-space bounds", (unsigned long long)leaf, iSub);
    CHECK( walkSays(&f, zWant) );
    restore(&f, aOrig);
    wr16(sp + 10, 0x42);
    snprintf(zWant, sizeof(zWant), "page %llu: node %d: sub-page: flags 0x42", (unsigned long long)leaf, iSub);
    CHECK( walkSays(&f, zWant) );
    restore(&f, aOrig);
  }

  /* the sub-tree: an MDB_db record (DUPFIXED, 4-byte values) of depth 2 */
  {
    uint8_t *rec = nodeData(node(&f, leaf, iTree));
    uint64_t sroot = dbRoot(rec), sleaf;
    CHECK( rd16(rec+4)==0x10 && rd16(rec)==4 && dbDepth(rec)==2 && rd64(rec+32)==3000 );
    CHECK( pgFlags(&f, sroot)==1 );
    sleaf = child(&f, sroot, 0);
    CHECK( pgFlags(&f, sleaf)==0x22 );
    /* a value size that is not the one the pages were built with */
    wr16(rec, 0);
    snprintf(zWant, sizeof(zWant), "page %llu: node %d: duplicates: database flags 0x10 (value size 0)",
             (unsigned long long)leaf, iTree);
    CHECK( walkSays(&f, zWant) );
    restore(&f, aOrig);
    /* LEAF2 values that do not fit their page */
    wr16(page(&f, sleaf) + 12, HDR + 2*1100);
    wr16(page(&f, sleaf) + 14, PSIZE);
    snprintf(zWant, sizeof(zWant), "page %llu: 1100 values of 4 bytes do not fit the page", (unsigned long long)sleaf);
    CHECK( walkSays(&f, zWant) );
    restore(&f, aOrig);
    /* the sub-tree's root out of range */
    wr64(rec + 40, lastPg(&f) + 3);
    snprintf(zWant, sizeof(zWant), "page %llu: node %d: duplicates: root page", (unsigned long long)leaf, iTree);
    CHECK( walkSays(&f, zWant) );
    restore(&f, aOrig);
    /* duplicates in a database whose record lost MDB_DUPSORT */
    wr16(r + 4, 0);
    snprintf(zWant, sizeof(zWant), "page %llu: node %d: flags 0x", (unsigned long long)leaf, iSub < iTree ? iSub : iTree);
    CHECK( walkSays(&f, zWant) );
    restore(&f, aOrig);
  }

done:
  free(aOrig);
  free(f.a);
  rmDb(path(1, "work.fakt"));
}

/* Resident pages of this process (/proc/self/statm), -1 if unknown. */
static long residentPages(void){
  long nSize = -1, nRes = -1;
  FILE *fp = fopen("/proc/self/statm", "r");
  if( fp==NULL ) return -1;
  if( fscanf(fp, "%ld %ld", &nSize, &nRes)!=2 ) nRes = -1;
  fclose(fp);
  return nRes;
}

/*
** The walk through a kept map (fakt_open's, through LMDB's): the main
** database's root is found as LMDB will find it, a walk in place leaves
** the pages it read mapped (the resident set grows by about the pages in
** use) where a walk through its own map does not, and a map too small for
** the snapshot makes it use its own. A damaged main root, which LMDB would
** read to show where its map is, is refused by faktPageMainLeaf.
*/
static void testKeptMap(void){
  const char *zDb = path(0, "claims.fakt");
  File f;
  uint64_t root = 0;
  uint32_t psize = 0;
  size_t n;
  long r0, r1, r2;
  uint8_t *p;
  if( !loadFile(zDb, &f) ){ CHECK( 0 ); return; }
  long nUsed = (long)lastPg(&f) + 1;
  CHECK( faktPageMainLeaf(zDb, &root, &psize)==1 );
  CHECK( psize==PSIZE && root==dbRoot(coreDb(&f, 1)) );
  CHECK( nUsed>=64 );
  r0 = residentPages();
  CHECK( faktPageCheck(zDb, zErr, sizeof(zErr))==FAKT_OK );
  r1 = residentPages();
  p = mapFile(zDb, &n);
  CHECK( p!=NULL );
  if( p ){
    CHECK( faktPageCheckIn(zDb, p, PSIZE*2, zErr, sizeof(zErr))==FAKT_OK );   /* too small */
    r2 = residentPages();
    CHECK( r0>0 && r1 - r0 < nUsed/2 && r2 - r1 < nUsed/2 );
    CHECK( faktPageCheckIn(zDb, p, n, zErr, sizeof(zErr))==FAKT_OK );
    CHECK( residentPages() - r2 >= nUsed/2 );
    munmap(p, n);
  }
  /* the main database's root made a branch page: LMDB must not read it */
  const char *zWork = path(1, "work.fakt");
  uint64_t mainRoot = dbRoot(coreDb(&f, 1));
  wr16(page(&f, mainRoot) + 10, 0x01);
  rmDb(zWork);
  CHECK( saveFile(zWork, f.a, f.n) );
  CHECK( faktPageMainLeaf(zWork, &root, &psize)==0 );
  CHECK( faktPageCheck(zWork, zErr, sizeof(zErr))==FAKT_CORRUPT );
  fakt *db = NULL;
  CHECK( fakt_open(zWork, FAKT_OPEN_READONLY, &db)==FAKT_CORRUPT );
  fakt_close(db);
  rmDb(zWork);
  free(f.a);
}

/*
** fakt_open reads a bounded number of pages whatever the file's size
** (SPEC §12.7): the store checks the same few pages opening a file of 4
** pages and one of over 1,000, and the resident set grows by far fewer
** pages than the file has (counted, not timed).
*/
static uint64_t pagesOpenChecks(const char *zPath){
  StoreConfig cfg;
  FaktStore *s = NULL;
  char *zOpenErr = NULL;
  uint64_t n = UINT64_MAX;
  memset(&cfg, 0, sizeof(cfg));
  cfg.bReadonly = 1;
  if( faktStoreOpen(zPath, &cfg, &s, &zOpenErr)==FAKT_OK ) n = faktStorePagesChecked(s);
  free(zOpenErr);
  faktStoreClose(s);
  return n;
}

static void testOpenKeeps(void){
  const char *zDb = path(2, "big.fakt");
  fakt *db = NULL;
  char z[400], *zMsg = NULL;
  File f;
  int rc, i;
  rmDb(zDb);
  rc = fakt_open(zDb, FAKT_OPEN_READWRITE|FAKT_OPEN_CREATE, &db);
  if( rc==FAKT_OK ) rc = fakt_exec(db, "begin;", NULL, NULL, &zMsg);
  for(i=0; rc==FAKT_OK && i<8000; i++){
    snprintf(z, sizeof(z), "entity big%d thing \"%0200d\";", i, i);
    rc = fakt_exec(db, z, NULL, NULL, &zMsg);
  }
  if( rc==FAKT_OK ) rc = fakt_exec(db, "commit;", NULL, NULL, &zMsg);
  if( rc ) printf("build big: %s\n", zMsg ? zMsg : fakt_errmsg(db));
  fakt_free(zMsg);
  fakt_close(db);
  db = NULL;
  CHECK( rc==FAKT_OK );
  if( rc || !loadFile(zDb, &f) ){ rmDb(zDb); return; }
  long nUsed = (long)lastPg(&f) + 1;
  free(f.a);
  CHECK( nUsed>=1000 );
  if( nUsed<1000 ) printf("  %ld pages in use\n", nUsed);
  long r0 = residentPages();
  CHECK( fakt_open(zDb, FAKT_OPEN_READONLY, &db)==FAKT_OK );
  long r1 = residentPages();
  CHECK( r0>0 && r1 - r0 < nUsed/8 );
  if( r1 - r0 >= nUsed/8 ) printf("  resident pages %ld -> %ld for %ld pages in use\n", r0, r1, nUsed);
  fakt_close(db);
  db = NULL;
  /* an empty database: the open checks the pages of the main database and
  ** of meta; the big file's open checks no more */
  const char *zSmall = path(2, "small.fakt");
  rmDb(zSmall);
  CHECK( fakt_open(zSmall, FAKT_OPEN_READWRITE|FAKT_OPEN_CREATE, &db)==FAKT_OK );
  fakt_close(db);
  db = NULL;
  uint64_t nSmall = pagesOpenChecks(zSmall), nBig = pagesOpenChecks(zDb);
  CHECK( nSmall>=1 && nSmall<=8 && nBig==nSmall );
  printf("  the open checks %llu pages of a %ld-page file, %llu of an empty one\n",
         (unsigned long long)nBig, nUsed, (unsigned long long)nSmall);
  rmDb(zSmall);
  rmDb(zDb);
}

/* Files that are not databases, or not there. */
static void testOther(void){
  const char *zJunk = path(0, "junk.fakt");
  uint8_t a[8192];
  memset(a, 'x', sizeof(a));
  CHECK( saveFile(zJunk, a, sizeof(a)) );
  CHECK( faktPageCheck(zJunk, zErr, sizeof(zErr))==FAKT_NOTADB && strstr(zErr, "page 0") );
  CHECK( faktPageCheck(path(2, "missing.fakt"), zErr, sizeof(zErr))==FAKT_CANTOPEN );
  CHECK( faktPageCheck(zJunk, NULL, 0)==FAKT_NOTADB );
  unlink(zJunk);
}

int main(void){
  snprintf(zDir, sizeof(zDir), "/tmp/fakt_unit_pagecheck_XXXXXX");
  if( mkdtemp(zDir)==NULL ){ printf("FAIL %s:%d: mkdtemp\n0 passed, 1 failed\n", __FILE__, __LINE__); return 1; }
  if( sizeof(size_t)!=8 ){
    printf("FAIL %s:%d: the test reads the 64-bit LMDB layout\n0 passed, 1 failed\n", __FILE__, __LINE__);
    return 1;
  }
  testClaims();
  testDups();
  testKeptMap();
  testOpenKeeps();
  testOther();
  rmDb(path(0, "claims.fakt"));
  rmDb(path(0, "dups.fakt"));
  rmdir(zDir);
  printf("%d passed, %d failed\n", nPass, nFail);
  return nFail ? 1 : 0;
}
