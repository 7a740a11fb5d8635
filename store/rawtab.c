/*
** rawtab.c -- raw access to the tables by name (storeTest.h), for tests
** that read or damage a database on purpose; the engine uses the typed
** functions of store.h instead. It calls kv.c and txn.c.
*/
#include <string.h>
#include "storeInt.h"
#include "storeTest.h"

/* The DB_* of table zDb, or -1 with the message "no such table". */
static int dbIndex(FaktStore *s, const char *zDb){
  int i;
  if( zDb ){
    for(i=0; i<DB_COUNT; i++){
      if( strcmp(faktKvDbName[i], zDb)==0 ) return i;
    }
  }
  faktKvSetErr(s, "no such table: %s", zDb ? zDb : "(null)");
  return -1;
}

int faktAuxOpen(StoreTxn *t, const char *zDb, const uint8_t *aPrefix, int nPrefix, StoreCursor **pp){
  int iDb;
  *pp = NULL;
  if( t==NULL ) return FAKT_MISUSE;
  iDb = dbIndex(t->s, zDb);
  if( iDb<0 ) return FAKT_MISUSE;
  return faktTxnCursor(t, iDb, aPrefix, nPrefix, pp);
}

int faktAuxNext(StoreCursor *c, const uint8_t **paKey, int *pnKey, const uint8_t **paVal, int *pnVal){
  KvVal k, v;
  int rc;
  if( c==NULL || !c->bInUse ) return FAKT_MISUSE;
  rc = faktKvCursorStep(c, &k, &v);
  if( rc!=FAKT_ROW ) return rc;
  if( paKey ) *paKey = (const uint8_t*)k.p;
  if( pnKey ) *pnKey = (int)k.n;
  if( paVal ) *paVal = (const uint8_t*)v.p;
  if( pnVal ) *pnVal = (int)v.n;
  return FAKT_ROW;
}

int faktAuxPut(StoreTxn *t, const char *zDb, const uint8_t *aKey, int nKey, const uint8_t *aVal, int nVal){
  int iDb;
  if( t==NULL || nKey<=0 || nVal<0 ) return FAKT_MISUSE;
  iDb = dbIndex(t->s, zDb);
  if( iDb<0 ) return FAKT_MISUSE;
  return faktTxnPut(t, iDb, aKey, (size_t)nKey, aVal, (size_t)nVal, 0);
}

int faktAuxDel(StoreTxn *t, const char *zDb, const uint8_t *aKey, int nKey){
  int iDb;
  if( t==NULL || nKey<=0 ) return FAKT_MISUSE;
  iDb = dbIndex(t->s, zDb);
  if( iDb<0 ) return FAKT_MISUSE;
  return faktTxnDel(t, iDb, aKey, (size_t)nKey);
}
