/*
** pagecheck.c -- a structural check of an LMDB 0.9 data file that does not
** use liblmdb. LMDB trusts what it reads from a page (node offsets, key
** sizes, child and overflow page numbers), so one damaged page can make it
** read far outside the map. This file reads the file by itself, through a
** private read-only map of its committed length, and walks every tree from
** the current meta page before LMDB is given the file. See SPEC.md
** "Integrity check" and pagecheck.h. It owns LMDB's page layout (mirrors
** of its structures) and calls nothing but libc: open.c installs its guard
** as kv.c's page hook, check.c runs the walk, records.c follows obj's
** branch pages through it.
*/
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fakt.h"
#include "pagecheck.h"

/* ================================================================ LMDB's format */
/*
** Mirrors of LMDB 0.9's on-disk structures (mdb.c: MDB_page, MDB_node,
** MDB_db, MDB_meta). Fields are in host byte order and pgno_t/txnid_t are
** size_t, so a file is read the way the LMDB of this host writes it.
*/
typedef struct PcPage {
  size_t pgno;                 /* mp_pgno: the page's own number */
  uint16_t pad;                /* mp_pad: value size of a P_LEAF2 sub-page */
  uint16_t flags;              /* mp_flags: P_* */
  uint16_t lower, upper;       /* mp_lower/mp_upper (overflow: mp_pages, u32) */
} PcPage;

typedef struct PcDb {
  uint32_t pad;                /* md_pad: P_LEAF2 value size (FREE_DBI: page size) */
  uint16_t flags, depth;       /* md_flags (DB_*), md_depth */
  size_t branch, leaf, overflow, entries, root;   /* page and item counts, root page */
} PcDb;

typedef struct PcMeta {
  uint32_t magic, version;     /* LMDB_MAGIC, LMDB_VERSION */
  void *address;               /* mm_address (MDB_FIXEDMAP only) */
  size_t mapsize;              /* mm_mapsize */
  PcDb dbs[2];                 /* FREE_DBI, MAIN_DBI */
  size_t lastPg, txnid;        /* mm_last_pg, mm_txnid */
} PcMeta;

#define PAGEHDR   sizeof(PcPage)        /* PAGEHDRSZ: 16 on 64-bit hosts */
#define PGNO_SZ   sizeof(size_t)
#define NODE_SZ   8                     /* NODESIZE: mn_lo, mn_hi, mn_flags, mn_ksize */
#define META_SZ   (PAGEHDR + sizeof(PcMeta))
_Static_assert(sizeof(PcPage)==PGNO_SZ + 8, "MDB_page header layout");
_Static_assert(sizeof(PcDb)==8 + 5*PGNO_SZ, "MDB_db layout");

#define P_BRANCH   0x01     /* branch page */
#define P_LEAF     0x02     /* leaf page */
#define P_OVERFLOW 0x04     /* first page of an overflow run */
#define P_META     0x08     /* meta page */
#define P_DIRTY    0x10     /* in memory only; left set on sub-pages */
#define P_LEAF2    0x20     /* MDB_DUPFIXED values packed without nodes */
#define P_SUBP     0x40     /* sub-page inside a node's data */

#define F_BIGDATA  0x01     /* the node's data is on overflow pages; it holds their pgno */
#define F_SUBDATA  0x02     /* the node's data is an MDB_db record */
#define F_DUPDATA  0x04     /* the node's data holds duplicates */

#define DB_REVERSEKEY 0x02  /* md_flags, as MDB_* in lmdb.h */
#define DB_DUPSORT    0x04
#define DB_INTEGERKEY 0x08
#define DB_DUPFIXED   0x10
#define DB_INTEGERDUP 0x20
#define DB_REVERSEDUP 0x40
#define DB_DUPFLAGS   (DB_DUPSORT|DB_DUPFIXED|DB_INTEGERDUP|DB_REVERSEDUP)

#define LMDB_MAGIC   0xBEEFC0DEu
#define LMDB_VERSION 1u
#define P_INVALID    ((uint64_t)(size_t)~(size_t)0)   /* md_root of an empty tree */
#define MAX_DEPTH    32     /* LMDB's CURSOR_STACK */
#define MAX_KEY      511    /* LMDB's MDB_MAXKEYSIZE: keys, and values of DUPSORT DBs */
#define MAX_TRY      5      /* walks tried while a writer keeps committing */

/* ================================================================ walk state */

/*
** A file of at least this many pages is walked by two threads: the main
** database first, putting off each named database it lists, and then the
** named databases, largest first, shared between the calling thread and
** one more. Below it everything is walked in one thread, in tree order.
*/
#define PAR_MIN_PAGES 16384          /* 64 MiB of 4 KiB pages */

typedef struct Named Named;

typedef struct Walk {
  const uint8_t *a;            /* pages 0..lastPg, mapped read-only */
  uint32_t psize;              /* page size */
  uint64_t lastPg;             /* last page of the snapshot */
  _Atomic uint8_t *aSeen;      /* one bit per page: reached already (shared by threads) */
  char *zErr;                  /* message buffer, nErr bytes */
  size_t nErr;
  size_t nMap;                 /* bytes mapped at a */
  const uint8_t *pKeep;        /* a map the caller keeps (LMDB's), nKeep bytes:
                               ** walked in place, its pages left mapped */
  size_t nKeep;
  int bDrop;                   /* a is the walk's own map: drop what it read */
  uint64_t nReached;           /* pages reached so far by this walk */
  int bDefer;                  /* put named databases off into aNamed */
  Named *aNamed;               /* the databases put off */
  int nNamed, nNamedAlloc;
} Walk;

/* Pages reached between two drops of the mapped pages (16 MiB of 4 KiB pages). */
#define WALK_DROP 4096

/* Kinds of tree (Tree.eKind). */
#define TREE_FREE  1        /* FREE_DBI: txnid -> list of free pages */
#define TREE_MAIN  2        /* MAIN_DBI: name -> MDB_db of a named database */
#define TREE_NAMED 3        /* a named database */
#define TREE_DUPS  4        /* the duplicates of one key of a DUPSORT database */

/* What the walk of one tree expects, and what it counts. */
typedef struct Tree {
  int eKind;                   /* TREE_* */
  uint16_t dbFlags;            /* md_flags of the tree's record */
  uint32_t nFixed;             /* value size on its P_LEAF2 leaves, 0 if none */
  int nDepth;                  /* md_depth: leaves are at this level (root = 1) */
  uint64_t nBranch, nLeaf, nOver, nEntries;   /* counted pages and items */
} Tree;

/*
** Where a problem lies: page pgno, and if iSub>=0 the sub-page in the data
** of its node iSub. Every message starts with this place.
*/
typedef struct Where { uint64_t pgno; int iSub; } Where;

/* A named database whose walk was put off (Walk.bDefer). */
struct Named {
  PcDb db;                     /* its record, as the main database holds it */
  Where at;                    /* the main-database page that holds the record */
  char zWhat[80];              /* "node I: database "NAME"" for messages */
};

/* Set the message "page N: [node I: sub-page: ]what" and return FAKT_CORRUPT. */
static int bad(Walk *w, Where at, const char *zFmt, ...){
  va_list ap;
  int n;
  if( w->nErr==0 ) return FAKT_CORRUPT;
  if( at.iSub>=0 ){
    n = snprintf(w->zErr, w->nErr, "page %llu: node %d: sub-page: ", (unsigned long long)at.pgno, at.iSub);
  }else{
    n = snprintf(w->zErr, w->nErr, "page %llu: ", (unsigned long long)at.pgno);
  }
  if( n>=0 && (size_t)n<w->nErr ){
    va_start(ap, zFmt);
    vsnprintf(w->zErr + n, w->nErr - (size_t)n, zFmt, ap);
    va_end(ap);
  }
  return FAKT_CORRUPT;
}

/* Mark page pgno (<= lastPg) as reached; 1 if it was reached before. */
static int reached(Walk *w, uint64_t pgno){
  uint8_t m = (uint8_t)(1u << (pgno & 7));
  int bWas = (atomic_fetch_or_explicit(&w->aSeen[pgno>>3], m, memory_order_relaxed) & m)!=0;
  if( ++w->nReached % WALK_DROP==0 && w->bDrop ){
    /* the map is read-only: dropped pages stay in the page cache and come
    ** back when touched again, but do not pile up in the resident set (a
    ** walk over a file of gigabytes would otherwise count it all) */
    madvise((void*)w->a, w->nMap, MADV_DONTNEED);
  }
  return bWas;
}

static uint16_t get16(const uint8_t *p){ uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t get32(const uint8_t *p){ uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t getPgno(const uint8_t *p){ size_t v; memcpy(&v, p, PGNO_SZ); return v; }

/* A node header (MDB_node), whose mn_lo/mn_hi order follows the host's. */
typedef struct PcNode { uint16_t lo, hi, flags, ksize; } PcNode;

static void getNode(const uint8_t *p, PcNode *nd){
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__==__ORDER_BIG_ENDIAN__
  nd->hi = get16(p); nd->lo = get16(p+2);
#else
  nd->lo = get16(p); nd->hi = get16(p+2);
#endif
  nd->flags = get16(p+4);
  nd->ksize = get16(p+6);
}

/* The child page of branch node nd, as LMDB's NODEPGNO reads it. */
static uint64_t childOf(const PcNode *nd){
  uint64_t child = nd->lo | ((uint64_t)nd->hi << 16);
  if( PGNO_SZ>4 ) child |= (uint64_t)nd->flags << 32;
  return child;
}

/* ================================================================ one path down */

int faktPageDbRoot(const void *pRec, size_t nRec, uint64_t *pRoot){
  PcDb db;
  if( nRec!=sizeof(PcDb) ) return 0;
  memcpy(&db, pRec, sizeof(db));
  *pRoot = db.root;
  return db.root!=P_INVALID;
}

uint64_t faktPageNo(const void *pPage){
  return getPgno(pPage);
}

const void *faktPageIntLeaf(const uint8_t *pMap, uint64_t nPage, size_t szPage, uint64_t root, uint32_t key){
  uint64_t pg = root;
  for(int lvl=0; lvl<MAX_DEPTH; lvl++){
    if( pg>=nPage ) return NULL;
    const uint8_t *p = pMap + pg*szPage;
    PcPage h;
    PcNode nd;
    memcpy(&h, p, sizeof(h));
    if( h.flags & P_LEAF ) return p;
    if( !(h.flags & P_BRANCH) || h.lower<PAGEHDR + 2 || h.lower>szPage ) return NULL;
    /* the last node whose key is <= key; node 0's key counts as the least */
    unsigned n = (unsigned)(h.lower - PAGEHDR) >> 1, lo = 1, hi = n - 1, i = 0;
    while( lo<=hi && hi<n ){
      unsigned mid = (lo + hi) >> 1;
      size_t off = get16(p + PAGEHDR + 2*(size_t)mid);
      if( off + NODE_SZ + 4 > szPage ) return NULL;
      if( get32(p + off + NODE_SZ)<=key ){ i = mid; lo = mid + 1; }else{ hi = mid - 1; }
    }
    size_t off = get16(p + PAGEHDR + 2*(size_t)i);
    if( off + NODE_SZ > szPage ) return NULL;
    getNode(p + off, &nd);
    pg = childOf(&nd);
  }
  return NULL;
}

/* ================================================================ pages */

/*
** Check the free-space bounds of page (or sub-page) p of n bytes, header h:
** the offset array [PAGEHDR, lower) ends before upper, upper is inside the
** page, and nFixed-byte P_LEAF2 values (if nFixed) fit. *pnKey = entries.
*/
static int checkBounds(Walk *w, Where at, size_t n, const PcPage *h, uint32_t nFixed, int *pnKey){
  size_t nKey;
  if( h->lower<PAGEHDR || (h->lower & 1) || h->lower>h->upper || h->upper>n ){
    return bad(w, at, "free-space bounds %u..%u do not fit a page of %zu bytes", h->lower, h->upper, n);
  }
  nKey = (h->lower - PAGEHDR)/2;
  if( nKey==0 ) return bad(w, at, "the page has no entries");
  if( nFixed && PAGEHDR + nKey*nFixed > n ){
    return bad(w, at, "%zu values of %u bytes do not fit the page", nKey, nFixed);
  }
  *pnKey = (int)nKey;
  return FAKT_OK;
}

/*
** Node i of page p (n bytes, header h): its offset lies in [upper, n), is
** even, and the node header and key end inside the page. Sets *nd and
** *pOff (the node's offset).
*/
static int nodeAt(Walk *w, Where at, const uint8_t *p, size_t n, const PcPage *h, int i,
                  PcNode *nd, size_t *pOff){
  size_t off = get16(p + PAGEHDR + 2*(size_t)i);
  if( off<h->upper || (off & 1) || off + NODE_SZ > n ){
    return bad(w, at, "node %d lies outside the page (offset %zu)", i, off);
  }
  getNode(p + off, nd);
  if( nd->ksize > n - off - NODE_SZ ){
    return bad(w, at, "node %d: its %u-byte key runs past the end of the page", i, nd->ksize);
  }
  if( nd->ksize > MAX_KEY ) return bad(w, at, "node %d: a key of %u bytes", i, nd->ksize);
  *pOff = off;
  return FAKT_OK;
}

static int walkTree(Walk *w, int eKind, uint16_t parentFlags, const PcDb *db, Where at, const char *zWhat);
static int checkLeaf(Walk *w, Tree *t, Where at, const uint8_t *pNode, size_t nRoom, int i, const PcNode *nd);

/*
** The F_BIGDATA data of node i: pPgno holds the first page of an overflow
** run that must hold nData bytes. Marks the run's pages; *ppData = the data.
*/
static int checkOverflow(Walk *w, Tree *t, Where at, int i, const uint8_t *pPgno, size_t nData,
                         const uint8_t **ppData){
  uint64_t pg = getPgno(pPgno), nNeed, nPages, k;
  const uint8_t *p;
  PcPage h;
  if( pg<2 || pg>w->lastPg ){
    return bad(w, at, "node %d: overflow page %llu is out of range (2..%llu)", i,
               (unsigned long long)pg, (unsigned long long)w->lastPg);
  }
  p = w->a + pg*w->psize;
  memcpy(&h, p, sizeof(h));
  nPages = get32(p + offsetof(PcPage, lower));
  if( h.pgno!=pg || h.flags!=P_OVERFLOW ){
    return bad(w, at, "node %d: page %llu is not an overflow page (flags 0x%x)", i,
               (unsigned long long)pg, h.flags);
  }
  nNeed = (PAGEHDR - 1 + (uint64_t)nData)/w->psize + 1;
  if( nPages<nNeed || nPages-1 > w->lastPg-pg ){
    return bad(w, at, "node %d: overflow run of %llu pages at page %llu does not fit %zu bytes"
               " before the last page %llu", i, (unsigned long long)nPages,
               (unsigned long long)pg, nData, (unsigned long long)w->lastPg);
  }
  for(k=0; k<nPages; k++){
    if( reached(w, pg+k) ){
      return bad(w, at, "node %d: overflow page %llu is reached twice", i, (unsigned long long)(pg+k));
    }
  }
  t->nOver += nPages;
  *ppData = p + PAGEHDR;
  return FAKT_OK;
}

/*
** A free-list record (MDB_IDL): a count, then that many page numbers in
** descending order, each in range and not used by anything else.
*/
static int checkFreeList(Walk *w, Where at, int i, const uint8_t *p, size_t n){
  uint64_t nId, k, pg, prev = 0;
  if( n<PGNO_SZ || n%PGNO_SZ ) return bad(w, at, "node %d: a free-list record of %zu bytes", i, n);
  nId = getPgno(p);
  if( nId!=n/PGNO_SZ - 1 ){
    return bad(w, at, "node %d: free-list record counts %llu pages but holds %zu", i,
               (unsigned long long)nId, n/PGNO_SZ - 1);
  }
  for(k=1; k<=nId; k++){
    pg = getPgno(p + k*PGNO_SZ);
    if( pg<2 || pg>w->lastPg ){
      return bad(w, at, "node %d: free page %llu is out of range (2..%llu)", i,
                 (unsigned long long)pg, (unsigned long long)w->lastPg);
    }
    if( k>1 && pg>=prev ) return bad(w, at, "node %d: free-list record is not in order", i);
    if( reached(w, pg) ){
      return bad(w, at, "node %d: free page %llu is also in use", i, (unsigned long long)pg);
    }
    prev = pg;
  }
  return FAKT_OK;
}

/*
** The inline sub-page (F_DUPDATA without F_SUBDATA) of node i: a leaf page
** of n bytes holding the duplicates of one key of a DUPSORT database t,
** packed P_LEAF2 values if the database is DUPFIXED, else nodes.
*/
static int checkSubPage(Walk *w, Tree *t, Where at, int i, const uint8_t *p, size_t n){
  Where sub;
  Tree d;
  PcPage h;
  uint16_t want = P_LEAF|P_SUBP | ((t->dbFlags & DB_DUPFIXED) ? P_LEAF2 : 0);
  int nKey, j, rc;
  sub.pgno = at.pgno;
  sub.iSub = i;
  if( n<PAGEHDR ) return bad(w, at, "node %d: a sub-page of %zu bytes", i, n);
  memcpy(&h, p, sizeof(h));
  if( (h.flags & ~P_DIRTY)!=want ) return bad(w, sub, "flags 0x%x, expected 0x%x", h.flags, want);
  memset(&d, 0, sizeof(d));
  d.eKind = TREE_DUPS;
  d.nDepth = 1;
  if( want & P_LEAF2 ){
    d.nFixed = h.pad;
    if( d.nFixed==0 || d.nFixed>MAX_KEY ) return bad(w, sub, "values of %u bytes", d.nFixed);
  }
  rc = checkBounds(w, sub, n, &h, d.nFixed, &nKey);
  if( rc ) return rc;
  for(j=0; j<nKey && !d.nFixed; j++){
    PcNode nd;
    size_t off;
    rc = nodeAt(w, sub, p, n, &h, j, &nd, &off);
    if( rc==FAKT_OK ) rc = checkLeaf(w, &d, sub, p + off, n - off, j, &nd);
    if( rc ) return rc;
  }
  t->nEntries += (uint64_t)nKey;
  return FAKT_OK;
}

/* Put the walk of named database db (at, zWhat: its place) off until the
** main database is walked. FAKT_OK or FAKT_NOMEM. */
static int deferNamed(Walk *w, const PcDb *db, Where at, const char *zWhat){
  Named *p;
  if( w->nNamed==w->nNamedAlloc ){
    int nNew = w->nNamedAlloc ? 2*w->nNamedAlloc : 32;
    Named *aNew = realloc(w->aNamed, (size_t)nNew*sizeof(Named));
    if( aNew==NULL ){ snprintf(w->zErr, w->nErr, "out of memory"); return FAKT_NOMEM; }
    w->aNamed = aNew;
    w->nNamedAlloc = nNew;
  }
  p = &w->aNamed[w->nNamed++];
  p->db = *db;
  p->at = at;
  snprintf(p->zWhat, sizeof(p->zWhat), "%s", zWhat);
  return FAKT_OK;
}

/* Copy up to 40 bytes of a database name into z (printable ASCII, else '?'). */
static void nameOf(const uint8_t *p, size_t n, char *z){
  size_t k;
  if( n>40 ) n = 40;
  for(k=0; k<n; k++) z[k] = (p[k]>=0x20 && p[k]<0x7f && p[k]!='"') ? (char)p[k] : '?';
  z[n] = 0;
}

/*
** Leaf node i of tree t; pNode is its header, with nRoom bytes to the end
** of its page and its key already inside. Checks the node's flags for this
** kind of tree and that its data fits, then follows what the data refers
** to: overflow pages, a free-list record, a named database, a sub-tree or
** a sub-page of duplicates. Counts the items into t->nEntries.
*/
static int checkLeaf(Walk *w, Tree *t, Where at, const uint8_t *pNode, size_t nRoom, int i, const PcNode *nd){
  size_t nData = nd->lo | ((size_t)nd->hi << 16);
  size_t nInline = nRoom - NODE_SZ - nd->ksize;    /* bytes after the key */
  const uint8_t *pData = pNode + NODE_SZ + nd->ksize;
  uint16_t f = nd->flags;
  int ok, rc;
  char zWhat[80], zName[41];
  switch( t->eKind ){
    case TREE_FREE:  ok = f==0 || f==F_BIGDATA; break;
    case TREE_MAIN:  ok = f==0 || f==F_BIGDATA || f==F_SUBDATA; break;
    case TREE_NAMED:
      ok = (t->dbFlags & DB_DUPSORT) ? (f==0 || f==F_DUPDATA || f==(F_DUPDATA|F_SUBDATA))
                                     : (f==0 || f==F_BIGDATA);
      break;
    default:         ok = f==0 && nData==0; break;
  }
  if( !ok ) return bad(w, at, "node %d: flags 0x%x and %zu bytes of data do not belong here", i, f, nData);
  if( t->eKind==TREE_NAMED && (t->dbFlags & DB_INTEGERKEY) && nd->ksize!=4 ){
    /* fakt's integer keys are unsigned ints: LMDB compares 4 bytes */
    return bad(w, at, "node %d: an integer key of %u bytes", i, nd->ksize);
  }
  if( t->eKind==TREE_FREE && nd->ksize!=PGNO_SZ ){
    return bad(w, at, "node %d: a free-list key of %u bytes", i, nd->ksize);
  }
  if( f & F_BIGDATA ){
    if( nInline<PGNO_SZ ) return bad(w, at, "node %d: its overflow page number runs past the end of the page", i);
    rc = checkOverflow(w, t, at, i, pData, nData, &pData);
    if( rc ) return rc;
  }else if( nData>nInline ){
    return bad(w, at, "node %d: its %zu bytes of data run past the end of the page", i, nData);
  }
  if( t->eKind==TREE_FREE ){
    t->nEntries++;
    return checkFreeList(w, at, i, pData, nData);
  }
  if( f & F_SUBDATA ){
    PcDb db;
    if( nData!=sizeof(PcDb) ) return bad(w, at, "node %d: a database record of %zu bytes", i, nData);
    memcpy(&db, pData, sizeof(db));
    if( f & F_DUPDATA ){
      snprintf(zWhat, sizeof(zWhat), "node %d: duplicates", i);
      rc = walkTree(w, TREE_DUPS, t->dbFlags, &db, at, zWhat);
      t->nEntries += db.entries;
    }else{
      nameOf(pNode + NODE_SZ, nd->ksize, zName);
      snprintf(zWhat, sizeof(zWhat), "node %d: database \"%s\"", i, zName);
      t->nEntries++;
      if( w->bDefer ) return deferNamed(w, &db, at, zWhat);
      rc = walkTree(w, TREE_NAMED, 0, &db, at, zWhat);
    }
    return rc;
  }
  if( f & F_DUPDATA ) return checkSubPage(w, t, at, i, pData, nData);
  t->nEntries++;
  return FAKT_OK;
}

/*
** Page pgno (in range), reached at level iLevel of tree t (root = 1): not
** reached before, its header names it, its flags fit its level (a branch
** above the tree's depth, a leaf at it), its bounds and nodes fit, then
** each branch child is walked in turn and each leaf node checked.
*/
static int walkPage(Walk *w, Tree *t, uint64_t pgno, int iLevel){
  const uint8_t *p = w->a + pgno*w->psize;
  int bLeaf = iLevel==t->nDepth;
  uint16_t want = !bLeaf ? P_BRANCH : t->nFixed ? (P_LEAF|P_LEAF2) : P_LEAF;
  Where at;
  PcPage h;
  int nKey, i, rc;
  at.pgno = pgno;
  at.iSub = -1;
  if( reached(w, pgno) ) return bad(w, at, "the page is reached twice");
  memcpy(&h, p, sizeof(h));
  if( h.pgno!=pgno ) return bad(w, at, "its header names page %llu", (unsigned long long)h.pgno);
  if( h.flags!=want ){
    /* a branch where a leaf belongs, or the reverse: the depth is wrong */
    int bBranch = h.flags==P_BRANCH, bLeafPg = (h.flags & ~P_LEAF2)==P_LEAF;
    if( (bBranch || bLeafPg) && bBranch!=(want==P_BRANCH) ){
      return bad(w, at, "a %s page at level %d of a tree of depth %d",
                 bBranch ? "branch" : "leaf", iLevel, t->nDepth);
    }
    return bad(w, at, "flags 0x%x where 0x%x belong", h.flags, want);
  }
  rc = checkBounds(w, at, w->psize, &h, bLeaf ? t->nFixed : 0, &nKey);
  if( rc ) return rc;
  if( bLeaf && !t->nFixed ){
    /* the nodes fill [upper, psize): ask for all their cache lines at once,
    ** so that the loads below overlap instead of waiting one by one */
    for(size_t k = h.upper & ~(size_t)63; k<w->psize; k += 64) __builtin_prefetch(p + k);
  }
  if( !bLeaf ){
    t->nBranch++;
  }else{
    t->nLeaf++;
    if( t->nFixed ){ t->nEntries += (uint64_t)nKey; return FAKT_OK; }
  }
  for(i=0; i<nKey; i++){
    PcNode nd;
    size_t off;
    rc = nodeAt(w, at, p, w->psize, &h, i, &nd, &off);
    if( rc ) return rc;
    if( bLeaf ){
      rc = checkLeaf(w, t, at, p + off, w->psize - off, i, &nd);
    }else{
      uint64_t child = childOf(&nd);
      if( t->eKind==TREE_FREE && i>0 && nd.ksize!=PGNO_SZ ){
        return bad(w, at, "node %d: a free-list key of %u bytes", i, nd.ksize);
      }
      if( child<2 || child>w->lastPg ){
        return bad(w, at, "node %d: child page %llu is out of range (2..%llu)", i,
                   (unsigned long long)child, (unsigned long long)w->lastPg);
      }
      rc = walkPage(w, t, child, iLevel+1);
    }
    if( rc ) return rc;
  }
  return FAKT_OK;
}

/* 1 if the counts in db match those the walk of t found. */
static int countsMatch(const PcDb *db, const Tree *t){
  return db->branch==t->nBranch && db->leaf==t->nLeaf
      && db->overflow==t->nOver && db->entries==t->nEntries;
}

/*
** The tree of record db, of kind eKind (parentFlags: md_flags of the
** database whose duplicates a TREE_DUPS tree holds). at and zWhat name the
** record in messages. Checks the record's flags and depth, walks the tree
** and compares the record's page and item counts with what was found.
*/
static int walkTree(Walk *w, int eKind, uint16_t parentFlags, const PcDb *db, Where at, const char *zWhat){
  Tree t;
  int ok, rc;
  memset(&t, 0, sizeof(t));
  t.eKind = eKind;
  t.dbFlags = db->flags;
  t.nDepth = db->depth;
  switch( eKind ){
    case TREE_FREE:  ok = (db->flags & (DB_DUPFLAGS|DB_REVERSEKEY))==0; break;
    case TREE_MAIN:  ok = db->flags==0; break;
    case TREE_NAMED: ok = db->flags==0 || db->flags==DB_INTEGERKEY || db->flags==DB_DUPSORT
                       || db->flags==(DB_DUPSORT|DB_DUPFIXED); break;
    default:
      ok = db->flags==((parentFlags & DB_DUPFIXED) ? DB_DUPFIXED : 0);
      if( db->flags ){
        t.nFixed = db->pad;
        ok = ok && db->pad>0 && db->pad<=MAX_KEY;
      }
      break;
  }
  if( !ok ) return bad(w, at, "%s: database flags 0x%x (value size %u)", zWhat, db->flags, db->pad);
  if( (uint64_t)db->root==P_INVALID ){
    if( db->depth || db->branch || db->leaf || db->overflow || db->entries ){
      return bad(w, at, "%s: an empty tree with depth %u and %llu entries", zWhat, db->depth,
                 (unsigned long long)db->entries);
    }
    return FAKT_OK;
  }
  if( db->depth<1 || db->depth>MAX_DEPTH ) return bad(w, at, "%s: depth %u", zWhat, db->depth);
  if( db->root<2 || db->root>w->lastPg ){
    return bad(w, at, "%s: root page %llu is out of range (2..%llu)", zWhat,
               (unsigned long long)db->root, (unsigned long long)w->lastPg);
  }
  rc = walkPage(w, &t, db->root, 1);
  if( rc ) return rc;
  if( !countsMatch(db, &t) ){
    return bad(w, at, "%s: the record counts %llu branch, %llu leaf, %llu overflow pages and %llu"
               " entries; the tree has %llu, %llu, %llu and %llu", zWhat,
               (unsigned long long)db->branch, (unsigned long long)db->leaf,
               (unsigned long long)db->overflow, (unsigned long long)db->entries,
               (unsigned long long)t.nBranch, (unsigned long long)t.nLeaf,
               (unsigned long long)t.nOver, (unsigned long long)t.nEntries);
  }
  return FAKT_OK;
}

/* ================================================================ meta pages and the file */

/*
** Read the meta page at offset iOff into m. Returns 1 if it reads as an
** LMDB meta page (P_META, magic, data version), else 0 and *pzWhy.
*/
static int readMeta(int fd, off_t iOff, PcMeta *m, const char **pzWhy){
  uint8_t a[META_SZ];
  PcPage h;
  if( pread(fd, a, sizeof(a), iOff)!=(ssize_t)sizeof(a) ){ *pzWhy = "it is missing"; return 0; }
  memcpy(&h, a, sizeof(h));
  memcpy(m, a + PAGEHDR, sizeof(*m));
  if( !(h.flags & P_META) ){ *pzWhy = "it is not a meta page"; return 0; }
  if( m->magic!=LMDB_MAGIC ){ *pzWhy = "its magic number is wrong"; return 0; }
  if( m->version!=LMDB_VERSION ){ *pzWhy = "its data version is wrong"; return 0; }
  return 1;
}

/*
** The raw bytes of both meta records into a (2*META_SZ bytes), to tell
** whether a writer committed between two reads: page 1 is read at the
** page size page 0 gives, if that is plausible.
*/
static void metaBytes(int fd, uint8_t *a){
  uint32_t psize;
  memset(a, 0, 2*META_SZ);
  if( pread(fd, a, META_SZ, 0)!=(ssize_t)META_SZ ) return;
  memcpy(&psize, a + PAGEHDR + offsetof(PcMeta, dbs), sizeof(psize));
  if( psize<512 || psize>65536 ) return;
  if( pread(fd, a + META_SZ, META_SZ, (off_t)psize)<0 ) a[META_SZ] ^= 1;
}

/* ================================================================ two threads */

/* The named databases put off by the walk of the main database, shared by
** the walkers: each takes the next one not yet taken. */
typedef struct Crew {
  const Named *a;              /* the databases, largest first */
  int n;
  atomic_int iNext;            /* the next one to take */
  atomic_int bStop;            /* a walker failed: the others stop taking */
} Crew;

typedef struct Walker {
  Crew *pCrew;
  Walk w;                      /* its own message buffer and drop count */
  char zErr[256];
  int rc;
} Walker;

static void *walkerMain(void *pArg){
  Walker *k = pArg;
  Crew *c = k->pCrew;
  k->rc = FAKT_OK;
  while( !atomic_load(&c->bStop) ){
    int i = atomic_fetch_add(&c->iNext, 1);
    if( i>=c->n ) break;
    k->rc = walkTree(&k->w, TREE_NAMED, 0, &c->a[i].db, c->a[i].at, c->a[i].zWhat);
    if( k->rc ){ atomic_store(&c->bStop, 1); break; }
  }
  return NULL;
}

/* Pages a named database's record says it has (only to order the work). */
static uint64_t namedPages(const Named *p){ return p->db.branch + p->db.leaf + p->db.overflow; }

static int cmpNamed(const void *a, const void *b){
  uint64_t x = namedPages(a), y = namedPages(b);
  return x<y ? 1 : x>y ? -1 : 0;
}

/*
** Walk the named databases w->aNamed with two walkers: one more thread and
** the calling one (only the calling one if no thread can be started).
** Returns FAKT_OK or the first failure found; its message is in w->zErr.
*/
static int walkNamed(Walk *w){
  Crew c;
  Walker ak[2];
  pthread_t th;
  int i, bThread, rc = FAKT_OK;
  qsort(w->aNamed, (size_t)w->nNamed, sizeof(Named), cmpNamed);
  c.a = w->aNamed;
  c.n = w->nNamed;
  atomic_init(&c.iNext, 0);
  atomic_init(&c.bStop, 0);
  for(i=0; i<2; i++){
    ak[i].pCrew = &c;
    ak[i].w = *w;
    ak[i].w.zErr = ak[i].zErr;
    ak[i].w.nErr = sizeof(ak[i].zErr);
    ak[i].w.nReached = 0;
    ak[i].w.bDefer = 0;
    ak[i].w.aNamed = NULL;
    ak[i].w.nNamed = ak[i].w.nNamedAlloc = 0;
    ak[i].zErr[0] = 0;
    ak[i].rc = FAKT_OK;
  }
  bThread = pthread_create(&th, NULL, walkerMain, &ak[1])==0;
  walkerMain(&ak[0]);
  if( bThread ) pthread_join(th, NULL);
  for(i=0; i<2 && rc==FAKT_OK; i++){
    if( ak[i].rc ){
      rc = ak[i].rc;
      snprintf(w->zErr, w->nErr, "%s", ak[i].zErr);
    }
  }
  return rc;
}

/*
** One walk of the file open on fd: pick the current meta page as LMDB
** does (both must be valid; the larger txnid wins, page 0 on a tie), map
** pages 0..last and walk the main database (with every named database
** and duplicate tree) and then the free list. A file of nParMin pages or
** more has its named databases walked by two threads (PAR_MIN_PAGES);
** what that finds wrong is found again by a walk in one thread, so that
** the message is the one a walk in tree order gives.
*/
static int checkOnce(int fd, Walk *w, uint64_t nParMin){
  struct stat st;
  PcMeta m0, m1, *m;
  const char *zWhy = "";
  Where at;
  uint64_t nMap;
  void *pMap;
  int rc;
  at.pgno = 0;
  at.iSub = -1;
  if( fstat(fd, &st) ){ snprintf(w->zErr, w->nErr, "cannot stat: %s", strerror(errno)); return FAKT_IOERR; }
  if( !readMeta(fd, 0, &m0, &zWhy) ){
    snprintf(w->zErr, w->nErr, "page 0: %s: not an LMDB file", zWhy);
    return FAKT_NOTADB;
  }
  w->psize = m0.dbs[0].pad;
  if( w->psize<512 || w->psize>65536 || (w->psize & (w->psize-1)) ){
    return bad(w, at, "page size %u", w->psize);
  }
  at.pgno = 1;
  if( !readMeta(fd, (off_t)w->psize, &m1, &zWhy) ) return bad(w, at, "%s", zWhy);
  if( m1.dbs[0].pad!=w->psize ) return bad(w, at, "page size %u, page 0 says %u", m1.dbs[0].pad, w->psize);
  m = m1.txnid>m0.txnid ? &m1 : &m0;
  at.pgno = m==&m1;
  w->lastPg = m->lastPg;
  if( w->lastPg<1 ) return bad(w, at, "last page %llu", (unsigned long long)w->lastPg);
  if( w->lastPg >= (uint64_t)st.st_size/w->psize ){
    return bad(w, at, "last page %llu is past the end of the file (%llu bytes)",
               (unsigned long long)w->lastPg, (unsigned long long)st.st_size);
  }
  nMap = (w->lastPg + 1)*w->psize;
  if( (uint64_t)(size_t)nMap!=nMap ){ snprintf(w->zErr, w->nErr, "file too large to check"); return FAKT_NOMEM; }
  w->aSeen = calloc((size_t)(w->lastPg/8 + 1), 1);
  if( w->aSeen==NULL ){ snprintf(w->zErr, w->nErr, "out of memory"); return FAKT_NOMEM; }
  /* LMDB's map when it covers the snapshot: the pages read stay mapped for
  ** the queries that follow (the caller checks it is LMDB's map of fd) */
  w->bDrop = !(w->pKeep && nMap<=w->nKeep);
  pMap = w->bDrop ? mmap(NULL, (size_t)nMap, PROT_READ, MAP_PRIVATE, fd, 0) : (void*)w->pKeep;
  if( pMap==MAP_FAILED ){
    int e = errno;
    snprintf(w->zErr, w->nErr, "cannot map the file: %s", strerror(e));
    free(w->aSeen);
    w->aSeen = NULL;
    return e==ENOMEM ? FAKT_NOMEM : FAKT_IOERR;
  }
  w->a = pMap;
  w->nMap = (size_t)nMap;
  reached(w, 0);
  reached(w, 1);
  w->bDefer = w->lastPg>=nParMin;
  w->nNamed = 0;
  rc = walkTree(w, TREE_MAIN, 0, &m->dbs[1], at, "main database");
  if( rc==FAKT_OK && w->bDefer ) rc = walkNamed(w);
  if( rc==FAKT_OK ) rc = walkTree(w, TREE_FREE, 0, &m->dbs[0], at, "free list");
  if( w->bDrop ) munmap(pMap, (size_t)nMap);
  free(w->aSeen);
  free(w->aNamed);
  w->aSeen = NULL;
  w->aNamed = NULL;
  w->nNamed = w->nNamedAlloc = 0;
  w->a = NULL;
  if( rc==FAKT_CORRUPT && w->bDefer ){
    w->bDefer = 0;
    return checkOnce(fd, w, UINT64_MAX);
  }
  return rc;
}

static int checkFile(const char *zPath, const void *pKeep, size_t nKeep,
                     char *zErr, size_t nErr, uint64_t nParMin){
  char zDummy[1];
  uint8_t aBefore[2*META_SZ], aAfter[2*META_SZ];
  Walk w;
  int fd, rc = FAKT_OK, iTry;
  memset(&w, 0, sizeof(w));
  w.pKeep = pKeep;
  w.nKeep = pKeep ? nKeep : 0;
  w.zErr = nErr ? zErr : zDummy;
  w.nErr = nErr ? nErr : sizeof(zDummy);
  w.zErr[0] = 0;
  fd = open(zPath, O_RDONLY | O_CLOEXEC);
  if( fd<0 ){
    int e = errno;
    snprintf(w.zErr, w.nErr, "cannot open: %s", strerror(e));
    return e==EACCES ? FAKT_PERM : FAKT_CANTOPEN;
  }
  for(iTry=0; iTry<MAX_TRY; iTry++){
    metaBytes(fd, aBefore);
    rc = checkOnce(fd, &w, nParMin);
    if( rc!=FAKT_CORRUPT ) break;
    /* The damage is real only if no writer committed while the pages
    ** were read: LMDB reuses a snapshot's pages two commits later. */
    metaBytes(fd, aAfter);
    if( memcmp(aBefore, aAfter, sizeof(aBefore))==0 ) break;
    if( iTry==MAX_TRY-1 ){
      snprintf(w.zErr, w.nErr, "the file kept changing during the check");
      rc = FAKT_BUSY;
    }
  }
  close(fd);
  if( rc==FAKT_OK ) w.zErr[0] = 0;
  return rc;
}

int faktPageCheckPar(const char *zPath, char *zErr, size_t nErr, uint64_t nParMin){
  return checkFile(zPath, NULL, 0, zErr, nErr, nParMin);
}

int faktPageCheck(const char *zPath, char *zErr, size_t nErr){
  return checkFile(zPath, NULL, 0, zErr, nErr, PAR_MIN_PAGES);
}

int faktPageCheckIn(const char *zPath, const void *pMap, size_t nMap, char *zErr, size_t nErr){
  return checkFile(zPath, pMap, nMap, zErr, nErr, PAR_MIN_PAGES);
}

int faktPageMainLeaf(const char *zPath, uint64_t *pRoot, uint32_t *pPsize){
  PcMeta m0, m1, *m;
  const char *zWhy;
  int ok = 0;
  int fd = open(zPath, O_RDONLY | O_CLOEXEC);
  if( fd<0 ) return 0;
  uint32_t psize = 0;
  if( readMeta(fd, 0, &m0, &zWhy) ) psize = m0.dbs[0].pad;
  if( psize>=512 && psize<=65536 && !(psize & (psize-1))
   && readMeta(fd, (off_t)psize, &m1, &zWhy) && m1.dbs[0].pad==psize ){
    m = m1.txnid>m0.txnid ? &m1 : &m0;
    uint64_t root = m->dbs[1].root;
    uint8_t *a = malloc(psize);
    if( a && root>1 && root<=m->lastPg && root<=UINT64_MAX/psize
     && pread(fd, a, psize, (off_t)(root*psize))==(ssize_t)psize ){
      PcPage h;
      memcpy(&h, a, sizeof(h));
      if( h.pgno==root && h.flags==P_LEAF && h.lower>=PAGEHDR + 2 && !(h.lower & 1)
       && h.lower<=h.upper && h.upper<=psize ){
        size_t off = get16(a + PAGEHDR);
        if( off>=h.upper && !(off & 1) && off + NODE_SZ<=psize ){
          PcNode nd;
          getNode(a + off, &nd);
          ok = nd.ksize>0 && nd.ksize<=psize - off - NODE_SZ;
        }
      }
    }
    free(a);
    if( ok ){ *pRoot = root; *pPsize = psize; }
  }
  close(fd);
  return ok;
}

/* ================================================================ pages checked as they are read */
/*
** The page guard: LMDB (built from source with store/lmdb.patch) calls
** faktPageGuardCheck for what it reads from its map, and a page is checked
** by itself the first time it is read, then remembered in a bitmap of the
** environment. The checks are those of the walk that need nothing but the
** page (and the last page of the snapshot); what links pages (levels,
** overflow runs, free-list records) is checked where LMDB follows the link.
** Whole-file facts (a page reached twice, a tree's counts) are left to the
** walk of .check.
*/
#define GUARD_CHUNK_BITS 19            /* pages per bitmap chunk: 2^19, 64 KiB of bits */
#define GUARD_CHUNK_WORDS ((1u << GUARD_CHUNK_BITS)/64)

struct FaktPageGuard {
  uint32_t psize;                      /* page size of the file */
  size_t nTop;                         /* chunks aTop can hold */
  _Atomic(_Atomic uint64_t*) *aTop;    /* chunk i: pages i<<19 .. ; NULL until needed */
  atomic_ullong nChecked;              /* pages checked (bitmap misses) */
  atomic_int bFailed;                  /* zWhy holds a failure not yet taken */
  pthread_mutex_t mu;                  /* guards zWhy */
  char zWhy[256];                      /* the last failure, "page N: what" */
};

FaktPageGuard *faktPageGuardNew(uint32_t psize, uint64_t nMapMax){
  FaktPageGuard *g;
  if( psize<512 || (psize & (psize-1)) ) return NULL;
  g = calloc(1, sizeof(*g));
  if( g==NULL ) return NULL;
  g->psize = psize;
  g->nTop = (size_t)((nMapMax/psize) >> GUARD_CHUNK_BITS) + 1;
  g->aTop = calloc(g->nTop, sizeof(g->aTop[0]));
  if( g->aTop==NULL || pthread_mutex_init(&g->mu, NULL) ){ free(g->aTop); free(g); return NULL; }
  atomic_init(&g->nChecked, 0);
  return g;
}

void faktPageGuardFree(FaktPageGuard *g){
  if( g==NULL ) return;
  for(size_t i=0; i<g->nTop; i++) free((void*)atomic_load(&g->aTop[i]));
  free(g->aTop);
  pthread_mutex_destroy(&g->mu);
  free(g);
}

uint64_t faktPageGuardCount(FaktPageGuard *g){
  return g ? (uint64_t)atomic_load(&g->nChecked) : 0;
}

int faktPageGuardWhy(FaktPageGuard *g, char *z, size_t n, int bTake){
  int bAny;
  if( g==NULL || n==0 ) return 0;
  /* every fakt_step asks: no lock while nothing failed */
  if( !atomic_load_explicit(&g->bFailed, memory_order_acquire) ) return 0;
  pthread_mutex_lock(&g->mu);
  bAny = g->zWhy[0]!=0;
  snprintf(z, n, "%s", g->zWhy);
  if( bTake ){                         /* taken: reported once */
    g->zWhy[0] = 0;
    atomic_store_explicit(&g->bFailed, 0, memory_order_release);
  }
  pthread_mutex_unlock(&g->mu);
  return bAny;
}

/* The bitmap word of page pgno, its chunk made if need be; NULL when the
** page lies beyond the largest map or no memory is left (then the page is
** checked each time it is read). */
static _Atomic uint64_t *guardWord(FaktPageGuard *g, uint64_t pgno){
  size_t iTop = (size_t)(pgno >> GUARD_CHUNK_BITS);
  _Atomic uint64_t *a;
  if( iTop>=g->nTop ) return NULL;
  a = atomic_load_explicit(&g->aTop[iTop], memory_order_acquire);
  if( a==NULL ){
    _Atomic uint64_t *aNew = calloc(GUARD_CHUNK_WORDS, sizeof(uint64_t)), *aOld = NULL;
    if( aNew==NULL ) return NULL;
    if( atomic_compare_exchange_strong(&g->aTop[iTop], &aOld, aNew) ){
      a = aNew;
    }else{
      free((void*)aNew);                /* another thread made it first */
      a = aOld;
    }
  }
  return &a[(pgno & ((1u << GUARD_CHUNK_BITS) - 1)) >> 6];
}

/* Keep the message of w (a failed check) as the guard's last failure. */
static int guardFail(FaktPageGuard *g, const char *zWhy){
  pthread_mutex_lock(&g->mu);
  snprintf(g->zWhy, sizeof(g->zWhy), "%s", zWhy);
  atomic_store_explicit(&g->bFailed, 1, memory_order_release);
  pthread_mutex_unlock(&g->mu);
  return FAKT_CORRUPT;
}

/*
** The sub-page (F_DUPDATA) in node i of page at: a leaf of n bytes whose
** nodes hold keys only, or P_LEAF2 values of mp_pad bytes that fit.
*/
static int subPageAlone(Walk *w, Where at, int i, const uint8_t *p, size_t n){
  Where sub;
  PcPage h;
  int nKey, j, rc;
  sub.pgno = at.pgno;
  sub.iSub = i;
  if( n<PAGEHDR ) return bad(w, at, "node %d: a sub-page of %zu bytes", i, n);
  memcpy(&h, p, sizeof(h));
  if( (h.flags & ~(P_DIRTY|P_LEAF2))!=(P_LEAF|P_SUBP) ) return bad(w, sub, "flags 0x%x", h.flags);
  if( (h.flags & P_LEAF2) && (h.pad==0 || h.pad>MAX_KEY) ) return bad(w, sub, "values of %u bytes", h.pad);
  rc = checkBounds(w, sub, n, &h, (h.flags & P_LEAF2) ? h.pad : 0, &nKey);
  for(j=0; rc==FAKT_OK && j<nKey && !(h.flags & P_LEAF2); j++){
    PcNode nd;
    size_t off;
    rc = nodeAt(w, sub, p, n, &h, j, &nd, &off);
    if( rc==FAKT_OK && (nd.flags || nd.lo || nd.hi) ){
      rc = bad(w, sub, "node %d: flags 0x%x and data where a duplicate has none", j, nd.flags);
    }
  }
  return rc;
}

/* Leaf node i of page at (pNode its header, nRoom bytes to the page's end):
** the data fits, or its overflow page or database record is in range. */
static int leafAlone(Walk *w, Where at, const uint8_t *pNode, size_t nRoom, int i, const PcNode *nd){
  size_t nData = nd->lo | ((size_t)nd->hi << 16);
  size_t nInline = nRoom - NODE_SZ - nd->ksize;
  const uint8_t *pData = pNode + NODE_SZ + nd->ksize;
  uint16_t f = nd->flags;
  if( f!=0 && f!=F_BIGDATA && f!=F_SUBDATA && f!=F_DUPDATA && f!=(F_DUPDATA|F_SUBDATA) ){
    return bad(w, at, "node %d: flags 0x%x and %zu bytes of data do not belong here", i, f, nData);
  }
  if( f & F_BIGDATA ){
    uint64_t pg;
    if( nInline<PGNO_SZ ) return bad(w, at, "node %d: its overflow page number runs past the end of the page", i);
    pg = getPgno(pData);
    if( pg<2 || pg>w->lastPg ){
      return bad(w, at, "node %d: overflow page %llu is out of range (2..%llu)", i,
                 (unsigned long long)pg, (unsigned long long)w->lastPg);
    }
    return FAKT_OK;
  }
  if( nData>nInline ) return bad(w, at, "node %d: its %zu bytes of data run past the end of the page", i, nData);
  if( f & F_SUBDATA ){
    PcDb db;
    if( nData!=sizeof(PcDb) ) return bad(w, at, "node %d: a database record of %zu bytes", i, nData);
    memcpy(&db, pData, sizeof(db));
    if( (uint64_t)db.root!=P_INVALID && (db.root<2 || db.root>w->lastPg) ){
      return bad(w, at, "node %d: root page %llu is out of range (2..%llu)", i,
                 (unsigned long long)db.root, (unsigned long long)w->lastPg);
    }
    if( db.depth>MAX_DEPTH ) return bad(w, at, "node %d: depth %u", i, db.depth);
    return FAKT_OK;
  }
  if( f & F_DUPDATA ) return subPageAlone(w, at, i, pData, nData);
  return FAKT_OK;
}

int faktPageCheckOne(const void *pPage, uint64_t pgno, uint32_t psize, uint64_t lastPg,
                     char *zErr, size_t nErr){
  const uint8_t *p = pPage;
  Walk w;
  Where at;
  PcPage h;
  int nKey, i, rc;
  memset(&w, 0, sizeof(w));
  w.psize = psize;
  w.lastPg = lastPg;
  w.zErr = zErr;
  w.nErr = nErr;
  at.pgno = pgno;
  at.iSub = -1;
  memcpy(&h, p, sizeof(h));
  if( h.pgno!=pgno ) return bad(&w, at, "its header names page %llu", (unsigned long long)h.pgno);
  if( h.flags==P_OVERFLOW ){
    uint64_t nPages = get32(p + offsetof(PcPage, lower));
    if( nPages<1 || nPages-1 > lastPg-pgno ){
      return bad(&w, at, "overflow run of %llu pages does not fit before the last page %llu",
                 (unsigned long long)nPages, (unsigned long long)lastPg);
    }
    return FAKT_OK;
  }
  if( h.flags!=P_BRANCH && h.flags!=P_LEAF && h.flags!=(P_LEAF|P_LEAF2) ){
    return bad(&w, at, "flags 0x%x: not a branch, leaf or overflow page", h.flags);
  }
  rc = checkBounds(&w, at, psize, &h, 0, &nKey);
  if( rc || (h.flags & P_LEAF2) ) return rc;
  for(i=0; i<nKey; i++){
    PcNode nd;
    size_t off;
    rc = nodeAt(&w, at, p, psize, &h, i, &nd, &off);
    if( rc ) return rc;
    if( h.flags==P_LEAF ){
      rc = leafAlone(&w, at, p + off, psize - off, i, &nd);
    }else{
      uint64_t child = childOf(&nd);
      if( child<2 || child>lastPg ){
        rc = bad(&w, at, "node %d: child page %llu is out of range (2..%llu)", i,
                 (unsigned long long)child, (unsigned long long)lastPg);
      }
    }
    if( rc ) return rc;
  }
  return FAKT_OK;
}

/* Page p (pgno) at level iLevel of a tree of depth nDepth whose leaves
** hold nFixed-byte P_LEAF2 values (0: nodes). */
static int levelCheck(Walk *w, const uint8_t *p, uint64_t pgno, unsigned iLevel, unsigned nDepth, uint32_t nFixed){
  Where at;
  PcPage h;
  int nKey;
  uint16_t want = iLevel<nDepth ? P_BRANCH : nFixed ? (P_LEAF|P_LEAF2) : P_LEAF;
  at.pgno = pgno;
  at.iSub = -1;
  memcpy(&h, p, sizeof(h));
  if( iLevel>nDepth ) return bad(w, at, "a page at level %u of a tree of depth %u", iLevel, nDepth);
  if( h.flags!=want ){
    int bBranch = h.flags==P_BRANCH;
    return bad(w, at, "a %s page at level %u of a tree of depth %u", bBranch ? "branch" : "leaf",
               iLevel, nDepth);
  }
  if( nFixed>MAX_KEY ) return bad(w, at, "values of %u bytes", nFixed);
  return nFixed ? checkBounds(w, at, w->psize, &h, nFixed, &nKey) : FAKT_OK;
}

int faktPageGuardCheck(void *pCtx, int eKind, const void *p, size_t pgno, size_t a, size_t b){
  FaktPageGuard *g = pCtx;
  /* The two calls every page read makes, first and without any set-up:
  ** a page checked before, and a page of the kind its level wants (the
  ** messages are only built when something is wrong). */
  if( eKind==FAKT_PC_PAGE ){
    _Atomic uint64_t *pWord = guardWord(g, pgno);
    if( pWord && (atomic_load_explicit(pWord, memory_order_relaxed) & ((uint64_t)1 << (pgno & 63))) ) return 0;
  }else if( eKind==FAKT_PC_LEVEL && (b>>16)==0 ){
    unsigned iLevel = (unsigned)a, nDepth = (unsigned)(b & 0xffff);
    uint16_t flags;
    memcpy(&flags, (const uint8_t*)p + offsetof(PcPage, flags), sizeof(flags));
    if( iLevel<=nDepth && flags==(iLevel<nDepth ? P_BRANCH : P_LEAF) ) return 0;
  }
  char zWhy[256];
  Walk w;
  Where at;
  int rc = FAKT_OK;
  zWhy[0] = 0;
  memset(&w, 0, sizeof(w));
  w.psize = g->psize;
  w.zErr = zWhy;
  w.nErr = sizeof(zWhy);
  at.pgno = pgno;
  at.iSub = -1;
  switch( eKind ){
    case FAKT_PC_PAGE: {
      _Atomic uint64_t *pWord = guardWord(g, pgno);
      uint64_t m = (uint64_t)1 << (pgno & 63);
      if( pWord && (atomic_load_explicit(pWord, memory_order_relaxed) & m) ) return 0;
      atomic_fetch_add(&g->nChecked, 1);
      rc = faktPageCheckOne(p, pgno, g->psize, a, zWhy, sizeof(zWhy));
      if( rc==FAKT_OK && pWord ) atomic_fetch_or_explicit(pWord, m, memory_order_relaxed);
      break;
    }
    case FAKT_PC_LEVEL:
      rc = levelCheck(&w, p, pgno, (unsigned)a, (unsigned)(b & 0xffff), (uint32_t)(b >> 16));
      break;
    case FAKT_PC_OVER: {
      uint64_t nPages = get32((const uint8_t*)p + offsetof(PcPage, lower));
      uint64_t nNeed = (PAGEHDR - 1 + (uint64_t)a)/g->psize + 1;
      if( ((const PcPage*)p)->flags!=P_OVERFLOW ){
        rc = bad(&w, at, "not an overflow page (flags 0x%x)", ((const PcPage*)p)->flags);
      }else if( nPages<nNeed ){
        rc = bad(&w, at, "overflow run of %llu pages does not hold %zu bytes", (unsigned long long)nPages, a);
      }
      break;
    }
    case FAKT_PC_FREE: {
      const uint8_t *pRec = p;
      uint64_t nId, k, pg, prev = 0;
      if( a<PGNO_SZ || a%PGNO_SZ ){ rc = bad(&w, at, "a free-list record of %zu bytes", a); break; }
      nId = getPgno(pRec);
      if( nId!=a/PGNO_SZ - 1 ){
        rc = bad(&w, at, "free-list record counts %llu pages but holds %zu", (unsigned long long)nId, a/PGNO_SZ - 1);
        break;
      }
      for(k=1; k<=nId && rc==FAKT_OK; k++){
        pg = getPgno(pRec + k*PGNO_SZ);
        if( pg<2 || pg>b ){
          rc = bad(&w, at, "free page %llu is out of range (2..%llu)", (unsigned long long)pg, (unsigned long long)b);
        }else if( k>1 && pg>=prev ){
          rc = bad(&w, at, "free-list record is not in order");
        }
        prev = pg;
      }
      break;
    }
    default: rc = bad(&w, at, "unknown check %d", eKind); break;
  }
  if( rc ) return guardFail(g, zWhy);
  return 0;
}
