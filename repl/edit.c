/*
** edit.c -- the line editor: prompt, Ctrl-C, history, completion.
*/
#include "shell.h"

/* ==================================================================== */
/* Line editor: prompt, Ctrl-C, history, completion                      */
/* ==================================================================== */

static char *editPrompt(EditLine *el){
  Shell *p = 0;
  el_get(el, EL_CLIENTDATA, &p);
  return (char*)(p && p->bCont ? "  ...> " : "fakt> ");
}

/* Read one character for libedit, so that Ctrl-C (EINTR with
** seenInterrupt set) ends el_gets() at once instead of being retried. */
static int editGetc(EditLine *el, wchar_t *pc){
  char a[MB_LEN_MAX];
  size_t n = 0;
  (void)el;
  for(;;){
    unsigned char b;
    ssize_t r = read(STDIN_FILENO, &b, 1);
    mbstate_t st;
    size_t k;
    if( r<0 ){
      if( errno==EINTR && !seenInterrupt ) continue;
      return -1;
    }
    if( r==0 ) return 0;
    a[n++] = (char)b;
    memset(&st, 0, sizeof(st));
    k = mbrtowc(pc, a, n, &st);
    if( k==(size_t)-2 && n<sizeof(a) ) continue;
    if( k==(size_t)-1 || k==(size_t)-2 ) *pc = 0xFFFD;
    else if( k==0 ) *pc = 0;
    return 1;
  }
}

static const char *const azKeyword[] = {
  "aka", "and", "as", "asc", "at", "avg", "begin", "by", "claim", "commit",
  "count", "desc", "distinct", "drop", "entity", "explain", "false", "file",
  "find", "from", "holds", "if", "in", "limit", "list", "load", "max", "min",
  "not", "null", "of", "offset", "optional", "order", "predicate",
  "published", "quote", "retract", "rollback", "rule", "said", "single",
  "source", "stance", "sum", "text", "true", "until", "via", "where", "why",
};

void compClear(Shell *p){
  freeList(p->azComp, p->nComp);
  free(p->abLabel);
  p->azComp = 0;
  p->abLabel = 0;
  p->nComp = 0;
  p->bCompValid = 0;
}

static void compAdd(Shell *p, char **az, int n, int bLabel){
  int i;
  if( n==0 ){ free(az); return; }
  p->azComp = xrealloc(p->azComp, sizeof(char*)*(size_t)(p->nComp+n));
  p->abLabel = xrealloc(p->abLabel, (size_t)(p->nComp+n));
  for(i=0; i<n; i++){
    p->azComp[p->nComp] = az[i];
    p->abLabel[p->nComp] = (char)bLabel;
    p->nComp++;
  }
  free(az);
}

/* Load ids, labels, aliases, predicates and sources from the database. A
** query that fails just contributes nothing. */
static void compLoad(Shell *p){
  static const struct { const char *zQ; int bLabel; } aQ[] = {
    { "find distinct ?e where type(?e, ?t);", 0 },
    { "find ?p where predicate(?p);", 0 },
    { "find distinct ?p where ?c: ?s ?p ?o;", 0 },
    { "find distinct ?s where title(?s, ?t);", 0 },
    { "find distinct ?l where label(?e, ?l);", 1 },
    { "find distinct ?a where alias(?e, ?a);", 1 },
  };
  size_t i;
  compClear(p);
  for(i=0; i<sizeof(aQ)/sizeof(aQ[0]); i++){
    char **az = 0;
    int n = 0;
    if( collect(p, aQ[i].zQ, &az, &n, 0)!=FAKT_OK ){ freeList(az, n); continue; }
    compAdd(p, az, n, aQ[i].bLabel);
  }
  p->bCompValid = 1;
}

/* Case-insensitive (ASCII) prefix test. */
static int hasPrefix(const char *z, const char *zPre, size_t n){
  size_t i;
  for(i=0; i<n; i++){
    int a = (unsigned char)z[i], b = (unsigned char)zPre[i];
    if( a==0 ) return 0;
    if( a>='A' && a<='Z' ) a += 32;
    if( b>='A' && b<='Z' ) b += 32;
    if( a!=b ) return 0;
  }
  return 1;
}

typedef struct Cand {
  const char *zKey;      /* the word matched against the prefix */
  int bLabel;            /* a label: inserted as ~"..." */
} Cand;

static void candAdd(Buf *b, const char *zKey, int bLabel){
  Cand c;
  c.zKey = zKey;
  c.bLabel = bLabel;
  bufAppend(b, (const char*)&c, sizeof(c));
}

/* Length of the common prefix of a and b, cut to a code point boundary. */
static size_t commonLen(const char *a, const char *b, size_t n){
  size_t i = 0;
  while( i<n && a[i] && hasPrefix(a+i, b+i, 1) ) i++;
  while( i>0 && ((unsigned char)a[i]&0xC0)==0x80 ) i--;
  return i;
}

static int candCmp(const void *a, const void *b){
  return strcmp(((const Cand*)a)->zKey, ((const Cand*)b)->zKey);
}

/* Show the candidates below the line, sorted (up to 200). */
static void candList(Cand *a, int n){
  int i, col = 0;
  qsort(a, (size_t)n, sizeof(Cand), candCmp);
  fputc('\n', stdout);
  for(i=0; i<n && i<200; i++){
    int w = strWidth(a[i].zKey, strlen(a[i].zKey)) + (a[i].bLabel ? 3 : 0);
    if( col>0 && col+w+2>78 ){ fputc('\n', stdout); col = 0; }
    printf(a[i].bLabel ? "%s~\"%s\"" : "%s%s", col ? "  " : "", a[i].zKey);
    col += w + (col ? 2 : 0);
  }
  if( n>200 ) printf("\n... and %d more", n-200);
  fputc('\n', stdout);
  fflush(stdout);
}

/* Tab after a dot-command's name: its arguments. Fills *pCand with
** candidates for the word at zKey[0..nKey) (their texts in *pOwn, which
** the caller frees) and returns 1, or 0 when the line is not a dot-command
** argument. File names are listed from the word's directory, a directory
** with a trailing "/". */
typedef struct OwnList { char **az; int n; } OwnList;
static const char *ownAdd(OwnList *o, char *z){
  o->az = xrealloc(o->az, sizeof(char*)*(size_t)(o->n+1));
  o->az[o->n++] = z;
  return z;
}
static void fileCands(Buf *pCand, OwnList *pOwn, const char *zKey, size_t nKey){
  const char *zSlash = 0;
  size_t i, nDir;
  char *zDir;
  DIR *d;
  struct dirent *e;
  for(i=0; i<nKey; i++) if( zKey[i]=='/' ) zSlash = zKey + i;
  nDir = zSlash ? (size_t)(zSlash - zKey) + 1 : 0;
  zDir = nDir ? xstrndup(zKey, nDir) : xstrdup(".");
  d = opendir(zDir);
  if( d ){
    while( (e = readdir(d))!=0 ){
      const char *zBase = zKey + nDir;
      size_t nBase = nKey - nDir;
      struct stat st;
      char *zFull, *zCand;
      if( strncmp(e->d_name, zBase, nBase)!=0 ) continue;
      if( e->d_name[0]=='.' && (nBase==0 || zBase[0]!='.') ) continue;
      zFull = xmalloc(strlen(zDir) + strlen(e->d_name) + 2);
      sprintf(zFull, "%s%s%s", zDir, nDir ? "" : "/", e->d_name);
      zCand = xmalloc(nDir + strlen(e->d_name) + 2);
      sprintf(zCand, "%.*s%s%s", (int)nDir, zKey, e->d_name,
              stat(zFull, &st)==0 && S_ISDIR(st.st_mode) ? "/" : "");
      free(zFull);
      candAdd(pCand, ownAdd(pOwn, zCand), 0);
    }
    closedir(d);
  }
  free(zDir);
}
static int dotArgCands(const char *zBuf, const char *zKey, size_t nKey, Buf *pCand, OwnList *pOwn){
  static const char *const azOnOff[] = { "on", "off" };
  static const char *const azImport[] = { "jsonl", "csv", "geonames" };
  static const char *const azExport[] = { "nquads", "jsonl", "csv", "dot", "geojson", "sql" };
  static const char *const azFileCmd[] = { "read", "open", "output", "once", "backup", "vacuum" };
  static const char *const azBool[] = { "bail", "changes", "echo", "explain", "headers", "timer" };
  const char *q = zBuf, *zName;
  size_t nName, i;
  int iArg = 0;
  while( *q==' ' || *q=='\t' ) q++;
  if( *q!='.' ) return 0;
  zName = ++q;
  while( *q && *q!=' ' && *q!='\t' ) q++;
  nName = (size_t)(q - zName);
  if( q>=zKey ) return 0;                        /* still in the name */
  while( q<zKey ){                               /* count the words before */
    while( q<zKey && (*q==' ' || *q=='\t') ) q++;
    if( q>=zKey ) break;
    iArg++;
    while( q<zKey && *q!=' ' && *q!='\t' ) q++;
  }
#define IS(Z) (nName==strlen(Z) && strncmp(zName, Z, nName)==0)
  if( IS("mode") ){
    for(i=0; i<N_MODE; i++) if( hasPrefix(azModeName[i], zKey, nKey) ) candAdd(pCand, azModeName[i], 0);
  }else if( IS("help") ){
    for(i=0; i<(size_t)nDot; i++) if( hasPrefix(aDot[i].zName, zKey, nKey) ) candAdd(pCand, aDot[i].zName, 0);
  }else if( IS("import") && iArg==0 ){
    for(i=0; i<sizeof(azImport)/sizeof(azImport[0]); i++) if( hasPrefix(azImport[i], zKey, nKey) ) candAdd(pCand, azImport[i], 0);
  }else if( IS("export") && iArg==0 ){
    for(i=0; i<sizeof(azExport)/sizeof(azExport[0]); i++) if( hasPrefix(azExport[i], zKey, nKey) ) candAdd(pCand, azExport[i], 0);
  }else if( IS("import") || IS("export") ){
    fileCands(pCand, pOwn, zKey, nKey);
  }else{
    for(i=0; i<sizeof(azBool)/sizeof(azBool[0]); i++){
      if( !IS(azBool[i]) ) continue;
      for(size_t j=0; j<2; j++) if( hasPrefix(azOnOff[j], zKey, nKey) ) candAdd(pCand, azOnOff[j], 0);
      return 1;
    }
    for(i=0; i<sizeof(azFileCmd)/sizeof(azFileCmd[0]); i++){
      if( IS(azFileCmd[i]) ){ fileCands(pCand, pOwn, zKey, nKey); return 1; }
    }
  }
#undef IS
  return 1;
}

/* Tab on a dot-command's argument (the word back to the last blank).
** Returns 1 and sets *pRc when the line is one, else 0. */
static int completeDotArg(EditLine *el, const char *zBuf, const char *zCur, unsigned char *pRc){
  OwnList own = {0, 0};
  Buf cand = {0}, ins = {0};
  const char *zW = zCur;
  int i;
  while( zW>zBuf && zW[-1]!=' ' && zW[-1]!='\t' ) zW--;
  if( !dotArgCands(zBuf, zW, (size_t)(zCur-zW), &cand, &own) ) return 0;
  const Cand *a = (const Cand*)cand.z;
  int nCand = (int)(cand.n/sizeof(Cand));
  size_t nKey = (size_t)(zCur-zW);
  *pRc = CC_REFRESH;
  if( nCand==0 ){
    *pRc = CC_ERROR;
  }else if( nCand==1 ){
    size_t n = strlen(a[0].zKey);
    bufPuts(&ins, a[0].zKey + nKey);
    if( n==0 || a[0].zKey[n-1]!='/' ) bufPuts(&ins, " ");
    if( el_insertstr(el, ins.z)!=0 ) *pRc = CC_ERROR;
  }else{
    size_t nCommon = strlen(a[0].zKey);
    for(i=1; i<nCand; i++) nCommon = commonLen(a[0].zKey, a[i].zKey, nCommon);
    if( nCommon>nKey ){
      bufAppend(&ins, a[0].zKey + nKey, nCommon - nKey);
      if( el_insertstr(el, ins.z)!=0 ) *pRc = CC_ERROR;
    }else{
      candList((Cand*)cand.z, nCand);
      *pRc = CC_REDISPLAY;
    }
  }
  for(i=0; i<own.n; i++) free(own.az[i]);
  free(own.az);
  bufFree(&cand);
  bufFree(&ins);
  return 1;
}

/* The word being completed: *pw where it starts (with its ~ or ~" or .),
** *pzKey the text typed so far, and what it can be. 0, or 1 when nothing
** can complete here (inside a string, a variable). */
typedef struct Word { const char *w, *zKey; size_t nKey; int bLabelOnly, bDot; } Word;

static int completeWord(Shell *p, const char *zBuf, const char *zCur, Word *pW){
  const char *w = zCur, *q;
  int nQuote = 0;
  memset(pW, 0, sizeof(*pW));
  for(q=zBuf; q<zCur; q++) if( *q=='"' ) nQuote++;
  if( nQuote%2 ){
    const char *zQ = zCur;
    while( zQ>zBuf && zQ[-1]!='"' ) zQ--;
    zQ--;                                       /* on the open quote */
    if( zQ>zBuf && zQ[-1]=='~' ){ w = zQ-1; pW->bLabelOnly = 1; pW->zKey = zQ+1; }
    else return 1;                              /* inside a plain string */
  }else{
    while( w>zBuf && isIdentChar((unsigned char)w[-1]) ) w--;
    pW->zKey = w;
    if( w>zBuf && w[-1]=='~' ){ w--; pW->bLabelOnly = 1; }
    else if( w>zBuf && w[-1]=='?' ) return 1;   /* a variable */
    else if( w>zBuf && w[-1]=='.' && !p->bCont ){
      const char *s = zBuf;
      while( s<w-1 && (*s==' ' || *s=='\t') ) s++;
      if( s==w-1 ){ pW->bDot = 1; w--; }
    }
  }
  pW->w = w;
  pW->nKey = (size_t)(zCur-pW->zKey);
  return 0;
}

/* The candidates for a word, into *pCand; returns their number. A bare
** word completes ids first: the labels of those entities (and others) only
** when no id, keyword or name matches. No duplicates (an id that is also a
** keyword ...). */
static int wordCands(Shell *p, const Word *pW, Buf *pCand){
  int i, j, k, nCand;
  if( pW->bDot ){
    for(i=0; i<nDot; i++) if( hasPrefix(aDot[i].zName, pW->zKey, pW->nKey) ) candAdd(pCand, aDot[i].zName, 0);
  }else{
    if( !p->bCompValid ) compLoad(p);
    if( !pW->bLabelOnly ){
      for(i=0; i<(int)(sizeof(azKeyword)/sizeof(azKeyword[0])); i++){
        if( hasPrefix(azKeyword[i], pW->zKey, pW->nKey) ) candAdd(pCand, azKeyword[i], 0);
      }
    }
    for(i=0; i<p->nComp; i++){
      if( pW->bLabelOnly && !p->abLabel[i] ) continue;
      if( hasPrefix(p->azComp[i], pW->zKey, pW->nKey) ) candAdd(pCand, p->azComp[i], p->abLabel[i]);
    }
  }
  Cand *aw = (Cand*)pCand->z;
  nCand = (int)(pCand->n/sizeof(Cand));
  if( !pW->bLabelOnly && nCand>1 ){
    int bId = 0;
    for(j=0; j<nCand; j++) if( !aw[j].bLabel ) bId = 1;
    if( bId ){
      for(j=0, k=0; j<nCand; j++) if( !aw[j].bLabel ) aw[k++] = aw[j];
      nCand = k;
    }
  }
  if( nCand>1 ){
    for(j=0, k=0; j<nCand; j++){
      int d;
      for(d=0; d<k; d++) if( aw[d].bLabel==aw[j].bLabel && strcmp(aw[d].zKey, aw[j].zKey)==0 ) break;
      if( d==k ) aw[k++] = aw[j];
    }
    nCand = k;
  }
  return nCand;
}

/* Tab: complete the word before the cursor. A word after `~` or `~"`
** completes labels and aliases, inserted as ~"Label"; a `.` at the start
** of a statement completes dot-commands; other words complete keywords,
** ids, predicates and source ids, and labels too. */
static unsigned char editComplete(EditLine *el, int ch){
  Shell *p = 0;
  const LineInfo *li = el_line(el);
  const char *zBuf = li->buffer, *zCur = li->cursor;
  unsigned char rc = CC_REFRESH;
  Buf cand = {0}, ins = {0};
  Word wd;
  (void)ch;
  el_get(el, EL_CLIENTDATA, &p);
  if( !p->bCont && completeDotArg(el, zBuf, zCur, &rc) ) return rc;
  if( completeWord(p, zBuf, zCur, &wd) ) return CC_ERROR;
  int nCand = wordCands(p, &wd, &cand);
  const Cand *a = (const Cand*)cand.z;
  if( nCand==0 ){ rc = CC_ERROR; goto done; }
  size_t nCommon = strlen(a[0].zKey), nKey = wd.nKey;
  for(int i=1; i<nCand; i++){
    if( a[i].bLabel!=a[0].bLabel ){ nCommon = 0; break; }
    nCommon = commonLen(a[0].zKey, a[i].zKey, nCommon);
  }
  if( nCand==1 ){
    if( wd.bDot ) bufPuts(&ins, ".");
    if( a[0].bLabel ) bufPuts(&ins, "~\"");
    bufPuts(&ins, a[0].zKey);
    bufPuts(&ins, a[0].bLabel ? "\"" : " ");
  }else if( nCommon>nKey || (nCommon==nKey && nKey>0 && memcmp(a[0].zKey, wd.zKey, nKey)!=0) ){
    if( wd.bDot ) bufPuts(&ins, ".");
    if( a[0].bLabel ) bufPuts(&ins, "~\"");
    bufAppend(&ins, a[0].zKey, nCommon);
  }else{
    candList((Cand*)cand.z, nCand);
    rc = CC_REDISPLAY;
    goto done;
  }
  el_deletestr(el, cpCount(wd.w, (size_t)(zCur-wd.w)));
  if( el_insertstr(el, ins.z)!=0 ) rc = CC_ERROR;
done:
  bufFree(&cand);
  bufFree(&ins);
  return rc;
}

/* Set up libedit and the history for the REPL. Returns 0 or 1. */
int editInit(Shell *p){
  HistEvent ev;
  const char *zHist = getenv("FAKT_HISTORY");
  const char *zHome = getenv("HOME");
  if( zHist && zHist[0] ){
    p->zHistFile = xstrdup(zHist);
  }else if( zHome && zHome[0] ){
    Buf b = {0};
    bufPuts(&b, zHome);
    bufPuts(&b, "/.fakt_history");
    p->zHistFile = b.z;
  }
  p->hist = history_init();
  p->el = el_init("fakt", stdin, stdout, stderr);
  if( p->hist==0 || p->el==0 ) return 1;
  history(p->hist, &ev, H_SETSIZE, 1000);
  history(p->hist, &ev, H_SETUNIQUE, 1);
  if( p->zHistFile ) history(p->hist, &ev, H_LOAD, p->zHistFile);
  el_set(p->el, EL_CLIENTDATA, (void*)p);
  el_set(p->el, EL_EDITOR, "emacs");
  el_set(p->el, EL_SIGNAL, 0);
  el_set(p->el, EL_PROMPT, editPrompt);
  el_set(p->el, EL_HIST, history, p->hist);
  el_set(p->el, EL_GETCFN, editGetc);
  /* el_wset: the narrow el_set copies these names and never frees them */
  el_wset(p->el, EL_ADDFN, L"fakt-complete", L"complete a word", editComplete);
  el_set(p->el, EL_BIND, "^I", "fakt-complete", NULL);
  el_source(p->el, NULL);
  return 0;
}

/* The history is not saved again here: editRemember() saved every line
** as it was entered. A shell whose terminal goes away reads end of input,
** comes here and is then killed by SIGHUP; it has nothing left to write. */
void editEnd(Shell *p){
  if( p->hist ) history_end(p->hist);
  if( p->el ) el_end(p->el);
  free(p->zHistFile);
  p->hist = 0;
  p->el = 0;
  p->zHistFile = 0;
}

/*
** Write the history to p->zHistFile. A regular file (or a symbolic link
** to one: the link stays) is replaced whole: the history goes to a new
** file FILE.XXXXXX beside it, renamed over it once complete, so a shell
** killed while saving (its terminal closed, say) leaves the old history
** whole, never an empty file. Anything else, such as /dev/null, is
** written straight and never replaced, as are a link to a file not yet
** there (which creates it), a path that cannot be resolved and a file
** beside which no new file can be made (written in place). Failures
** are silent: the history is a convenience, and a read-only home must not
** stop the shell.
*/
static void editSave(Shell *p){
  HistEvent ev;
  struct stat st;
  char *zFinal = 0;
  Buf tmp = {0};
  FILE *f;
  int fd, ok;
  if( p->zHistFile==0 ) return;
  if( stat(p->zHistFile, &st)==0 ){
    if( !S_ISREG(st.st_mode) || (zFinal = realpath(p->zHistFile, NULL))==0 ){
      history(p->hist, &ev, H_SAVE, p->zHistFile);
      return;
    }
  }else if( errno!=ENOENT || (lstat(p->zHistFile, &st)==0 && S_ISLNK(st.st_mode)) ){
    history(p->hist, &ev, H_SAVE, p->zHistFile);   /* a link to a new file */
    return;
  }else{
    zFinal = xstrdup(p->zHistFile);
  }
  bufPuts(&tmp, zFinal);
  bufPuts(&tmp, ".XXXXXX");
  fd = mkstemp(tmp.z);             /* mode 0600: the history is private */
  if( fd>=0 ){
    f = fdopen(fd, "w");
    if( f==0 ){
      close(fd);
      ok = 0;
    }else{
      ok = history(p->hist, &ev, H_SAVE_FP, f)>=0;
      ok = (fflush(f)==0) & ok;
      ok = (fclose(f)==0) & ok;
    }
    if( !ok || rename(tmp.z, zFinal)!=0 ) unlink(tmp.z);
  }else{
    /* no new file beside it (a directory the user may not write in):
    ** the file itself, in place, as before */
    history(p->hist, &ev, H_SAVE, zFinal);
  }
  bufFree(&tmp);
  free(zFinal);
}

/* Add a statement or command to the history, newlines made spaces. */
void editRemember(Shell *p, const char *z){
  HistEvent ev;
  char *zCopy, *q;
  size_t n = strlen(z);
  if( p->hist==0 ) return;
  while( n>0 && (z[n-1]=='\n' || z[n-1]=='\r' || z[n-1]==' ') ) n--;
  if( n==0 ) return;
  zCopy = xstrndup(z, n);
  for(q=zCopy; *q; q++) if( *q=='\n' || *q=='\r' ) *q = ' ';
  history(p->hist, &ev, H_ENTER, zCopy);
  free(zCopy);
  /* saved at once, so a killed or crashed shell keeps what was typed */
  editSave(p);
}

