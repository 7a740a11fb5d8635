/*
** dot.c -- the dot-commands.
*/
#include "shell.h"

/* ==================================================================== */
/* Dot-commands                                                          */
/* ==================================================================== */


static int onOff(Shell *p, const char *z, int *pb){
  if( strcmp(z,"on")==0 || strcmp(z,"1")==0 || strcmp(z,"yes")==0 ){ *pb = 1; return 0; }
  if( strcmp(z,"off")==0 || strcmp(z,"0")==0 || strcmp(z,"no")==0 ){ *pb = 0; return 0; }
  dotErr(p, "expected on or off, not \"%s\"", z);
  return 1;
}

int parseMode(const char *z, Mode *pm){
  int i;
  for(i=0; i<N_MODE; i++){
    if( strcmp(z, azModeName[i])==0 ){ *pm = (Mode)i; return 0; }
  }
  return 1;
}

/* Close p->db (if open). A transaction left open is rolled back by
** fakt_close(): say so on stderr and count it as a failure, so that a
** script, .quit, .open or Ctrl-D inside begin ... never loses work
** silently. */
void closeDb(Shell *p){
  if( p->db==0 ) return;
  if( fakt_in_transaction(p->db) ){
    fprintf(stderr, "fakt: %s: the open transaction was rolled back (no commit)\n",
            p->zDbPath);
    p->nErr++;
  }
  if( fakt_close(p->db)!=FAKT_OK ){
    fprintf(stderr, "fakt: closing \"%s\": %s\n", p->zDbPath, fakt_errmsg(p->db));
    p->nErr++;
  }
  p->db = 0;
}

/* 1 if the directory that would hold file zPath exists: only then can a
** missing zPath wait to be created (Shell.bPending); otherwise fakt_open()
** tells at once that it cannot be. */
static int dirExists(const char *zPath){
  const char *zSlash = strrchr(zPath, '/');
  struct stat st;
  char *zDir;
  int rc;
  if( zSlash==0 ) return 1;
  zDir = xstrndup(zPath, zSlash==zPath ? 1 : (size_t)(zSlash-zPath));
  rc = stat(zDir, &st)==0 && S_ISDIR(st.st_mode);
  free(zDir);
  return rc;
}

/* The shell's settings on a handle it opened: .timeout, .mapped, .limit
** and the progress line. */
static void dbSettings(Shell *p, fakt *db){
  if( p->nBusyMs>=0 ) fakt_busy_timeout(db, p->nBusyMs);
  if( p->nMapped>=0 ) fakt_set_mapped(db, p->nMapped);
  fakt_limits(db, p->aLimit[0], p->aLimit[1], p->aLimit[2]);
  dbProgress(p, db);
}

/* Open zPath into p (closing what was open). Returns 0 or 1 (error shown). */
int openDb(Shell *p, const char *zPath, int flags){
  fakt *db = 0;
  struct stat st;
  int bPending = (flags & FAKT_OPEN_CREATE)!=0 && zPath[0] && strcmp(zPath, ":memory:")!=0
              && stat(zPath, &st)!=0 && errno==ENOENT && dirExists(zPath);
  int rc = fakt_open(bPending ? ":memory:" : zPath, flags, &db);
  if( rc==FAKT_MISUSE && p->db && db && strstr(fakt_errmsg(db), "already open in this process") ){
    /* .open of the file that is open (by this or another name): a process
    ** has one handle per file, so close it first, then open it anew (or,
    ** should that fail, the old one again) */
    char *zOld = xstrdup(p->zDbPath);
    int oldFlags = p->bReadonly ? FAKT_OPEN_READONLY : FAKT_OPEN_READWRITE|FAKT_OPEN_CREATE;
    fakt_close(db);
    db = 0;
    closeDb(p);
    rc = fakt_open(zPath, flags, &db);
    if( rc!=FAKT_OK ){
      fakt *dbOld = 0;
      if( fakt_open(zOld, oldFlags, &dbOld)==FAKT_OK ){
        p->db = dbOld;
        dbSettings(p, dbOld);
      }else{
        fakt_close(dbOld);
      }
    }
    free(zOld);
  }
  if( rc!=FAKT_OK ){
    const char *zWhy = db ? fakt_errmsg(db) : fakt_errstr(rc);
    if( p->pIn ) dotErr(p, "cannot open \"%s\": %s", zPath, zWhy);
    else fprintf(stderr, "fakt: cannot open \"%s\": %s\n", zPath, zWhy);
    fakt_close(db);
    return 1;
  }
  closeDb(p);
  free(p->zDbPath);
  p->db = db;
  dbSettings(p, db);
  p->zDbPath = xstrdup(zPath);
  p->bReadonly = (flags & FAKT_OPEN_READONLY)!=0;
  p->bPending = bPending;
  p->bCompValid = 0;
  return 0;
}

/* The database p->zDbPath did not exist when it was opened: create it now,
** for a statement that writes. Returns 0, or 1 with the error shown. */
int pendingCreate(Shell *p){
  fakt *db = 0;
  int rc = fakt_open(p->zDbPath, FAKT_OPEN_READWRITE|FAKT_OPEN_CREATE, &db);
  if( rc!=FAKT_OK ){
    const char *zWhy = db ? fakt_errmsg(db) : fakt_errstr(rc);
    dotErr(p, "cannot create \"%s\": %s", p->zDbPath, zWhy);
    fakt_close(db);
    return 1;
  }
  fakt_close(p->db);           /* the stand-in: nothing was written to it */
  p->db = db;
  dbSettings(p, db);
  p->bPending = 0;
  p->bCompValid = 0;
  return 0;
}

static int cmdHelp(Shell *p, int nArg, char **azArg);

static int cmdQuit(Shell *p, int nArg, char **azArg){
  (void)nArg; (void)azArg;
  p->bQuit = 1;
  return 0;
}

static int cmdMode(Shell *p, int nArg, char **azArg){
  if( nArg<2 ){ fprintf(p->out, "%s\n", azModeName[p->mode]); return 0; }
  if( parseMode(azArg[1], &p->mode) ){
    dotErr(p, "unknown mode \"%s\": use " MODE_NAMES, azArg[1]);
    return 1;
  }
  return 0;
}

static int cmdHeaders(Shell *p, int nArg, char **azArg){
  (void)nArg;
  return onOff(p, azArg[1], &p->bHeaders);
}
static int cmdTimer(Shell *p, int nArg, char **azArg){
  (void)nArg;
  return onOff(p, azArg[1], &p->bTimer);
}
static int cmdExplain(Shell *p, int nArg, char **azArg){
  (void)nArg;
  return onOff(p, azArg[1], &p->bExplain);
}
static int cmdBail(Shell *p, int nArg, char **azArg){
  (void)nArg;
  return onOff(p, azArg[1], &p->bBail);
}

/* Parse a width for --width or .width: N columns, 0 (no limit) or "auto".
** Returns -1 (auto), the width, or -2 if z is neither. */
int parseWidth(const char *z){
  char *zEnd;
  long n;
  if( strcmp(z, "auto")==0 ) return -1;
  n = strtol(z, &zEnd, 10);
  if( *zEnd || n<0 || n>100000 || zEnd==z ) return -2;
  return (int)(n==1 ? 2 : n);     /* one column would hold only the "…" */
}

static int cmdWidth(Shell *p, int nArg, char **azArg){
  int n;
  if( nArg<2 ){
    fprintf(p->out, "%d%s\n", cellMax(p), p->nWidth<0 ? " (auto)" : "");
    return 0;
  }
  n = parseWidth(azArg[1]);
  if( n==-2 ){
    dotErr(p, ".width wants a number of columns (0: no limit) or auto");
    return 1;
  }
  p->nWidth = n;
  return 0;
}

/* .timeout [MS]: how long a write waits for another process's write. */
static int cmdTimeout(Shell *p, int nArg, char **azArg){
  char *zEnd;
  long n;
  if( nArg<2 ){ fprintf(p->out, "%d\n", p->nBusyMs<0 ? 5000 : p->nBusyMs); return 0; }
  n = strtol(azArg[1], &zEnd, 10);
  if( *zEnd || zEnd==azArg[1] || n<0 || n>INT32_MAX ){
    dotErr(p, ".timeout wants milliseconds (0: fail at once)");
    return 1;
  }
  p->nBusyMs = (int)n;
  if( p->db ) fakt_busy_timeout(p->db, p->nBusyMs);
  return 0;
}

/* The .mapped limit in bytes (the library's default until it is set). */
static int64_t mappedBytes(const Shell *p){
  return p->nMapped<0 ? (int64_t)256<<20 : p->nMapped;
}

/* The .mapped limit as .show writes it: "256 MiB" (in the largest binary
** unit it is a whole number of), "3000 bytes", "0 (no limit)". */
static void mappedText(const Shell *p, char *z, size_t nZ){
  static const char *const azUnit[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
  int64_t n = mappedBytes(p);
  int i = 0;
  if( n==0 ){ snprintf(z, nZ, "0 (no limit)"); return; }
  while( i<4 && n%1024==0 ){ n /= 1024; i++; }
  snprintf(z, nZ, "%lld %s", (long long)n, azUnit[i]);
}

/* .mapped [SIZE]: about how much of the file the reads leave mapped
** (fakt_set_mapped); SIZE in bytes, or with K, M or G (KiB, MiB, GiB). */
static int cmdMapped(Shell *p, int nArg, char **azArg){
  char z[40];
  if( nArg>=2 ){
    char *zEnd;
    long long n;
    int nShift = 0;
    errno = 0;
    n = strtoll(azArg[1], &zEnd, 10);
    if( zEnd!=azArg[1] && zEnd[0] && zEnd[1]==0 ){
      switch( zEnd[0] ){
        case 'k': case 'K': nShift = 10; zEnd++; break;
        case 'm': case 'M': nShift = 20; zEnd++; break;
        case 'g': case 'G': nShift = 30; zEnd++; break;
      }
    }
    if( *zEnd || zEnd==azArg[1] || n<0 || errno || n > (LLONG_MAX>>nShift) ){
      dotErr(p, ".mapped wants a size: bytes, or a number and K, M or G (0: no limit)");
      return 1;
    }
    p->nMapped = (int64_t)n << nShift;
    if( p->db && fakt_set_mapped(p->db, p->nMapped)!=FAKT_OK ){
      dotErr(p, "%s", fakt_errmsg(p->db));
      return 1;
    }
    return 0;
  }
  mappedText(p, z, sizeof(z));
  if( p->nMapped==0 ) fprintf(p->out, "%s\n", z);
  else fprintf(p->out, "%lld (%s)\n", (long long)mappedBytes(p), z);
  return 0;
}

static int cmdChanges(Shell *p, int nArg, char **azArg){
  if( nArg>=2 ) return onOff(p, azArg[1], &p->bChanges);
  fprintf(p->out, "changes: %lld, last transaction: %lld\n",
         (long long)fakt_changes(p->db), (long long)fakt_last_tx(p->db));
  return 0;
}

static int cmdCheck(Shell *p, int nArg, char **azArg){
  char *zReport = 0;
  int rc = fakt_check(p->db, &zReport);
  (void)nArg; (void)azArg;
  if( zReport ) fprintf(p->out, "%s\n", zReport);
  else if( rc!=FAKT_OK ) dotErr(p, "%s", fakt_errmsg(p->db));
  fakt_free(zReport);
  return rc!=FAKT_OK;
}

/* .vacuum FILE: a compact copy of the database in the new FILE. */
static int cmdVacuum(Shell *p, int nArg, char **azArg){
  (void)nArg;
  if( fakt_vacuum_into(p->db, azArg[1])!=FAKT_OK ){
    dotErr(p, "%s", fakt_errmsg(p->db));
    return 1;
  }
  return 0;
}

/* .backup FILE: an online, consistent copy (a read replica) in the new FILE. */
static int cmdBackup(Shell *p, int nArg, char **azArg){
  (void)nArg;
  if( fakt_backup(p->db, azArg[1])!=FAKT_OK ){
    dotErr(p, "%s", fakt_errmsg(p->db));
    return 1;
  }
  return 0;
}

/* Progress of .import on a terminal: rows so far, on one line of stderr. */
static void importProgress(void *pArg, int64_t nRows, int64_t nSkipped){
  (void)pArg;
  fprintf(stderr, "\r%lld rows, %lld skipped", (long long)nRows, (long long)nSkipped);
  fflush(stderr);
}

/* .import FORMAT PATH: jsonl FILE, csv DIR or geonames FILE, one transaction. */
static int cmdImport(Shell *p, int nArg, char **azArg){
  int64_t nRows = 0, nSkipped = 0;
  char *zErr = 0;
  int bTty = isatty(2), rc;
  (void)nArg;
  pInterruptDb = p->db;            /* Ctrl-C stops the import: nothing stored */
  rc = fakt_import(p->db, azArg[1], azArg[2], bTty ? importProgress : 0, 0,
                   &nRows, &nSkipped, &zErr);
  pInterruptDb = 0;
  if( bTty ) fputs("\r\033[K", stderr);
  if( rc!=FAKT_OK ){
    dotErr(p, "%s", zErr ? zErr : fakt_errstr(rc));
    fakt_free(zErr);
    return 1;
  }
  fprintf(p->out, "%lld rows, %lld skipped\n", (long long)nRows, (long long)nSkipped);
  return 0;
}

/* .export FORMAT PATH, .export dot ENTITY FILE, .export geojson FILE [ENTITY]. */
static int cmdExport(Shell *p, int nArg, char **azArg){
  const char *zPath = azArg[2], *zArg = nArg>3 ? azArg[3] : 0;
  char *zErr = 0;
  int rc;
  if( strcmp(azArg[1], "dot")==0 ){
    if( nArg!=4 ){ dotErr(p, "usage: .export dot ENTITY FILE"); return 1; }
    zArg = azArg[2];
    zPath = azArg[3];
  }else if( nArg>4 || (nArg>3 && strcmp(azArg[1], "csv")==0) ){
    dotErr(p, "usage: .export nquads|jsonl FILE [\"QUERY\"], .export geojson FILE [ENTITY], .export csv DIR, .export sql FILE, .export dot ENTITY FILE");
    return 1;
  }
  rc = fakt_export(p->db, azArg[1], zPath, zArg, &zErr);
  if( rc!=FAKT_OK ){
    dotErr(p, "%s", zErr ? zErr : fakt_errstr(rc));
    fakt_free(zErr);
    return 1;
  }
  return 0;
}

static int cmdOpen(Shell *p, int nArg, char **azArg){
  int flags = FAKT_OPEN_READWRITE|FAKT_OPEN_CREATE;
  const char *zPath = 0;
  int i;
  for(i=1; i<nArg; i++){
    if( strcmp(azArg[i], "--readonly")==0 ) flags = FAKT_OPEN_READONLY;
    else if( zPath==0 ) zPath = azArg[i];
    else { dotErr(p, "usage: .open [--readonly] DB"); return 1; }
  }
  if( zPath==0 ){ dotErr(p, "usage: .open [--readonly] DB"); return 1; }
  return openDb(p, zPath, flags);
}

/* .read FILE: relative names are taken from the directory of the script
** that contains the command, as for `load`. */
static int cmdRead(Shell *p, int nArg, char **azArg, Input *pParent){
  Input in;
  Buf path = {0};
  int nErr0 = p->nErr, rc;
  (void)nArg;
  if( p->nDepth>=MAX_READ_DEPTH ){
    dotErr(p, ".read nested too deeply");
    return 1;
  }
  if( azArg[1][0]!='/' && pParent->zOrigin && strrchr(pParent->zOrigin, '/') ){
    const char *zSlash = strrchr(pParent->zOrigin, '/');
    bufAppend(&path, pParent->zOrigin, (size_t)(zSlash-pParent->zOrigin)+1);
  }
  bufPuts(&path, azArg[1]);
  memset(&in, 0, sizeof(in));
  in.zName = path.z;
  in.zOrigin = path.z;
  in.in = fopen(path.z, "rb");
  if( in.in==0 ){
    dotErr(p, "cannot open \"%s\": %s", path.z, strerror(errno));
    bufFree(&path);
    return 1;
  }
  p->nDepth++;
  processInput(p, &in);
  p->nDepth--;
  fclose(in.in);
  bufFree(&path);
  rc = p->nErr>nErr0;
  p->nErr = nErr0;     /* the caller counts the .read as one failure */
  return rc;
}

/* Look up zKey in the parallel lists az/n, -1 if absent. */
static int findIn(char **az, int n, const char *zKey){
  int i;
  for(i=0; i<n; i++) if( strcmp(az[i], zKey)==0 ) return i;
  return -1;
}

static int cmdSchema(Shell *p, int nArg, char **azArg){
  char **azP = 0, **azN = 0, **azDecl = 0, **azSingle = 0;
  char **azTP = 0, **azT = 0, **azDP = 0, **azD = 0, **azR = 0, **azRT = 0;
  int nP = 0, nDecl = 0, nSingle = 0, nT = 0, nD = 0, nR = 0, i, rc, bSingle;
  (void)nArg; (void)azArg;
  rc = printQuery(p, "find ?t as type, count(?e) as entities "
                     "where type(?e, ?t) order by ?t;");
  if( rc ) return 1;
  if( collect(p, "find ?p, count(?c) where ?c: ?s ?p ?o order by ?p;",
              &azP, &nP, &azN)!=FAKT_OK ){
    dotErr(p, "%s", fakt_errmsg(p->db));
    freeList(azP, nP);
    freeList(azN, nP);
    return 1;
  }
  /* declared predicates without claims, and the single-valued ones: only
  ** from the built-ins predicate(?p) and single(?p) */
  if( collect(p, "find ?p where predicate(?p);", &azDecl, &nDecl, 0) ){
    nDecl = 0;
  }
  bSingle = collect(p, "find ?p where single(?p);", &azSingle, &nSingle, 0)==FAKT_OK;
  /* each predicate's object type and description (its label) */
  if( collect(p, "find ?p, ?t where objtype(?p, ?t);", &azTP, &nT, &azT) ){
    freeList(azTP, nT); freeList(azT, nT); azTP = azT = 0; nT = 0;
  }
  if( collect(p, "find ?p, label(?p) where predicate(?p);", &azDP, &nD, &azD) ){
    freeList(azDP, nD); freeList(azD, nD); azDP = azD = 0; nD = 0;
  }
  for(i=0; i<nDecl; i++){
    if( findIn(azP, nP, azDecl[i])<0 ){
      azP = xrealloc(azP, sizeof(char*)*(size_t)(nP+1));
      azN = xrealloc(azN, sizeof(char*)*(size_t)(nP+1));
      azP[nP] = xstrdup(azDecl[i]);
      azN[nP] = xstrdup("0");
      nP++;
    }
  }
  {
    static const char *const azName[] = { "predicate", "claims", "single", "type", "doc" };
    Out o;
    outBegin(&o, p, 5, azName);
    for(i=0; i<nP; i++){
      const char *azV[5];
      int aT[5] = { FAKT_ENTITY, FAKT_INTEGER, FAKT_BOOL, FAKT_TEXT, FAKT_TEXT };
      int k;
      azV[0] = azP[i];
      azV[1] = azN[i];
      azV[2] = !bSingle ? 0 : findIn(azSingle, nSingle, azP[i])>=0 ? "true" : "false";
      azV[3] = (k = findIn(azTP, nT, azP[i]))>=0 ? azT[k] : 0;
      azV[4] = (k = findIn(azDP, nD, azP[i]))>=0 ? azD[k] : 0;
      if( azV[2]==0 ) aT[2] = FAKT_NULL;
      if( azV[3]==0 ) aT[3] = FAKT_NULL;
      if( azV[4]==0 ) aT[4] = FAKT_NULL;
      outRow(&o, azV, aT, 0);
    }
    outEnd(&o, FAKT_DONE);
  }
  /* the stored rules, each name with the text of all its alternatives */
  if( collect(p, "find ?r, ?t where rule_text(?r, ?t) order by ?r;", &azR, &nR, &azRT)==FAKT_OK
      && nR>0 ){
    static const char *const azName[] = { "rule", "text" };
    Out o;
    outBegin(&o, p, 2, azName);
    for(i=0; i<nR; i++){
      const char *azV[2];
      int aT[2] = { FAKT_TEXT, FAKT_TEXT };
      azV[0] = azR[i];
      azV[1] = azRT[i];
      outRow(&o, azV, aT, 0);
    }
    outEnd(&o, FAKT_DONE);
  }
  freeList(azTP, nT);
  freeList(azT, nT);
  freeList(azDP, nD);
  freeList(azD, nD);
  freeList(azR, nR);
  freeList(azRT, nR);
  freeList(azP, nP);
  freeList(azN, nP);
  freeList(azDecl, nDecl);
  freeList(azSingle, nSingle);
  return 0;
}

static int cmdSources(Shell *p, int nArg, char **azArg){
  (void)nArg; (void)azArg;
  return printQuery(p, "find ?s as source, ?t as title, ?o as outlet, "
                       "?d as published where title(?s, ?t), "
                       "optional { outlet(?s, ?o) }, optional { published(?s, ?d) } "
                       "order by ?s;");
}

/* One statement with $s bound to the source id zSrc; 1 on an error (shown). */
static int prepareSrc(Shell *p, const char *zQuery, const char *zSrc, fakt_stmt **ppStmt){
  int rc = fakt_prepare(p->db, zQuery, -1, ppStmt, 0);
  if( rc==FAKT_OK ) rc = fakt_bind_entity(*ppStmt, fakt_bind_parameter_index(*ppStmt, "$s"), zSrc);
  if( rc==FAKT_NOTFOUND ){
    dotErr(p, "unknown source \"%s\"", zSrc);
  }else if( rc!=FAKT_OK ){
    dotErr(p, "%s", fakt_errmsg(p->db));
  }
  if( rc!=FAKT_OK ){
    fakt_finalize(*ppStmt);
    *ppStmt = 0;
    return 1;
  }
  return 0;
}

/*
** .coverage SOURCE: the sentences of SOURCE's text (sentence(), SPEC 8.1a)
** that no visible claim of it quotes (no span overlaps them), in text
** order, then "N of M sentences of SOURCE have no claim". What a curator
** has left to do; tests/corpus_paragraphs.py did it by paragraph.
*/
static int cmdCoverage(Shell *p, int nArg, char **azArg){
  static const char zRows[] =
    "find ?b as start, ?e as end, ?t as sentence where sentence($s, ?b, ?e, ?t), "
    "not { source(?c, $s), span(?c, ?x, ?y), ?x < ?e, ?y > ?b } order by ?b;";
  static const char zCount[] =
    "find count() where sentence($s, ?b, ?e, ?t), title($s, ?n);";
  fakt_stmt *pStmt = 0;
  int64_t nAll = 0, nOpen = 0;
  int rc;
  (void)nArg;
  fakt_set_origin(p->db, 0, 1, 1);
  if( prepareSrc(p, zCount, azArg[1], &pStmt) ) return 1;
  rc = fakt_step(pStmt);
  if( rc==FAKT_ROW ) nAll = fakt_column_int64(pStmt, 0);
  fakt_finalize(pStmt);
  if( rc!=FAKT_ROW ){
    dotErr(p, "%s", fakt_errmsg(p->db));
    return 1;
  }
  if( nAll==0 ){
    dotErr(p, "\"%s\" is not a source with a stored text", azArg[1]);
    return 1;
  }
  if( prepareSrc(p, zRows, azArg[1], &pStmt) ) return 1;
  rc = runStmt(p, pStmt);
  fakt_finalize(pStmt);
  if( rc!=FAKT_OK ){
    dotErr(p, "%s", fakt_errmsg(p->db));
    return 1;
  }
  if( prepareSrc(p, "find count() where sentence($s, ?b, ?e, ?t), "
                    "not { source(?c, $s), span(?c, ?x, ?y), ?x < ?e, ?y > ?b };", azArg[1], &pStmt) ) return 1;
  if( fakt_step(pStmt)==FAKT_ROW ) nOpen = fakt_column_int64(pStmt, 0);
  fakt_finalize(pStmt);
  fprintf(p->out, "%lld of %lld sentences of %s have no claim\n", (long long)nOpen, (long long)nAll, azArg[1]);
  return 0;
}

static int cmdEcho(Shell *p, int nArg, char **azArg){
  (void)nArg;
  return onOff(p, azArg[1], &p->bEcho);
}

/* .output [FILE|stdout|'|CMD'] and .once FILE|'|CMD'. */
static int cmdOutput(Shell *p, int nArg, char **azArg){
  return outputSet(p, nArg>1 ? azArg[1] : 0, 0);
}
static int cmdOnce(Shell *p, int nArg, char **azArg){
  (void)nArg;
  if( outputSet(p, azArg[1], 1) ) return 1;
  p->iOnce++;
  return 0;
}

/* .nullvalue TEXT: how null is shown in the text modes (default: empty). */
static int cmdNullvalue(Shell *p, int nArg, char **azArg){
  (void)nArg;
  free(p->zNull);
  p->zNull = xstrdup(azArg[1]);
  return 0;
}

/* .print TEXT ...: the arguments, separated by spaces, on one line. */
static int cmdPrint(Shell *p, int nArg, char **azArg){
  int i;
  for(i=1; i<nArg; i++) fprintf(p->out, "%s%s", i>1 ? " " : "", azArg[i]);
  fputc('\n', p->out);
  return 0;
}

/* .show: the current settings, one per line, as sqlite3 shows them. */
static int cmdShow(Shell *p, int nArg, char **azArg){
  FILE *f = p->out;
  char aW[32], zSize[40];
  (void)nArg; (void)azArg;
  if( p->nWidth<0 ) snprintf(aW, sizeof(aW), "auto (%d)", cellMax(p));
  else snprintf(aW, sizeof(aW), "%d", p->nWidth);
  fprintf(f, "%12s: %s\n", "bail", p->bBail ? "on" : "off");
  fprintf(f, "%12s: %s\n", "changes", p->bChanges ? "on" : "off");
  fprintf(f, "%12s: %s\n", "echo", p->bEcho ? "on" : "off");
  fprintf(f, "%12s: %s\n", "explain", p->bExplain ? "on" : "off");
  fprintf(f, "%12s: %s\n", "headers", p->bHeaders ? "on" : "off");
  fprintf(f, "%12s: rows %lld, memory %lld, time %lld\n", "limit",
          (long long)p->aLimit[0], (long long)p->aLimit[1], (long long)p->aLimit[2]);
  mappedText(p, zSize, sizeof(zSize));
  fprintf(f, "%12s: %s\n", "mapped", zSize);
  fprintf(f, "%12s: %s\n", "mode", azModeName[p->mode]);
  fprintf(f, "%12s: ", "nullvalue");
  jsonString(f, p->zNull);
  fputc('\n', f);
  fprintf(f, "%12s: %s%s\n", "output", p->zOutFile ? p->zOutFile : "stdout",
          p->bOnce ? " (once)" : "");
  fprintf(f, "%12s: %d\n", "parameters", p->nParam);
  fprintf(f, "%12s: %d\n", "timeout", p->nBusyMs<0 ? 5000 : p->nBusyMs);
  fprintf(f, "%12s: %s\n", "timer", p->bTimer ? "on" : "off");
  fprintf(f, "%12s: %s\n", "width", aW);
  fprintf(f, "%12s: %s%s\n", "filename", p->zDbPath ? p->zDbPath : "",
          p->bReadonly ? " (read-only)" : "");
  return 0;
}

/* .limit [NAME [N]]: the per-query limits of fakt_limits(): rows a query
** may produce or hold, memory (bytes) it may hold, time (ms) it may run;
** 0 is no limit. With no argument lists all three; with NAME shows one. */
static int cmdLimit(Shell *p, int nArg, char **azArg){
  int i, iLim = -1;
  if( nArg==1 ){
    for(i=0; i<N_LIMIT; i++) fprintf(p->out, "%-8s %lld\n", azLimitName[i], (long long)p->aLimit[i]);
    return 0;
  }
  for(i=0; i<N_LIMIT; i++) if( strcmp(azArg[1], azLimitName[i])==0 ) iLim = i;
  if( iLim<0 ){
    dotErr(p, "unknown limit \"%s\": use rows, memory or time", azArg[1]);
    return 1;
  }
  if( nArg==3 ){
    char *zEnd;
    long long n;
    errno = 0;
    n = strtoll(azArg[2], &zEnd, 10);
    if( *zEnd || zEnd==azArg[2] || n<0 || errno ){
      dotErr(p, ".limit %s wants a number (0: no limit)", azLimitName[iLim]);
      return 1;
    }
    p->aLimit[iLim] = (int64_t)n;
    if( p->db && fakt_limits(p->db, p->aLimit[0], p->aLimit[1], p->aLimit[2])!=FAKT_OK ){
      dotErr(p, "%s", fakt_errmsg(p->db));
      return 1;
    }
  }
  fprintf(p->out, "%-8s %lld\n", azLimitName[iLim], (long long)p->aLimit[iLim]);
  return 0;
}

/* The parameter name zName as statements name it: "$who" for "who". */
static char *paramName(const char *zName){
  Buf b = {0};
  if( zName[0]!='$' ) bufPuts(&b, "$");
  bufPuts(&b, zName);
  return b.z;
}

/* .parameter set NAME VALUE | unset NAME | list | clear: values bound to
** the parameter NAME ($NAME) of every statement run afterwards. VALUE is
** one fakt literal, the rest of the line: 42, "text", @2023-09-10, 60
** km/h, kim_jong_un, ~"Putin". Its syntax is checked now; an id or label
** is looked up when a statement uses it. */
static int cmdParameter(Shell *p, int nArg, char **azArg){
  const char *zOp = azArg[1];
  int k;
  if( strcmp(zOp, "list")==0 && nArg==2 ){
    for(k=0; k<p->nParam; k++) fprintf(p->out, "%s %s\n", p->azParamName[k], p->azParamValue[k]);
    return 0;
  }
  if( strcmp(zOp, "clear")==0 && nArg==2 ){
    freeList(p->azParamName, p->nParam);
    freeList(p->azParamValue, p->nParam);
    p->azParamName = p->azParamValue = 0;
    p->nParam = 0;
    return 0;
  }
  if( (strcmp(zOp, "unset")==0 && nArg==3) || (strcmp(zOp, "set")==0 && nArg==4) ){
    char *zName = paramName(azArg[2]);
    int bSet = zOp[0]=='s', rc = 0;
    for(k=0; k<p->nParam && strcmp(p->azParamName[k], zName)!=0; k++){}
    if( bSet ){
      fakt_stmt *pStmt = 0;
      int rcB;
      fakt_set_origin(p->db, 0, 1, 1);
      if( fakt_prepare(p->db, "find $v;", -1, &pStmt, 0)!=FAKT_OK ){
        dotErr(p, "%s", fakt_errmsg(p->db));
        free(zName);
        return 1;
      }
      rcB = fakt_bind_literal(pStmt, 1, azArg[3], -1);
      if( rcB==FAKT_MISMATCH || rcB==FAKT_TOOBIG || rcB==FAKT_NOMEM ){
        dotErr(p, "parameter %s: %s", zName, bindMsg(fakt_stmt_errmsg(pStmt)));
        rc = 1;
      }
      fakt_finalize(pStmt);
      if( rc==0 && k<p->nParam ){
        free(p->azParamValue[k]);
        p->azParamValue[k] = xstrdup(azArg[3]);
      }else if( rc==0 ){
        p->azParamName = xrealloc(p->azParamName, sizeof(char*)*(size_t)(p->nParam+1));
        p->azParamValue = xrealloc(p->azParamValue, sizeof(char*)*(size_t)(p->nParam+1));
        p->azParamName[p->nParam] = zName;
        p->azParamValue[p->nParam] = xstrdup(azArg[3]);
        p->nParam++;
        zName = 0;
      }
    }else if( k<p->nParam ){
      free(p->azParamName[k]);
      free(p->azParamValue[k]);
      p->nParam--;
      memmove(&p->azParamName[k], &p->azParamName[k+1], sizeof(char*)*(size_t)(p->nParam-k));
      memmove(&p->azParamValue[k], &p->azParamValue[k+1], sizeof(char*)*(size_t)(p->nParam-k));
    }
    free(zName);
    return rc;
  }
  dotErr(p, "usage: .parameter set NAME VALUE | unset NAME | list | clear");
  return 1;
}


const DotCmd aDot[] = {
  { "backup",  2, 2, cmdBackup,  ".backup FILE",          "an online, consistent copy of the database in the new FILE", 0 },
  { "bail",    2, 2, cmdBail,    ".bail on|off",          "stop at the first failed statement (not in the REPL)", 0 },
  { "changes", 1, 2, cmdChanges, ".changes [on|off]",     "claims changed by the last write (on: after each)", 0 },
  { "check",   1, 1, cmdCheck,   ".check",                "check the integrity of the database", 0 },
  { "coverage", 2, 2, cmdCoverage, ".coverage SOURCE",    "the sentences of SOURCE that no claim quotes yet", 0 },
  { "echo",    2, 2, cmdEcho,    ".echo on|off",          "print each statement and command before running it", 0 },
  { "exit",    1, 2, cmdQuit,    ".exit",                 "leave fakt (also .quit and Ctrl-D)", 0 },
  { "explain", 2, 2, cmdExplain, ".explain on|off",       "show the plan of each find instead of its rows", 0 },
  { "export",  3, 4, cmdExport,  ".export FORMAT PATH",   "nquads|jsonl FILE [\"QUERY\"], geojson|csv|sql, dot ENTITY FILE", 0 },
  { "headers", 2, 2, cmdHeaders, ".headers on|off",       "column names in table, csv, tsv and list output", 0 },
  { "help",    1, 2, cmdHelp,    ".help [COMMAND]",       "show this list, or more on COMMAND", 0 },
  { "import",  3, 3, cmdImport,  ".import FORMAT PATH",   "jsonl FILE, csv DIR or geonames FILE (one transaction)", 0 },
  { "limit",   1, 3, cmdLimit,   ".limit [NAME [N]]",     "per-query limits: rows, memory (bytes), time (ms); 0: none",
    "  .limit              show the three limits\n"
    "  .limit rows 1000    a query that produces or holds more rows fails\n"
    "  .limit memory N     ... that holds more than N bytes\n"
    "  .limit time MS      ... that runs longer than MS milliseconds\n"
    "  A query over a limit fails with \"limit reached\" and shows no rows." },
  { "mapped",  1, 2, cmdMapped,  ".mapped [SIZE]",        "about how much of the file reads leave mapped (default 256M, 0: no limit)",
    "  .mapped          the limit now\n"
    "  .mapped SIZE     bytes, or a number and K, M or G (KiB, MiB, GiB)\n"
    "  Past it the reads let the file's pages go back to the page cache:\n"
    "  less memory, a page fault for each page read again. The counterpart\n"
    "  of SQLite's cache size (fakt_set_mapped)." },
  { "mode",    1, 2, cmdMode,    ".mode [MODE]",          "output mode: table, box, markdown, csv, tsv, json, jsonl, line, list",
    "  table     columns padded, \" | \" between them, then (N rows)\n"
    "  box       the same with box-drawing lines around\n"
    "  markdown  a Markdown table (| a | b |)\n"
    "  csv       RFC 4180; null is empty, an empty string is \"\"\n"
    "  tsv       tab-separated, \\t \\n \\r \\\\ escaped\n"
    "  json      one array of objects per statement\n"
    "  jsonl     one object per line\n"
    "  line      one \"name = value\" line per column, a blank line between rows\n"
    "  list      values separated by \"|\"\n"
    "  .nullvalue sets the text of null in every mode but json and jsonl." },
  { "nullvalue", 2, 2, cmdNullvalue, ".nullvalue TEXT",    "show null as TEXT (default: empty)", 0 },
  { "once",    2, 2, cmdOnce,    ".once FILE",            "send the output of the next statement or command to FILE", 0 },
  { "open",    2, 3, cmdOpen,    ".open [--readonly] DB", "close this database and open DB", 0 },
  { "output",  1, 2, cmdOutput,  ".output [FILE]",        "send output to FILE (\"|CMD\": to a command), or to stdout again",
    "  .output FILE    results of statements and commands go to FILE (truncated)\n"
    "  .output '|CMD'  ... to the input of the shell command CMD\n"
    "  .output         back to stdout (closes FILE)\n"
    "  Errors stay on stderr; a FILE is never cut at a width." },
  { "parameter", 2, 4, cmdParameter, ".parameter CMD ...", "set NAME VALUE, unset NAME, list, clear: bind $NAME",
    "  .parameter set NAME VALUE  bind VALUE to $NAME in every statement run after\n"
    "                             (VALUE: one literal: 42, \"text\", @2023-09-10,\n"
    "                             60 km/h, kim_jong_un, ~\"Putin\")\n"
    "  .parameter unset NAME      forget $NAME (it is then null)\n"
    "  .parameter list            the parameters and their values\n"
    "  .parameter clear           forget them all" },
  { "print",   1, 31, cmdPrint,  ".print TEXT ...",       "print TEXT", 0 },
  { "quit",    1, 1, cmdQuit,    ".quit",                 "leave fakt", 0 },
  { "read",    2, 2, 0,          ".read FILE",            "run the statements and commands in FILE", 0 },
  { "schema",  1, 1, cmdSchema,  ".schema",               "entity types, predicates (type, doc) and rules", 0 },
  { "show",    1, 1, cmdShow,    ".show",                 "show the current settings", 0 },
  { "sources", 1, 1, cmdSources, ".sources",              "source documents: title, outlet, publication date", 0 },
  { "timeout", 1, 2, cmdTimeout, ".timeout [MS]",         "a write waits MS for another writer (default 5000, 0: not at all)", 0 },
  { "timer",   2, 2, cmdTimer,   ".timer on|off",         "print the run time of each statement", 0 },
  { "vacuum",  2, 2, cmdVacuum,  ".vacuum FILE",          "write a compact copy of the database to the new FILE", 0 },
  { "width",   1, 2, cmdWidth,   ".width [N|auto]",       "cut table cells at N columns (0: never; auto: 60 on a terminal, else never)", 0 },
};
const int nDot = (int)(sizeof(aDot)/sizeof(aDot[0]));

/* .help: every command; .help NAME: the commands whose name starts with
** NAME (a leading dot is allowed), with more lines where there are. */
static int cmdHelp(Shell *p, int nArg, char **azArg){
  int i, nFound = 0;
  const char *zTopic = nArg>1 ? azArg[1] : 0;
  if( zTopic && zTopic[0]=='.' ) zTopic++;
  for(i=0; i<nDot; i++){
    if( zTopic && strncmp(aDot[i].zName, zTopic, strlen(zTopic))!=0 ) continue;
    fprintf(p->out, "%-23s %s\n", aDot[i].zUsage, aDot[i].zHelp);
    if( zTopic && aDot[i].zMore ) fprintf(p->out, "%s\n", aDot[i].zMore);
    nFound++;
  }
  if( zTopic==0 ){
    fprintf(p->out, "Statements end with \";\" and may span lines; see SPEC.md.\n");
  }else if( nFound==0 ){
    dotErr(p, "no command matches \"%s\"; try .help", azArg[1]);
    return 1;
  }
  return 0;
}

/* Split zLine into at most nMax arguments in place; quotes '..' and ".."
** group words. Returns the argument count. */
static int splitArgs(char *z, char **azArg, int nMax){
  int n = 0;
  while( *z ){
    while( *z==' ' || *z=='\t' || *z=='\r' || *z=='\n' ) z++;
    if( *z==0 ) break;
    if( n==nMax ) return nMax+1;
    if( *z=='"' || *z=='\'' ){
      char q = *z++;
      azArg[n++] = z;
      while( *z && *z!=q ) z++;
    }else{
      azArg[n++] = z;
      while( *z && *z!=' ' && *z!='\t' && *z!='\r' && *z!='\n' ) z++;
    }
    if( *z ) *z++ = 0;
  }
  return n;
}

/* Run the dot-command in zLine. Returns 0 on success, 1 on error. */
/* 1 if dot-command zName reads the database, so that it is an error while
** the database does not exist (Shell.bPending). */
static int pendingNeedsDb(const char *zName){
  static const char *const az[] = { "backup", "check", "export", "schema", "sources", "vacuum" };
  int i;
  for(i=0; i<(int)(sizeof(az)/sizeof(az[0])); i++) if( strcmp(zName, az[i])==0 ) return 1;
  return 0;
}

/* The text of zLine after its first nWord words, white space trimmed
** (new string): the VALUE of .parameter set NAME VALUE, taken as written. */
static char *restOfLine(const char *z, int nWord){
  size_t n;
  while( nWord-- > 0 ){
    while( *z==' ' || *z=='\t' ) z++;
    while( *z && *z!=' ' && *z!='\t' && *z!='\r' && *z!='\n' ) z++;
  }
  while( *z==' ' || *z=='\t' ) z++;
  n = strlen(z);
  while( n>0 && (z[n-1]==' ' || z[n-1]=='\t' || z[n-1]=='\r' || z[n-1]=='\n') ) n--;
  return xstrndup(z, n);
}

int doDotCommand(Shell *p, Input *pIn, const char *zLine){
  char *zCopy = xstrdup(zLine), *zRest = 0;
  char *azArg[32];
  int nArg, i, rc = 1;
  const DotCmd *pCmd = 0;
  const char *z = zLine;
  while( *z==' ' || *z=='\t' ) z++;
  nArg = splitArgs(zCopy + (z-zLine) + 1, azArg, 31);
  if( nArg>=4 && strcmp(azArg[0], "parameter")==0 && strcmp(azArg[1], "set")==0 ){
    zRest = restOfLine(z, 3);    /* the value may hold spaces and quotes */
    azArg[3] = zRest;
    nArg = 4;
  }
  if( nArg==0 ){
    dotErr(p, "a dot-command needs a name; try .help");
    goto done;
  }
  for(i=0; i<nDot; i++){
    if( strcmp(azArg[0], aDot[i].zName)==0 ){ pCmd = &aDot[i]; break; }
  }
  if( pCmd==0 ){
    dotErr(p, "unknown command \".%s\"; try .help", azArg[0]);
  }else if( nArg<pCmd->nMin || nArg>pCmd->nMax ){
    dotErr(p, "usage: %s", pCmd->zUsage);
  }else if( p->bPending && pendingNeedsDb(azArg[0]) ){
    dotErr(p, "no such database: %s", p->zDbPath);
  }else if( p->bPending && strcmp(azArg[0], "import")==0 && pendingCreate(p) ){
    /* error shown: the import writes, so it creates the file first */
  }else if( pCmd->xCmd==0 ){
    rc = cmdRead(p, nArg, azArg, pIn);
  }else{
    rc = pCmd->xCmd(p, nArg, azArg);
  }
done:
  free(zCopy);
  free(zRest);
  fflush(p->out);
  return rc;
}

