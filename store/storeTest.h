/*
** storeTest.h -- raw access to the store's tables by name, for tests that
** read or damage a database on purpose (store/rawtab.c). The engine never
** includes it: it reads the side tables through store.h's typed scans.
*/
#ifndef FAKT_STORETEST_H
#define FAKT_STORETEST_H

#include "store.h"

/* A prefix cursor over any table by name ("meta", "s2i", "i2s", "obj",
** "spo", "pos", "osp", "alias", "srcc", "prop", "fts", "geo", "stat",
** "rule", "txlog", "text"): key/value views, valid until the next call.
** FAKT_MISUSE ("no such table") for another name. Close it with
** faktCursorClose. */
int  faktAuxOpen(StoreTxn *t, const char *zDb, const uint8_t *aPrefix, int nPrefix, StoreCursor **pp);
int  faktAuxNext(StoreCursor *c, const uint8_t **paKey, int *pnKey, const uint8_t **paVal, int *pnVal);
/* Put/delete in a table by name (write txn), as any write of the store. */
int  faktAuxPut(StoreTxn *t, const char *zDb, const uint8_t *aKey, int nKey, const uint8_t *aVal, int nVal);
int  faktAuxDel(StoreTxn *t, const char *zDb, const uint8_t *aKey, int nKey);

#endif /* FAKT_STORETEST_H */
