/*
** pagecheck.h -- a structural check of an LMDB 0.9 data file, made without
** liblmdb (store/pagecheck.c). The store runs it before LMDB maps a file, so
** that a damaged page is reported instead of followed.
*/
#ifndef FAKT_PAGECHECK_H
#define FAKT_PAGECHECK_H

#include <stddef.h>
#include <stdint.h>

/*
** Walk every B-tree of the LMDB file zPath from its current meta page: the
** free list, the main database, each named database in it and each
** sorted-duplicate sub-tree or sub-page, checking every page's header,
** node offsets, key and data sizes, child and overflow page numbers, tree
** depths and record counts, and that no page is reached twice (a file of
** 64 MiB or more by two threads; see pagecheck.c). Reads the
** file through a private read-only map of its committed length, so a
** damaged file never faults. If a writer commits during the walk and the
** walk failed, the walk is repeated on the new snapshot (a few times).
**
** Returns FAKT_OK; FAKT_CORRUPT with "page N: what is wrong" in zErr;
** FAKT_NOTADB if page 0 is not an LMDB meta page; FAKT_BUSY if the file kept
** changing under every attempt (nothing is known then); FAKT_CANTOPEN,
** FAKT_PERM, FAKT_IOERR or FAKT_NOMEM. zErr (nErr bytes, may be NULL when
** nErr is 0) always holds a NUL-terminated message, "" on success.
*/
int faktPageCheck(const char *zPath, char *zErr, size_t nErr);

/*
** faktPageCheck, with the size from which the named databases are walked
** by two threads given: a file of nParMin pages or more is (faktPageCheck
** uses 16,384 pages). 0 walks every file so, UINT64_MAX none. The verdict
** and the message do not depend on it. For tests.
*/
int faktPageCheckPar(const char *zPath, char *zErr, size_t nErr, uint64_t nParMin);

/*
** faktPageCheck through pMap (nMap bytes), LMDB's read-only map of the same
** file, when it covers the snapshot walked (else through a map of its own,
** as faktPageCheck): the pages the walk reads are then left mapped, and
** the queries that follow do not fault on them. Before LMDB reads any page
** but the meta pages, faktPageMainLeaf says whether the current snapshot's
** main database is one leaf whose first node lies inside it (1, with its
** page number and the page size), so that LMDB may read that node to give
** away where its map lies (0: use faktPageCheck before LMDB opens).
*/
int faktPageCheckIn(const char *zPath, const void *pMap, size_t nMap, char *zErr, size_t nErr);
int faktPageMainLeaf(const char *zPath, uint64_t *pRoot, uint32_t *pPsize);

/*
** One path down a tree, for records.c's prefetch of claim records
** (faktObjLeaf), read with the same mirrors of LMDB's structures as the
** walk. None of them checks more than that what it reads lies inside the
** pages given: their answers are hints.
**   faktPageDbRoot: the root page of a named database from its MDB_db
**     record (the main database's value for its name); 0 if there is none.
**   faktPageNo: the number a page records for itself (mp_pgno).
**   faktPageIntLeaf: the leaf of an MDB_INTEGERKEY tree (4-byte keys) that
**     would hold key, found from page root through the branch pages of
**     pMap (nPage pages of szPage bytes); NULL when a page is not a branch
**     or leaf page or points outside.
*/
int faktPageDbRoot(const void *pRec, size_t nRec, uint64_t *pRoot);
uint64_t faktPageNo(const void *pPage);
const void *faktPageIntLeaf(const uint8_t *pMap, uint64_t nPage, size_t szPage, uint64_t root, uint32_t key);

/*
** Pages checked as LMDB reads them (LMDB built with store/lmdb.patch):
** the guard of one environment. faktPageGuardCheck is its
** MDB_pagecheck_func (ctx = the guard); eKind is one of FAKT_PC_* (the
** values of lmdb.h's MDB_PC_*). A page passes FAKT_PC_PAGE once: a bitmap
** of 64 KiB chunks, made as pages are first read, remembers it for the
** environment's life. Non-zero when something is wrong; the message
** "page N: what" is then kept for faktPageGuardWhy (1 if there is one),
** which with bTake clears it.
** faktPageGuardCount: pages checked so far (each once). faktPageCheckOne:
** the checks of one page by itself, the last page of the snapshot given.
*/
#define FAKT_PC_PAGE  0
#define FAKT_PC_LEVEL 1
#define FAKT_PC_OVER  2
#define FAKT_PC_FREE  3
typedef struct FaktPageGuard FaktPageGuard;
FaktPageGuard *faktPageGuardNew(uint32_t psize, uint64_t nMapMax);
void faktPageGuardFree(FaktPageGuard *g);
int faktPageGuardCheck(void *pCtx, int eKind, const void *p, size_t pgno, size_t a, size_t b);
int faktPageGuardWhy(FaktPageGuard *g, char *z, size_t n, int bTake);
uint64_t faktPageGuardCount(FaktPageGuard *g);
int faktPageCheckOne(const void *pPage, uint64_t pgno, uint32_t psize, uint64_t lastPg, char *zErr, size_t nErr);

#endif
