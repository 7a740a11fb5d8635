/*
** vacuum.c -- .vacuum (faktStoreVacuum): a rebuilt, compact copy of the
** last committed state, written beside its new name and linked there once
** it is complete. It owns the files (the temporary, its lock, the link,
** the directory's sync); the copy itself is kv.c's (faktKvCopy). It calls
** kv.c only.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "storeInt.h"

/* Make the rename of a file in zPath's directory durable. */
static void syncDir(const char *zPath){
  char zDir[4096];
  const char *zSlash = strrchr(zPath, '/');
  size_t n = zSlash==NULL ? 0 : zSlash==zPath ? 1 : (size_t)(zSlash - zPath);
  int fd;
  if( n>=sizeof(zDir) ) return;
  if( n ) memcpy(zDir, zPath, n); else zDir[n++] = '.';
  zDir[n] = 0;
  fd = open(zDir, O_RDONLY | O_CLOEXEC);
  if( fd>=0 ){ fsync(fd); close(fd); }
}

/* Make and lock the temporary zTmp of a vacuum into zInto: *pFd, emptied
** of what a killed vacuum left. */
static int vacuumTemp(FaktStore *s, const char *zInto, const char *zTmp, int *pFd){
  int fd = open(zTmp, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  *pFd = -1;
  if( fd<0 ){
    faktKvSetErr(s, "cannot vacuum into %s: cannot create %s: %s", zInto, zTmp, strerror(errno));
    return errno==EACCES ? FAKT_PERM : FAKT_CANTOPEN;
  }
  if( flock(fd, LOCK_EX | LOCK_NB) ){
    faktKvSetErr(s, "cannot vacuum into %s: another vacuum into it is running", zInto);
    close(fd);
    return FAKT_BUSY;
  }
  if( ftruncate(fd, 0) ){              /* what a killed vacuum left */
    faktKvSetErr(s, "cannot vacuum into %s: cannot empty %s: %s", zInto, zTmp, strerror(errno));
    close(fd);
    unlink(zTmp);
    return FAKT_IOERR;
  }
  *pFd = fd;
  return FAKT_OK;
}

/* Give the complete copy zTmp its name zInto, which must not exist. */
static int vacuumLink(FaktStore *s, const char *zTmp, const char *zInto){
  struct stat st;
  if( link(zTmp, zInto) ){
    int e = errno;
    /* a file system without hard links: rename, having looked first */
    if( e!=EEXIST && stat(zInto, &st)!=0 && rename(zTmp, zInto)==0 ) e = 0;
    if( e ){
      if( e==EEXIST ) faktKvSetErr(s, "cannot vacuum into %s: the file exists", zInto);
      else faktKvSetErr(s, "cannot vacuum into %s: %s", zInto, strerror(e));
      unlink(zTmp);
      return FAKT_CANTOPEN;
    }
  }else{
    unlink(zTmp);
  }
  return FAKT_OK;
}

/*
** Write the last committed state of s to the new file zInto, rebuilt: every
** table is read in key order and written with MDB_APPEND, so the copy has
** no free pages and its leaf pages are full (pages that took random inserts
** are about two thirds full, and a long load leaves freed copy-on-write
** pages behind). s stays open and usable; zInto must not exist. On failure
** nothing is left at zInto.
**
** The copy is written to zInto-vacuum beside zInto (locked with flock, so
** two vacuums into one name do not mix; a stale one, left by a killed
** vacuum, is emptied and reused) and gets the meta record "magic" only in
** its last transaction: until then fakt refuses it as "not a fakt
** database". After an fsync it is linked to zInto, which must not exist
** (link, unlike rename, never replaces a file made meanwhile), and the
** temporary name is removed.
*/
int faktStoreVacuum(FaktStore *s, const char *zInto){
  struct stat st;
  char zTmp[4096];
  int rc, fd = -1;
  if( s==NULL || zInto==NULL || zInto[0]==0 ) return FAKT_MISUSE;
  if( snprintf(zTmp, sizeof(zTmp), "%s-vacuum", zInto)>=(int)sizeof(zTmp) ){
    faktKvSetErr(s, "cannot vacuum: file name too long");
    return FAKT_CANTOPEN;
  }
  if( stat(zInto, &st)==0 ){
    faktKvSetErr(s, "cannot vacuum into %s: the file exists", zInto);
    return FAKT_CANTOPEN;
  }
  rc = vacuumTemp(s, zInto, zTmp, &fd);
  if( rc ) return rc;
  rc = faktKvCopy(s, zTmp, DB_META, "magic");
  if( rc==FAKT_OK ) rc = vacuumLink(s, zTmp, zInto);
  else unlink(zTmp);
  if( rc==FAKT_OK ) syncDir(zInto);
  close(fd);
  return rc;
}
