/*
** scratch.h -- a scratch directory for the load tests (unit_load.c,
** unit_loadfast.c): files written there, databases opened there in gDb
** (check.h's handle), the directory removed at the end.
*/
#ifndef FAKT_TEST_SCRATCH_H
#define FAKT_TEST_SCRATCH_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fakt.h"
#include "check.h"

static char zDir[64];        /* scratch directory */

/* Make the scratch directory /tmp/fakt_unit_NAME_XXXXXX; 0 on success. */
static int scratchInit(const char *zName){
  snprintf(zDir, sizeof(zDir), "/tmp/fakt_unit_%s_XXXXXX", zName);
  if( mkdtemp(zDir)==NULL ){ perror("mkdtemp"); return 1; }
  return 0;
}

/* Close gDb and remove the scratch directory. */
static void scratchDone(void){
  char zCmd[128];
  fakt_close(gDb);
  gDb = NULL;
  snprintf(zCmd, sizeof(zCmd), "rm -rf %s", zDir);
  if( system(zCmd)!=0 ) printf("  (could not remove %s)\n", zDir);
}

/* Path of zName in the scratch directory (static buffer per slot). */
static const char *path(int iSlot, const char *zName){
  static char az[4][256];
  snprintf(az[iSlot], sizeof(az[iSlot]), "%s/%s", zDir, zName);
  return az[iSlot];
}

/* A fresh database zName in the scratch directory, open in gDb. */
static int openFresh(const char *zName){
  char z[300];
  snprintf(z, sizeof(z), "%s", path(0, zName));
  unlink(z);
  strcat(z, "-lock");
  unlink(z);
  fakt_close(gDb);
  gDb = NULL;
  return fakt_open(path(0, zName), FAKT_OPEN_READWRITE|FAKT_OPEN_CREATE, &gDb);
}

/* Write zText to file zName of the scratch directory; 0 on success. */
static int writeFile(const char *zName, const char *zText){
  FILE *f = fopen(path(1, zName), "w");
  if( f==NULL ) return 1;
  fputs(zText, f);
  return fclose(f)!=0;
}

#endif
