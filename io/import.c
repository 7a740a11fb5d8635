/*
** import.c -- fakt_import(): JSON Lines and CSV as written by fakt_export(),
** and GeoNames' tab-separated dumps (SPEC.md section 14). The import is one
** transaction, all or nothing: `begin`, then the input read line by line
** (each line at most IMPORT_MAX_LINE bytes), each record turned into a fakt
** statement with escaped literals (claim statements take no parameters)
** and run through fakt_exec() as it is read, then `commit`. What is held
** in memory: the line, one record, the records whose statement named
** something the file had not yet defined (FAKT_NOTFOUND, which changed
** nothing: they run again at the end) and the rules (run last), and for
** CSV the aliases of aliases.csv. A file in export order keeps no records
** but its rules, so it imports in memory that does not grow with its size.
*/
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fakt_int.h"
#include "io.h"

/* The `entity` statement accepts at most this many aliases (write.c, SPEC
** 2.10). A GeoNames row with more distinct names keeps the first ones. */
#define IMPORT_MAX_ALIAS 255
#define PROGRESS_EVERY 4096
/* The longest line (a CSV record: with its quoted line breaks) an import
** reads, 16 MiB: a longer one is an error naming the line, so that input
** without line ends (/dev/zero) cannot take all memory (SPEC 14.1). */
#define IMPORT_MAX_LINE (16<<20)

/* ================================================================ validation */

/* An identifier (SPEC 2.3): ASCII letters, digits and _, or any byte of a
** non-ASCII character (the lexer checks those); not starting with a digit.
** Nothing else may reach the statement text unquoted. */
static int isIdent(const char *z){
  const unsigned char *u = (const unsigned char*)z;
  if( u==NULL || *u==0 || (*u>='0' && *u<='9') || strlen(z)>255 ) return 0;
  for(; *u; u++){
    if( !((*u>='a' && *u<='z') || (*u>='A' && *u<='Z') || (*u>='0' && *u<='9')
          || *u=='_' || *u>=0x80) ) return 0;
  }
  return 1;
}

static int isDigits(const char *z){
  if( z==NULL || *z==0 ) return 0;
  for(; *z; z++) if( *z<'0' || *z>'9' ) return 0;
  return 1;
}

/* [-]digits */
static int isInteger(const char *z){
  if( z && *z=='-' ) z++;
  return isDigits(z);
}

/* [-]digits[.digits][(e|E)[+|-]digits], finite */
static int isNumber(const char *z){
  const char *c = z;
  if( c==NULL ) return 0;
  if( *c=='-' ) c++;
  if( *c<'0' || *c>'9' ) return 0;
  while( *c>='0' && *c<='9' ) c++;
  if( *c=='.' ){
    c++;
    if( *c<'0' || *c>'9' ) return 0;
    while( *c>='0' && *c<='9' ) c++;
  }
  if( *c=='e' || *c=='E' ){
    c++;
    if( *c=='+' || *c=='-' ) c++;
    if( *c<'0' || *c>'9' ) return 0;
    while( *c>='0' && *c<='9' ) c++;
  }
  return *c==0 && isfinite(strtod(z, NULL));
}

/* YYYY, YYYY-MM or YYYY-MM-DD (the engine checks the calendar). */
static int isDate(const char *z){
  size_t n = z ? strlen(z) : 0;
  if( n!=4 && n!=7 && n!=10 ) return 0;
  for(size_t i=0; i<n; i++){
    if( i==4 || i==7 ){ if( z[i]!='-' ) return 0; }
    else if( z[i]<'0' || z[i]>'9' ) return 0;
  }
  return 1;
}

/* A unit (SPEC 2.7): letters, digits, / % ° µ ² ³, not starting with a digit. */
static int isUnit(const char *z){
  const unsigned char *u = (const unsigned char*)z;
  if( u==NULL || *u==0 || (*u>='0' && *u<='9') || *u=='/' ) return 0;
  while( *u ){
    if( (*u>='a' && *u<='z') || (*u>='A' && *u<='Z') || (*u>='0' && *u<='9')
        || *u=='/' || *u=='%' ){ u++; continue; }
    if( u[0]==0xC2 && (u[1]==0xB0 || u[1]==0xB5 || u[1]==0xB2 || u[1]==0xB3) ){ u += 2; continue; }
    return 0;
  }
  return 1;
}

/* A float literal of the language: the number with a "." (60 -> 60.0). */
static void fkFloat(Str *s, const char *zNum){
  faktStrPuts(s, zNum);
  if( strpbrk(zNum, ".eE")==NULL ) faktStrPuts(s, ".0");
}

/* ================================================================ string maps */

/* Open-addressing map from strings (not owned) to ints. */
typedef struct Map { const char **azKey; int *aVal; int nSlot, nUsed; } Map;

static unsigned hashStr(const char *z){
  unsigned h = 2166136261u;
  for(; *z; z++){ h ^= (unsigned char)*z; h *= 16777619u; }
  return h;
}

static int mapFind(const Map *m, const char *z){
  if( m->nSlot==0 ) return -1;
  for(unsigned i = hashStr(z) & (unsigned)(m->nSlot-1); m->azKey[i]; i = (i+1) & (unsigned)(m->nSlot-1)){
    if( strcmp(m->azKey[i], z)==0 ) return m->aVal[i];
  }
  return -1;
}

/* Set z -> v. Returns FAKT_OK or FAKT_NOMEM. */
static int mapSet(Map *m, const char *z, int v){
  if( 2*(m->nUsed+1) > m->nSlot ){
    Map n = { 0, 0, m->nSlot ? m->nSlot*2 : 64, 0 };
    n.azKey = calloc((size_t)n.nSlot, sizeof(char*));
    n.aVal = calloc((size_t)n.nSlot, sizeof(int));
    if( n.azKey==NULL || n.aVal==NULL ){ free(n.azKey); free(n.aVal); return FAKT_NOMEM; }
    for(int i=0; i<m->nSlot; i++) if( m->azKey[i] ) mapSet(&n, m->azKey[i], m->aVal[i]);
    free(m->azKey); free(m->aVal);
    *m = n;
  }
  unsigned i = hashStr(z) & (unsigned)(m->nSlot-1);
  for(; m->azKey[i]; i = (i+1) & (unsigned)(m->nSlot-1)){
    if( strcmp(m->azKey[i], z)==0 ){ m->aVal[i] = v; return FAKT_OK; }
  }
  m->azKey[i] = z;
  m->aVal[i] = v;
  m->nUsed++;
  return FAKT_OK;
}

static void mapFree(Map *m){ free(m->azKey); free(m->aVal); memset(m, 0, sizeof(*m)); }

/* ================================================================ records */

typedef enum Kind { R_PRED = 0, R_ENT, R_SRC, R_CLAIM, R_RULE, R_N } Kind;
static const char *const azKind[R_N] = { "predicate", "entity", "source", "claim", "rule" };

#define MAX_FIELD 24
typedef struct Rec {
  Kind eKind;
  int iFile;                 /* index into Imp.azFile, for messages */
  int iLine;                 /* line in that file */
  int nField;
  char *azName[MAX_FIELD];   /* field names */
  char *azVal[MAX_FIELD];    /* values; NULL for JSON null or an empty CSV field */
  char **azList;             /* aliases (entity) or via (claim) */
  int nList;
  int bDone;                 /* a kept record: stored at the end */
} Rec;

typedef struct Imp {
  fakt *db;
  int rc;                    /* first error */
  char *zErr;                /* its message */
  Rec *aKeep;                /* records kept for the end (streamRecord) */
  int nKeep, nKeepAlloc;
  int bTry;                  /* runSql: FAKT_NOTFOUND that changed nothing is no error */
  char *azFile[8];           /* file names (for messages) */
  int nFile;
  fakt_progress xProgress;
  void *pArg;
  int64_t nRows, nSkipped;
  Str sql;                   /* statement being built */
  int nInterrupt;            /* db->nInterrupt when the import began */
} Imp;

static int impErr(Imp *p, int rc, const char *zFmt, ...) __attribute__((format(printf, 3, 4)));
static int impErr(Imp *p, int rc, const char *zFmt, ...){
  va_list ap;
  va_start(ap, zFmt);
  rc = faktFirstErrV(&p->rc, &p->zErr, rc, zFmt, ap);
  va_end(ap);
  return rc;
}

static int recErr(Imp *p, const Rec *r, int rc, const char *zFmt, ...) __attribute__((format(printf, 4, 5)));
static int recErr(Imp *p, const Rec *r, int rc, const char *zFmt, ...){
  char zBuf[600];
  va_list ap;
  va_start(ap, zFmt);
  vsnprintf(zBuf, sizeof(zBuf), zFmt, ap);
  va_end(ap);
  return impErr(p, rc, "%s:%d: %s", p->azFile[r->iFile], r->iLine, zBuf);
}

/* FAKT_INTERRUPT if fakt_interrupt() was called since the import began. The
** statements the import runs clear db->bInterrupt as they start, so the
** import watches the count of calls instead. */
static int impInterrupted(Imp *p){
  if( p->db->nInterrupt!=p->nInterrupt ) return impErr(p, FAKT_INTERRUPT, "interrupted");
  return FAKT_OK;
}

/* An empty record of line iLine of file iFile. */
static void recInit(Rec *r, int iFile, int iLine){
  memset(r, 0, sizeof(*r));
  r->iFile = iFile;
  r->iLine = iLine;
}

/* Free the fields and the list of r and leave it empty (its place kept). */
static void recFree(Rec *r){
  for(int i=0; i<r->nField; i++){ free(r->azName[i]); free(r->azVal[i]); }
  for(int i=0; i<r->nList; i++) free(r->azList[i]);
  free(r->azList);
  r->nField = 0;
  r->azList = NULL;
  r->nList = 0;
}

static const char *recGet(const Rec *r, const char *zName){
  for(int i=0; i<r->nField; i++) if( strcmp(r->azName[i], zName)==0 ) return r->azVal[i];
  return NULL;
}

/* Add a field (takes ownership of zName and zVal). */
static int recSet(Imp *p, Rec *r, char *zName, char *zVal){
  if( zName==NULL ){ free(zVal); return impErr(p, FAKT_NOMEM, "out of memory"); }
  if( r->nField>=MAX_FIELD ){
    free(zName); free(zVal);
    return recErr(p, r, FAKT_SYNTAX, "too many fields");
  }
  r->azName[r->nField] = zName;
  r->azVal[r->nField] = zVal;
  r->nField++;
  return FAKT_OK;
}

static int listAdd(Imp *p, char ***paz, int *pn, char *z){
  char **azNew = realloc(*paz, sizeof(char*)*(size_t)(*pn+1));
  if( azNew==NULL ){ free(z); return impErr(p, FAKT_NOMEM, "out of memory"); }
  *paz = azNew;
  azNew[(*pn)++] = z;
  return FAKT_OK;
}

/* Move record r to the end of p->aKeep (r is left empty). */
static int keepRecord(Imp *p, Rec *r){
  if( p->nKeep==p->nKeepAlloc ){
    int nNew = p->nKeepAlloc ? p->nKeepAlloc*2 : 16;
    Rec *aNew = realloc(p->aKeep, sizeof(Rec)*(size_t)nNew);
    if( aNew==NULL ) return impErr(p, FAKT_NOMEM, "out of memory");
    p->aKeep = aNew;
    p->nKeepAlloc = nNew;
  }
  p->aKeep[p->nKeep++] = *r;
  recInit(r, r->iFile, r->iLine);
  return FAKT_OK;
}

static int kindOf(const char *z, Kind *pKind){
  for(int i=0; i<R_N; i++) if( z && strcmp(z, azKind[i])==0 ){ *pKind = (Kind)i; return 1; }
  return 0;
}

static int streamRecord(Imp *p, Rec *r);

/* ================================================================ JSON Lines */

typedef struct JP { const char *z; size_t i, n; } JP;

static void jsWs(JP *j){
  while( j->i<j->n && (j->z[j->i]==' ' || j->z[j->i]=='\t' || j->z[j->i]=='\r') ) j->i++;
}

static int hex4(const char *z, unsigned *pv){
  unsigned v = 0;
  for(int k=0; k<4; k++){
    char c = z[k];
    v <<= 4;
    if( c>='0' && c<='9' ) v |= (unsigned)(c-'0');
    else if( c>='a' && c<='f' ) v |= (unsigned)(c-'a'+10);
    else if( c>='A' && c<='F' ) v |= (unsigned)(c-'A'+10);
    else return 0;
  }
  *pv = v;
  return 1;
}

/* A JSON string at j->i (the opening quote); *pz malloc'd, UTF-8, of its
** own size: a kept record (streamRecord) holds its strings until the end,
** and a Str's first 256 bytes per string made a million claims take 7 GB
** when an import kept every record. */
static int jsString(JP *j, char **pz){
  Str s = {0};
  *pz = NULL;
  if( j->i>=j->n || j->z[j->i]!='"' ) return 0;
  j->i++;
  size_t e = j->i;           /* no escape and no control character: copy it */
  while( e<j->n && j->z[e]!='"' && j->z[e]!='\\' && (unsigned char)j->z[e]>=0x20 ) e++;
  if( e<j->n && j->z[e]=='"' ){
    *pz = strndup(j->z + j->i, e - j->i);
    j->i = e + 1;
    return *pz!=NULL;
  }
  while( j->i<j->n && j->z[j->i]!='"' ){
    char c = j->z[j->i++];
    if( (unsigned char)c<0x20 ){ faktStrFree(&s); return 0; }
    if( c!='\\' ){ faktStrAppend(&s, &c, 1); continue; }
    if( j->i>=j->n ){ faktStrFree(&s); return 0; }
    c = j->z[j->i++];
    switch( c ){
      case '"': case '\\': case '/': faktStrAppend(&s, &c, 1); break;
      case 'b': faktStrAppend(&s, "\b", 1); break;
      case 'f': faktStrAppend(&s, "\f", 1); break;
      case 'n': faktStrAppend(&s, "\n", 1); break;
      case 'r': faktStrAppend(&s, "\r", 1); break;
      case 't': faktStrAppend(&s, "\t", 1); break;
      case 'u': {
        unsigned v, v2;
        if( j->i+4>j->n || !hex4(j->z+j->i, &v) ){ faktStrFree(&s); return 0; }
        j->i += 4;
        if( v>=0xD800 && v<0xDC00 ){
          if( j->i+6>j->n || j->z[j->i]!='\\' || j->z[j->i+1]!='u'
              || !hex4(j->z+j->i+2, &v2) || v2<0xDC00 || v2>0xDFFF ){ faktStrFree(&s); return 0; }
          j->i += 6;
          v = 0x10000 + ((v-0xD800)<<10) + (v2-0xDC00);
        }else if( (v>=0xDC00 && v<0xE000) || v==0 ){
          faktStrFree(&s);
          return 0;
        }
        char zU[4];
        faktStrAppend(&s, zU, (size_t)faktUtf8Encode(v, zU));
        break;
      }
      default: faktStrFree(&s); return 0;
    }
  }
  if( j->i>=j->n || s.bOom ){ faktStrFree(&s); return 0; }
  j->i++;
  *pz = s.z ? strndup(s.z, s.n) : strdup("");
  faktStrFree(&s);
  return *pz!=NULL;
}

/* A number, true, false or null: its text (NULL for null). */
static int jsScalar(JP *j, char **pz){
  size_t i0 = j->i;
  *pz = NULL;
  while( j->i<j->n && strchr("+-.0123456789eEtrufalsn", j->z[j->i]) ) j->i++;
  size_t n = j->i - i0;
  if( n==0 ) return 0;
  if( n==4 && memcmp(j->z+i0, "null", 4)==0 ) return 1;
  *pz = strndup(j->z+i0, n);
  if( *pz==NULL ) return 0;
  if( strcmp(*pz, "true")==0 || strcmp(*pz, "false")==0 || isNumber(*pz) ) return 1;
  free(*pz);
  *pz = NULL;
  return 0;
}

/* One line into the empty record r: {"kind":"...", "name": value, ...};
** lists only of strings. */
static int parseJsonLine(Imp *p, Rec *r, const char *z, size_t n){
  JP j = { z, 0, n };
  const char *zKind;
  jsWs(&j);
  if( j.i>=j.n || z[j.i++]!='{' ) goto bad;
  jsWs(&j);
  if( j.i<j.n && z[j.i]=='}' ) goto bad;
  for(;;){
    char *zName = NULL, *zVal = NULL;
    jsWs(&j);
    if( !jsString(&j, &zName) ) goto bad;
    jsWs(&j);
    if( j.i>=j.n || z[j.i++]!=':' ){ free(zName); goto bad; }
    jsWs(&j);
    if( j.i<j.n && z[j.i]=='[' ){
      j.i++;
      jsWs(&j);
      if( r->azList ){ free(zName); return recErr(p, r, FAKT_SYNTAX, "more than one list"); }
      while( j.i<j.n && z[j.i]!=']' ){
        char *zItem;
        if( !jsString(&j, &zItem) ){ free(zName); goto bad; }
        if( listAdd(p, &r->azList, &r->nList, zItem) ){ free(zName); return p->rc; }
        jsWs(&j);
        if( j.i<j.n && z[j.i]==',' ){ j.i++; jsWs(&j); }
      }
      if( j.i>=j.n ){ free(zName); goto bad; }
      j.i++;
      free(zName);
    }else if( j.i<j.n && z[j.i]=='"' ){
      if( !jsString(&j, &zVal) ){ free(zName); goto bad; }
      if( recSet(p, r, zName, zVal) ) return p->rc;
    }else{
      if( !jsScalar(&j, &zVal) ){ free(zName); goto bad; }
      if( recSet(p, r, zName, zVal) ) return p->rc;
    }
    jsWs(&j);
    if( j.i<j.n && z[j.i]==',' ){ j.i++; continue; }
    if( j.i<j.n && z[j.i]=='}' ){ j.i++; break; }
    goto bad;
  }
  jsWs(&j);
  if( j.i!=j.n ) goto bad;
  zKind = recGet(r, "kind");
  if( !kindOf(zKind, &r->eKind) ){
    return recErr(p, r, FAKT_SYNTAX, "\"kind\" must be predicate, entity, source, claim or rule");
  }
  return FAKT_OK;
bad:
  return recErr(p, r, FAKT_SYNTAX, "not a JSON object of strings, numbers and string lists (at byte %d)",
                (int)j.i+1);
}

/* ================================================================ lines */

/* An input file read line by line. */
typedef struct LineIn {
  FILE *f;
  int iFile;                 /* index into Imp.azFile */
  int iLine;                 /* number of the last line read (1-based) */
  char *z;                   /* that line, without its "\n"; NUL-terminated */
  size_t n, nAlloc;
} LineIn;

/*
** Read the next line into pIn->z (bAppend: after what is there, for a CSV
** record that goes on). Returns 1 for a line, 0 at the end of the file, or
** -1 with p->rc set: a line longer than IMPORT_MAX_LINE, a NUL byte, a read
** error, out of memory.
*/
static int lineRead(Imp *p, LineIn *pIn, int bAppend){
  FILE *f = pIn->f;
  int c = EOF, bAny = 0;
  if( !bAppend ) pIn->n = 0;
  pIn->iLine++;
  for(;;){
    c = getc_unlocked(f);
    if( c==EOF ){
      /* a signal (Ctrl-C in the shell) ends a read of a pipe or terminal:
      ** stop if it was an interrupt, else read on */
      if( ferror(f) && errno==EINTR ){
        if( impInterrupted(p) ) return -1;
        clearerr(f);
        continue;
      }
      break;
    }
    bAny = 1;
    if( c=='\n' ) break;
    if( c==0 ){
      return impErr(p, FAKT_SYNTAX, "%s:%d: a NUL byte in the line", p->azFile[pIn->iFile], pIn->iLine), -1;
    }
    if( pIn->n+2 > pIn->nAlloc ){
      if( pIn->n >= IMPORT_MAX_LINE ){
        return impErr(p, FAKT_TOOBIG, "%s:%d: line longer than %d MiB", p->azFile[pIn->iFile], pIn->iLine,
                      IMPORT_MAX_LINE>>20), -1;
      }
      size_t nNew = pIn->nAlloc ? pIn->nAlloc*2 : 4096;
      if( nNew > IMPORT_MAX_LINE+2 ) nNew = IMPORT_MAX_LINE+2;
      char *zNew = realloc(pIn->z, nNew);
      if( zNew==NULL ) return impErr(p, FAKT_NOMEM, "out of memory"), -1;
      pIn->z = zNew;
      pIn->nAlloc = nNew;
    }
    pIn->z[pIn->n++] = (char)c;
  }
  if( ferror(f) ){
    return impErr(p, FAKT_IOERR, "cannot read \"%s\": %s", p->azFile[pIn->iFile], strerror(errno)), -1;
  }
  if( pIn->z ) pIn->z[pIn->n] = 0;
  if( !bAny ){ pIn->iLine--; return 0; }
  return 1;
}

/* Add zPath to the file names; -1 (p->rc set) if out of memory. */
static int addFile(Imp *p, const char *zPath){
  if( p->nFile >= (int)(sizeof(p->azFile)/sizeof(p->azFile[0])) ){
    return impErr(p, FAKT_MISUSE, "too many import files"), -1;
  }
  p->azFile[p->nFile] = strdup(zPath);
  if( p->azFile[p->nFile]==NULL ) return impErr(p, FAKT_NOMEM, "out of memory"), -1;
  return p->nFile++;
}

/* Open zPath as input file iFile. FAKT_OK, or FAKT_CANTOPEN. */
static int lineOpen(Imp *p, LineIn *pIn, int iFile){
  memset(pIn, 0, sizeof(*pIn));
  pIn->iFile = iFile;
  pIn->f = fopen(p->azFile[iFile], "rb");
  if( pIn->f==NULL ){
    return impErr(p, FAKT_CANTOPEN, "cannot open \"%s\": %s", p->azFile[iFile], strerror(errno));
  }
  return FAKT_OK;
}

static void lineClose(LineIn *pIn){
  if( pIn->f ) fclose(pIn->f);
  free(pIn->z);
  memset(pIn, 0, sizeof(*pIn));
}

/* Read a JSON Lines file and run each record as it is read (streamRecord). */
static int readJsonl(Imp *p, const char *zPath){
  LineIn in;
  Rec r;                     /* the record of the line: one at a time */
  int iFile = addFile(p, zPath);
  if( iFile<0 || lineOpen(p, &in, iFile) ) return p->rc;
  while( p->rc==FAKT_OK && impInterrupted(p)==FAKT_OK && lineRead(p, &in, 0)==1 ){
    size_t k = 0;
    while( k<in.n && (in.z[k]==' ' || in.z[k]=='\t' || in.z[k]=='\r') ) k++;
    if( k==in.n ) continue;
    recInit(&r, iFile, in.iLine);
    if( parseJsonLine(p, &r, in.z, in.n)==FAKT_OK ) streamRecord(p, &r);
    recFree(&r);
  }
  lineClose(&in);
  return p->rc;
}

/* ================================================================ CSV */

/* The next record of CSV text z[*pi..n): fields into *paz (malloc'd; NULL for
** an empty unquoted field). Returns 1 for a record, 0 at the end, -1 bad,
** -2 out of memory. */
static int csvRecord(const char *z, size_t n, size_t *pi, int *piLine, char ***paz, int *pnField){
  size_t i = *pi;
  char **az = NULL;
  int nF = 0, rc = -1;
  if( i>=n ) return 0;
  for(;;){
    Str s = {0};
    int bQuoted = 0;
    if( i<n && z[i]=='"' ){
      bQuoted = 1;
      i++;
      for(;;){
        if( i>=n ){ faktStrFree(&s); goto bad; }
        if( z[i]=='"' ){
          if( i+1<n && z[i+1]=='"' ){ faktStrAppend(&s, "\"", 1); i += 2; continue; }
          i++;
          break;
        }
        if( z[i]=='\n' ) (*piLine)++;
        faktStrAppend(&s, z+i, 1);
        i++;
      }
    }else{
      size_t k = i;
      while( k<n && z[k]!=',' && z[k]!='\n' && z[k]!='\r' ) k++;
      faktStrAppend(&s, z+i, k-i);
      i = k;
    }
    char **azNew = s.bOom ? NULL : realloc(az, sizeof(char*)*(size_t)(nF+1));
    if( azNew==NULL ){ faktStrFree(&s); rc = -2; goto bad; }
    az = azNew;
    az[nF++] = (s.n || bQuoted) ? (s.z ? s.z : strdup("")) : NULL;
    if( !(s.n || bQuoted) ) faktStrFree(&s);
    else if( az[nF-1]==NULL ){ rc = -2; goto bad; }
    if( i<n && z[i]==',' ){ i++; continue; }
    if( i<n && z[i]=='\r' ) i++;
    if( i<n && z[i]=='\n' ){ i++; (*piLine)++; break; }
    if( i>=n ) break;
    goto bad;
  }
  *pi = i;
  *paz = az;
  *pnField = nF;
  return 1;
bad:
  for(int k=0; k<nF; k++) free(az[k]);
  free(az);
  return rc;
}

/* Free the nF fields of az, and az. */
static void csvFree(char **az, int nF){
  for(int k=0; k<nF; k++) free(az[k]);
  free(az);
}

/*
** The next CSV record of pIn: one line, and the lines after it while a
** quoted field is open (its line breaks are kept). Fields as csvRecord()
** gives them; *piStart is the record's first line. Returns 1 for a record,
** 0 at the end, -1 with p->rc set.
*/
static int csvNext(Imp *p, LineIn *pIn, char ***paz, int *pnF, int *piStart){
  int eState = 0;            /* 0 field start, 1 unquoted, 2 quoted, 3 '"' in quoted */
  size_t iScan = 0;
  int rc = lineRead(p, pIn, 0);
  if( rc<=0 ) return rc;
  *piStart = pIn->iLine;
  for(;;){
    for(; iScan<pIn->n; iScan++){
      char c = pIn->z[iScan];
      switch( eState ){
        case 0: eState = c=='"' ? 2 : c==',' ? 0 : 1; break;
        case 1: if( c==',' ) eState = 0; break;
        case 2: if( c=='"' ) eState = 3; break;
        default: eState = c=='"' ? 2 : c==',' ? 0 : 1; break;
      }
    }
    if( eState!=2 ) break;
    if( pIn->n+1 > IMPORT_MAX_LINE ){
      return impErr(p, FAKT_TOOBIG, "%s:%d: CSV record longer than %d MiB", p->azFile[pIn->iFile],
                    *piStart, IMPORT_MAX_LINE>>20), -1;
    }
    /* the quoted field goes on: keep the line break, read the next line */
    size_t n0 = pIn->n;
    rc = lineRead(p, pIn, 1);
    if( rc<0 ) return -1;
    if( rc==0 ){
      return impErr(p, FAKT_SYNTAX, "%s:%d: bad CSV (an unclosed quote)", p->azFile[pIn->iFile], *piStart), -1;
    }
    /* lineRead() appended the line at n0; put the "\n" in front of it */
    if( pIn->n+2 > pIn->nAlloc ){
      char *zNew = realloc(pIn->z, pIn->n+2);
      if( zNew==NULL ) return impErr(p, FAKT_NOMEM, "out of memory"), -1;
      pIn->z = zNew;
      pIn->nAlloc = pIn->n+2;
    }
    memmove(pIn->z+n0+1, pIn->z+n0, pIn->n-n0+1);
    pIn->z[n0] = '\n';
    pIn->n++;
    iScan = n0;
  }
  size_t i = 0;
  int iLine = *piStart;
  if( pIn->n==0 ){                   /* an empty line: one empty field */
    if( (*paz = calloc(1, sizeof(char*)))==NULL ) return impErr(p, FAKT_NOMEM, "out of memory"), -1;
    *pnF = 1;
    return 1;
  }
  rc = csvRecord(pIn->z, pIn->n, &i, &iLine, paz, pnF);
  if( rc==-2 ) return impErr(p, FAKT_NOMEM, "out of memory"), -1;
  if( rc<=0 || i!=pIn->n ){
    if( rc>0 ) csvFree(*paz, *pnF);
    return impErr(p, FAKT_SYNTAX, "%s:%d: bad CSV: a quoted field must end at a comma or the line end",
                  p->azFile[pIn->iFile], *piStart), -1;
  }
  return 1;
}

/*
** The aliases of aliases.csv, read before entities.csv: each entity's, in
** file order, wait for the entity's row (csvEntityAliases). Its size is
** that of aliases.csv.
*/
typedef struct AliasEnt {
  char *zEnt;                /* entity id (the key of AliasSet.map) */
  char **azAlias;            /* its aliases; NULL once given to its entity */
  int nAlias;
  int iLine;                 /* line of its first row in aliases.csv */
  int bUsed;                 /* given to a row of entities.csv */
} AliasEnt;

typedef struct AliasSet {
  Map map;                   /* entity id -> index into a */
  AliasEnt *a;
  int n, nAlloc;
  int iBad;                  /* first line of a row without entity or alias; 0 none */
  int iFile;                 /* aliases.csv in Imp.azFile; -1 if not read */
} AliasSet;

static void aliasFree(AliasSet *pA){
  for(int i=0; i<pA->n; i++){
    free(pA->a[i].zEnt);
    for(int k=0; k<pA->a[i].nAlias; k++) free(pA->a[i].azAlias[k]);
    free(pA->a[i].azAlias);
  }
  free(pA->a);
  mapFree(&pA->map);
}

/* A row of aliases.csv (entity,alias; columns by position) at line iLine:
** takes az[1]. */
static int csvAlias(Imp *p, AliasSet *pA, char **az, int nF, int iLine){
  if( nF<2 || az[0]==NULL || az[1]==NULL ){
    if( pA->iBad==0 ) pA->iBad = iLine;
    return FAKT_OK;
  }
  int i = mapFind(&pA->map, az[0]);
  if( i<0 ){
    if( pA->n==pA->nAlloc ){
      int nNew = pA->nAlloc ? pA->nAlloc*2 : 64;
      AliasEnt *aNew = realloc(pA->a, sizeof(AliasEnt)*(size_t)nNew);
      if( aNew==NULL ) return impErr(p, FAKT_NOMEM, "out of memory");
      pA->a = aNew;
      pA->nAlloc = nNew;
    }
    AliasEnt *e = &pA->a[pA->n];
    memset(e, 0, sizeof(*e));
    if( (e->zEnt = strdup(az[0]))==NULL ) return impErr(p, FAKT_NOMEM, "out of memory");
    e->iLine = iLine;
    i = pA->n++;
    if( mapSet(&pA->map, e->zEnt, i) ) return impErr(p, FAKT_NOMEM, "out of memory");
  }
  int rc = listAdd(p, &pA->a[i].azAlias, &pA->a[i].nAlias, az[1]);   /* takes az[1] */
  az[1] = NULL;
  return rc;
}

/* Give entity row r the aliases of its id (the first row of that id only). */
static void csvEntityAliases(AliasSet *pA, Rec *r){
  const char *zId = recGet(r, "id");
  int i = zId ? mapFind(&pA->map, zId) : -1;
  if( i<0 || pA->a[i].bUsed ) return;
  r->azList = pA->a[i].azAlias;
  r->nList = pA->a[i].nAlias;
  pA->a[i].azAlias = NULL;
  pA->a[i].nAlias = 0;
  pA->a[i].bUsed = 1;
}

/* After entities.csv: the first row of aliases.csv whose entity had no row
** there (or that names no entity or alias) is an error. */
static int aliasCheck(Imp *p, AliasSet *pA){
  int iLine = pA->iBad;
  for(int i=0; i<pA->n; i++){
    if( !pA->a[i].bUsed && (iLine==0 || pA->a[i].iLine<iLine) ) iLine = pA->a[i].iLine;
  }
  if( iLine==0 ) return FAKT_OK;
  return impErr(p, FAKT_NOTFOUND, "%s:%d: alias of an entity not in entities.csv", p->azFile[pA->iFile], iLine);
}

/* The fields of a row of a table (az, named by azHead) into the empty
** record r; takes the fields of az. */
static int csvRow(Imp *p, Rec *r, char **azHead, char **az, int nF){
  for(int k=0; k<nF && p->rc==0; k++){
    if( strcmp(azHead[k], "via")==0 && az[k] ){        /* space-separated ids */
      char *zSave = NULL;
      for(char *t = strtok_r(az[k], " ", &zSave); t && p->rc==0; t = strtok_r(NULL, " ", &zSave)){
        char *zT = strdup(t);
        if( zT==NULL ) impErr(p, FAKT_NOMEM, "out of memory");
        else listAdd(p, &r->azList, &r->nList, zT);
      }
      free(az[k]);
    }else{
      recSet(p, r, strdup(azHead[k]), az[k]);
    }
    az[k] = NULL;
  }
  return p->rc;
}

/* The header of a CSV file: each column named, no name twice. */
static int csvHeader(Imp *p, char **azHead, int nHead, int iFile, int iLine){
  for(int k=0; k<nHead; k++){
    if( azHead[k]==NULL || azHead[k][0]==0 ){
      return impErr(p, FAKT_SYNTAX, "%s:%d: column %d of the CSV header has no name", p->azFile[iFile], iLine, k+1);
    }
    for(int k2=0; k2<k; k2++){
      if( strcmp(azHead[k], azHead[k2])==0 ){
        return impErr(p, FAKT_SYNTAX, "%s:%d: column \"%s\" twice in the CSV header", p->azFile[iFile], iLine, azHead[k]);
      }
    }
  }
  return FAKT_OK;
}

/*
** Read DIR/FILE row by row: a table of kind eKind, each row run as it is
** read (streamRecord; an entity's row with its aliases from pA), or
** aliases.csv (eKind==R_N) into pA. A missing file is an empty table.
*/
static int readCsv(Imp *p, const char *zDir, const char *zName, Kind eKind, AliasSet *pA){
  char *zPath = faktMprintf("%s/%s", zDir, zName);
  char **azHead = NULL, **az;
  int nHead = 0, nF, iFile, rc, iStart = 1;
  LineIn in;
  Rec r;                     /* the record of the row: one at a time */
  if( zPath==NULL ) return impErr(p, FAKT_NOMEM, "out of memory");
  iFile = addFile(p, zPath);
  free(zPath);
  if( iFile<0 ) return p->rc;
  if( eKind==R_N ) pA->iFile = iFile;
  memset(&in, 0, sizeof(in));
  in.iFile = iFile;
  in.f = fopen(p->azFile[iFile], "rb");
  if( in.f==NULL ){
    return errno==ENOENT ? FAKT_OK : impErr(p, FAKT_CANTOPEN, "cannot open \"%s\": %s", p->azFile[iFile], strerror(errno));
  }
  rc = csvNext(p, &in, &azHead, &nHead, &iStart);
  if( rc>0 ) csvHeader(p, azHead, nHead, iFile, iStart);
  while( rc>0 && p->rc==FAKT_OK && impInterrupted(p)==FAKT_OK ){
    rc = csvNext(p, &in, &az, &nF, &iStart);
    if( rc<=0 ) break;
    if( nF==1 && az[0]==NULL ){ free(az); continue; }       /* empty line */
    if( nF!=nHead ){
      impErr(p, FAKT_SYNTAX, "%s:%d: %d fields, the header has %d", p->azFile[iFile], iStart, nF, nHead);
    }else if( eKind==R_N ){
      csvAlias(p, pA, az, nF, iStart);
    }else{
      recInit(&r, iFile, iStart);
      r.eKind = eKind;
      if( csvRow(p, &r, azHead, az, nF)==FAKT_OK ){
        if( eKind==R_ENT ) csvEntityAliases(pA, &r);
        streamRecord(p, &r);
      }
      recFree(&r);
    }
    csvFree(az, nF);
  }
  csvFree(azHead, nHead);
  lineClose(&in);
  return p->rc;
}

/* Read the CSV files of zDir: aliases.csv first (an entity's row needs its
** aliases), then the tables in the order of an export. */
static int readCsvDir(Imp *p, const char *zDir){
  AliasSet ali;
  static const char *const azName[] = {
    "aliases.csv", "predicates.csv", "entities.csv", "sources.csv", "claims.csv"
  };
  static const Kind aKind[] = { R_N, R_PRED, R_ENT, R_SRC, R_CLAIM };
  struct stat st;
  char *zProbe = faktMprintf("%s/entities.csv", zDir);
  memset(&ali, 0, sizeof(ali));
  ali.iFile = -1;
  /* stat, not open: opening a FIFO twice would lose its writer */
  if( zProbe==NULL ){
    impErr(p, FAKT_NOMEM, "out of memory");
  }else if( stat(zProbe, &st)!=0 ){
    impErr(p, FAKT_CANTOPEN, "cannot open \"%s\": %s", zProbe, strerror(errno));
  }
  free(zProbe);
  for(int i=0; i<5 && p->rc==FAKT_OK; i++){
    readCsv(p, zDir, azName[i], aKind[i], &ali);
    if( aKind[i]==R_ENT && p->rc==FAKT_OK ) aliasCheck(p, &ali);
  }
  aliasFree(&ali);
  return p->rc;
}

/* ================================================================ statements */

/*
** Run the statement text in p->sql; errors are reported at record r. With
** p->bTry, FAKT_NOTFOUND is returned without an error when the statement
** wrote nothing: it named something not yet defined, and changed nothing
** (a failed statement that wrote dooms the transaction, engine/write.c).
*/
static int runSql(Imp *p, const Rec *r){
  char *zMsg = NULL;
  if( p->sql.bOom ) return impErr(p, FAKT_NOMEM, "out of memory");
  uint64_t nWrite = faktStoreWrites(p->db->pTxn);
  int rc = fakt_exec(p->db, p->sql.z, NULL, NULL, &zMsg);
  if( rc==FAKT_NOTFOUND && p->bTry && faktStoreWrites(p->db->pTxn)==nWrite ){
    fakt_free(zMsg);
    return rc;
  }
  if( rc ){
    if( r ) recErr(p, r, rc, "%s", zMsg ? zMsg : fakt_errstr(rc));
    else impErr(p, rc, "%s", zMsg ? zMsg : fakt_errstr(rc));
  }
  fakt_free(zMsg);
  return rc;
}

static int needIdent(Imp *p, const Rec *r, const char *zField, int bRequired, const char **pz){
  const char *z = recGet(r, zField);
  *pz = z;
  if( z==NULL ){
    if( bRequired ) return recErr(p, r, FAKT_SYNTAX, "%s has no \"%s\"", azKind[r->eKind], zField);
    return FAKT_OK;
  }
  if( !isIdent(z) ) return recErr(p, r, FAKT_SYNTAX, "\"%s\" is not an identifier (field %s)", z, zField);
  return FAKT_OK;
}

static int needDate(Imp *p, const Rec *r, const char *zField, const char **pz){
  const char *z = recGet(r, zField);
  *pz = z;
  if( z && !isDate(z) ) return recErr(p, r, FAKT_SYNTAX, "\"%s\" is not a date (field %s)", z, zField);
  return FAKT_OK;
}

static int stmtPredicate(Imp *p, const Rec *r){
  const char *zId, *zType = recGet(r, "type"), *zSingle = recGet(r, "single");
  const char *zDoc = recGet(r, "doc");
  if( needIdent(p, r, "id", 1, &zId) ) return p->rc;
  if( zType && !isIdent(zType) ) return recErr(p, r, FAKT_SYNTAX, "bad predicate type \"%s\"", zType);
  Str *s = &p->sql;
  faktStrReset(s);
  faktStrPuts(s, "predicate "); faktStrPuts(s, zId);
  if( zType ){ faktStrPuts(s, " : "); faktStrPuts(s, zType); }
  if( zSingle && strcmp(zSingle, "true")==0 ) faktStrPuts(s, " single");
  if( zDoc ){ faktStrPuts(s, " "); faktEscFakt(s, zDoc); }
  faktStrPuts(s, ";");
  return runSql(p, r);
}

static int stmtEntity(Imp *p, const Rec *r){
  const char *zId, *zType, *zLabel = recGet(r, "label");
  const char *zLat = recGet(r, "lat"), *zLon = recGet(r, "lon");
  if( needIdent(p, r, "id", 1, &zId) || needIdent(p, r, "type", 1, &zType) ) return p->rc;
  if( zLabel==NULL ) return recErr(p, r, FAKT_SYNTAX, "entity %s has no label", zId);
  if( (zLat==NULL)!=(zLon==NULL) || (zLat && (!isNumber(zLat) || !isNumber(zLon))) ){
    return recErr(p, r, FAKT_SYNTAX, "entity %s: lat and lon must both be numbers", zId);
  }
  Str *s = &p->sql;
  faktStrReset(s);
  faktStrPuts(s, "entity "); faktStrPuts(s, zId); faktStrPuts(s, " "); faktStrPuts(s, zType);
  faktStrPuts(s, " "); faktEscFakt(s, zLabel);
  for(int i=0; i<r->nList; i++){
    faktStrPuts(s, i ? ", " : " aka ");
    faktEscFakt(s, r->azList[i]);
  }
  if( zLat ){ faktStrPuts(s, " at "); faktStrPuts(s, zLat); faktStrPuts(s, ", "); faktStrPuts(s, zLon); }
  faktStrPuts(s, ";");
  return runSql(p, r);
}

static int stmtSource(Imp *p, const Rec *r){
  const char *zId, *zOutlet, *zPub, *zTitle = recGet(r, "title"), *zText = recGet(r, "text");
  if( needIdent(p, r, "id", 1, &zId) || needIdent(p, r, "outlet", 0, &zOutlet)
      || needDate(p, r, "published", &zPub) ) return p->rc;
  if( zTitle==NULL ) return recErr(p, r, FAKT_SYNTAX, "source %s has no title", zId);
  Str *s = &p->sql;
  faktStrReset(s);
  faktStrPuts(s, "source "); faktStrPuts(s, zId); faktStrPuts(s, " "); faktEscFakt(s, zTitle);
  if( zOutlet ){ faktStrPuts(s, " by "); faktStrPuts(s, zOutlet); }
  if( zPub ){ faktStrPuts(s, " published @"); faktStrPuts(s, zPub); }
  if( zText ){ faktStrPuts(s, " text "); faktEscFakt(s, zText); }
  faktStrPuts(s, ";");
  return runSql(p, r);
}

/* The object of a claim as a term of the language, by its otype. */
static int claimObject(Imp *p, const Rec *r, Str *s){
  const char *zO = recGet(r, "o"), *zT = recGet(r, "otype"), *zUnit = recGet(r, "unit");
  if( zO==NULL || zT==NULL ) return recErr(p, r, FAKT_SYNTAX, "claim has no \"o\" or \"otype\"");
  if( strcmp(zT, "entity")==0 || strcmp(zT, "claim")==0 ){
    if( !isIdent(zO) ) return recErr(p, r, FAKT_SYNTAX, "\"%s\" is not an identifier (field o)", zO);
    faktStrPuts(s, zO);
  }else if( strcmp(zT, "string")==0 ){
    faktEscFakt(s, zO);
  }else if( strcmp(zT, "integer")==0 ){
    if( !isInteger(zO) ) return recErr(p, r, FAKT_SYNTAX, "\"%s\" is not an integer", zO);
    faktStrPuts(s, zO);
  }else if( strcmp(zT, "float")==0 ){
    if( !isNumber(zO) ) return recErr(p, r, FAKT_SYNTAX, "\"%s\" is not a number", zO);
    fkFloat(s, zO);
  }else if( strcmp(zT, "quantity")==0 ){
    if( !isNumber(zO) ) return recErr(p, r, FAKT_SYNTAX, "\"%s\" is not a number", zO);
    if( !isUnit(zUnit) ) return recErr(p, r, FAKT_SYNTAX, "bad unit \"%s\"", zUnit ? zUnit : "");
    faktStrPuts(s, zO);
    faktStrPuts(s, zUnit);
  }else if( strcmp(zT, "date")==0 ){
    if( !isDate(zO) ) return recErr(p, r, FAKT_SYNTAX, "\"%s\" is not a date", zO);
    faktStrPuts(s, "@"); faktStrPuts(s, zO);
  }else if( strcmp(zT, "boolean")==0 ){
    if( strcmp(zO, "true")!=0 && strcmp(zO, "false")!=0 ) return recErr(p, r, FAKT_SYNTAX, "\"%s\" is not a boolean", zO);
    faktStrPuts(s, zO);
  }else{
    return recErr(p, r, FAKT_SYNTAX, "unknown otype \"%s\"", zT);
  }
  return FAKT_OK;
}

static int stmtClaim(Imp *p, const Rec *r){
  const char *zId, *zS, *zP, *zSrc, *zBy, *zSt, *zHolds, *zUntil, *zSaid;
  const char *zQuote = recGet(r, "quote");
  if( needIdent(p, r, "id", 1, &zId) || needIdent(p, r, "s", 1, &zS)
      || needIdent(p, r, "p", 1, &zP) || needIdent(p, r, "source", 0, &zSrc)
      || needIdent(p, r, "by", 0, &zBy) || needIdent(p, r, "stance", 0, &zSt)
      || needDate(p, r, "holds", &zHolds) || needDate(p, r, "until", &zUntil)
      || needDate(p, r, "said", &zSaid) ) return p->rc;
  Str *s = &p->sql;
  faktStrReset(s);
  faktStrPuts(s, "claim "); faktStrPuts(s, zId); faktStrPuts(s, ": ");
  faktStrPuts(s, zS); faktStrPuts(s, " "); faktStrPuts(s, zP); faktStrPuts(s, " ");
  if( claimObject(p, r, s) ) return p->rc;
  if( zSrc ){ faktStrPuts(s, " from "); faktStrPuts(s, zSrc); }
  if( zBy ){ faktStrPuts(s, " by "); faktStrPuts(s, zBy); }
  for(int i=0; i<r->nList; i++){
    if( !isIdent(r->azList[i]) ) return recErr(p, r, FAKT_SYNTAX, "\"%s\" is not an identifier (via)", r->azList[i]);
    faktStrPuts(s, i ? ", " : " via ");
    faktStrPuts(s, r->azList[i]);
  }
  if( zSt ){ faktStrPuts(s, " stance "); faktStrPuts(s, zSt); }
  if( zUntil && !zHolds ) return recErr(p, r, FAKT_SYNTAX, "\"until\" without \"holds\"");
  if( zHolds ){ faktStrPuts(s, " holds @"); faktStrPuts(s, zHolds); }
  if( zUntil ){ faktStrPuts(s, " until @"); faktStrPuts(s, zUntil); }
  if( zSaid ){ faktStrPuts(s, " said @"); faktStrPuts(s, zSaid); }
  if( zQuote ){ faktStrPuts(s, " quote "); faktEscFakt(s, zQuote); }
  faktStrPuts(s, ";");
  return runSql(p, r);
}

/*
** A rule record: its text must be rule statements of its name and nothing
** else (checked one statement at a time, so an import never runs another
** kind of statement from a "rule" line), each run as it is.
*/
static int stmtRule(Imp *p, const Rec *r, const char *zName, const char *zText){
  const char *zAt = zText;
  while( *zAt ){
    fakt_stmt *pStmt = NULL;
    const char *zTail = NULL;
    int rc = fakt_prepare(p->db, zAt, -1, &pStmt, &zTail);
    if( rc ) return recErr(p, r, rc, "rule %s: %s", zName, fakt_errmsg(p->db));
    if( pStmt==NULL ) break;
    const char *zSql = fakt_sql(pStmt);
    size_t nName = strlen(zName);
    while( *zSql==' ' || *zSql=='\n' || *zSql=='\t' || *zSql=='\r' ) zSql++;
    if( strncmp(zSql, "rule ", 5)!=0 || strncmp(zSql+5, zName, nName)!=0
     || (zSql[5+nName]!='(' && zSql[5+nName]!=' ') ){
      fakt_finalize(pStmt);
      return recErr(p, r, FAKT_SYNTAX, "the text of rule %s holds another statement", zName);
    }
    rc = fakt_step(pStmt);
    fakt_finalize(pStmt);
    if( rc!=FAKT_DONE ) return recErr(p, r, rc, "rule %s: %s", zName, fakt_errmsg(p->db));
    zAt = zTail;
  }
  return FAKT_OK;
}

static void progress(Imp *p, int bFinal){
  if( p->xProgress && (bFinal || p->nRows % PROGRESS_EVERY==0) ){
    p->xProgress(p->pArg, p->nRows, p->nSkipped);
  }
}

/* Run the statement of record r (not a rule). */
static int runRecord(Imp *p, const Rec *r){
  switch( r->eKind ){
    case R_PRED: return stmtPredicate(p, r);
    case R_ENT:  return stmtEntity(p, r);
    case R_SRC:  return stmtSource(p, r);
    default:     return stmtClaim(p, r);
  }
}

/* Run r, but FAKT_NOTFOUND that changed nothing is returned, not an error. */
static int tryRecord(Imp *p, const Rec *r){
  p->bTry = 1;
  int rc = runRecord(p, r);
  p->bTry = 0;
  return rc;
}

/* One record stored: count it. */
static void stored(Imp *p){
  p->nRows++;
  progress(p, 0);
}

/*
** Record r as it is read (the reader's one record, which r is left empty
** or freed after): its statement runs, and it is stored, or kept in
** p->aKeep for the end when the statement named something the file may
** define later (an entity, predicate, source or claim: FAKT_NOTFOUND, and
** the statement changed nothing). A rule is always kept: its body may name
** any predicate of the file. Any other error fails the import (p->rc).
*/
static int streamRecord(Imp *p, Rec *r){
  if( r->eKind==R_RULE ) return keepRecord(p, r);
  if( impInterrupted(p) ) return p->rc;
  int rc = tryRecord(p, r);
  if( rc==FAKT_OK ) stored(p);
  else if( rc==FAKT_NOTFOUND && p->rc==FAKT_OK ) keepRecord(p, r);
  return p->rc;
}

/* Kept record r is stored: count it and free it. */
static void keptDone(Imp *p, Rec *r){
  r->bDone = 1;
  recFree(r);
  stored(p);
}

/* 1 if claim r names a claim of map left: as its subject, or as its
** object of otype claim. */
static int waitsFor(const Map *left, const Rec *r){
  const char *zS = recGet(r, "s"), *zO = recGet(r, "o"), *zT = recGet(r, "otype");
  return (zS && mapFind(left, zS)==1) || (zO && zT && strcmp(zT, "claim")==0 && mapFind(left, zO)==1);
}

/* The kept claims in rounds, until a round stores none (a claim may wait
** for another kept claim). */
static void keptRounds(Imp *p){
  int nStored = 1;
  while( nStored && p->rc==FAKT_OK ){
    nStored = 0;
    for(int i=0; i<p->nKeep && p->rc==FAKT_OK; i++){
      Rec *r = &p->aKeep[i];
      if( r->eKind!=R_CLAIM || r->bDone || impInterrupted(p) ) continue;
      if( tryRecord(p, r)==FAKT_OK ){ keptDone(p, r); nStored++; }
    }
  }
}

/*
** The kept claims (keptRounds). Of the claims left, the first by line that
** names no claim left runs again: the error of its statement. When every
** claim left names one (they wait for a cycle), the first by line is
** `claim X refers to a claim that cannot be stored before it (a cycle)`.
*/
static int runKeptClaims(Imp *p){
  while( p->rc==FAKT_OK ){
    Map left = {0};
    Rec *pFirst = NULL, *pFree = NULL;
    keptRounds(p);
    for(int i=0; i<p->nKeep && p->rc==FAKT_OK; i++){
      const Rec *r = &p->aKeep[i];
      const char *zId = recGet(r, "id");
      if( r->eKind==R_CLAIM && !r->bDone && zId && mapSet(&left, zId, 1) ) impErr(p, FAKT_NOMEM, "out of memory");
    }
    for(int i=0; i<p->nKeep && p->rc==FAKT_OK && pFree==NULL; i++){
      Rec *r = &p->aKeep[i];
      if( r->eKind!=R_CLAIM || r->bDone ) continue;
      if( pFirst==NULL ) pFirst = r;
      if( !waitsFor(&left, r) ) pFree = r;
    }
    mapFree(&left);
    if( p->rc || pFirst==NULL ) break;
    if( pFree==NULL ){
      recErr(p, pFirst, FAKT_CONSTRAINT, "claim %s refers to a claim that cannot be stored before it (a cycle)",
             recGet(pFirst, "id"));
    }else if( runRecord(p, pFree)==FAKT_OK ){      /* it failed in the last round */
      keptDone(p, pFree);
    }
  }
  return p->rc;
}

/*
** After the file: the kept records in the order predicates, entities,
** sources (each now an error if it fails), then the claims
** (runKeptClaims), then the rules.
*/
static int runKept(Imp *p){
  static const Kind aOrder[] = { R_PRED, R_ENT, R_SRC };
  for(int k=0; k<3 && p->rc==FAKT_OK; k++){
    for(int i=0; i<p->nKeep && p->rc==FAKT_OK; i++){
      Rec *r = &p->aKeep[i];
      if( r->eKind!=aOrder[k] || impInterrupted(p) ) continue;
      if( runRecord(p, r)==FAKT_OK ) keptDone(p, r);
    }
  }
  if( p->rc==FAKT_OK ) runKeptClaims(p);
  for(int i=0; i<p->nKeep && p->rc==FAKT_OK; i++){
    Rec *r = &p->aKeep[i];
    if( r->eKind!=R_RULE ) continue;
    const char *zName = recGet(r, "name"), *zText = recGet(r, "text");
    if( zName==NULL || !isIdent(zName) ) return recErr(p, r, FAKT_SYNTAX, "rule has no \"name\" identifier");
    if( zText==NULL ) return recErr(p, r, FAKT_SYNTAX, "rule %s has no \"text\"", zName);
    if( impInterrupted(p) ) break;
    if( stmtRule(p, r, zName, zText) ) break;
    keptDone(p, r);
  }
  return p->rc;
}

/* ================================================================ GeoNames */

/* 1 if zName folds like one of the names in azSeen[0..n). */
static int foldSeen(char **azSeen, int n, const char *zFold){
  for(int i=0; i<n; i++) if( strcmp(azSeen[i], zFold)==0 ) return 1;
  return 0;
}

static char *foldDup(const char *z){
  size_t n = strlen(z), nOut = 2*n+1;
  char *zOut = malloc(nOut);
  if( zOut ) faktFold(z, n, zOut, nOut);
  return zOut;
}

/* Declare predicate zName unless it exists. */
static int geoPredicate(Imp *p, const char *zName, const char *zDecl){
  fakt_stmt *pStmt = NULL;
  int bHave = 0;
  if( fakt_prepare(p->db, "find ?p where predicate(?p), ?p = $p;", -1, &pStmt, NULL)==FAKT_OK ){
    if( fakt_bind_entity(pStmt, 1, zName)==FAKT_OK && fakt_step(pStmt)==FAKT_ROW ) bHave = 1;
    fakt_finalize(pStmt);
  }
  if( bHave ) return FAKT_OK;
  faktStrReset(&p->sql);
  faktStrPuts(&p->sql, zDecl);
  return runSql(p, NULL);
}

/*
** One GeoNames row (tab-separated: geonameid, name, asciiname,
** alternatenames, latitude, longitude, feature class, feature code, country
** code, cc2, admin1..4, population, ...). Returns 1 stored, 0 skipped, or an
** error code < 0 (p->rc set).
*/
static int geoRow(Imp *p, char *zLine, int iFile, int iLine){
  char *az[19];
  int n = 0;
  for(char *c = zLine; n<19; ){
    az[n++] = c;
    char *t = strchr(c, '\t');
    if( t==NULL ) break;
    *t = 0;
    c = t+1;
  }
  if( n<15 || !isDigits(az[0]) || az[1][0]==0 || !isNumber(az[4]) || !isNumber(az[5]) ) return 0;
  double lat = strtod(az[4], NULL), lon = strtod(az[5], NULL);
  if( lat<-90 || lat>90 || lon<-180 || lon>180 ) return 0;
  /* names: the label, then asciiname and the alternates, distinct by folding */
  char *azSeen[IMPORT_MAX_ALIAS+1];
  const char *azAlias[IMPORT_MAX_ALIAS];
  int nSeen = 0, nAlias = 0;
  azSeen[nSeen++] = foldDup(az[1]);
  char *zAlt = az[3];
  const char *zNext = az[2];
  while( zNext && nAlias<IMPORT_MAX_ALIAS ){
    const char *zName = zNext;
    if( zAlt && *zAlt ){
      char *zComma = strchr(zAlt, ',');
      if( zComma ) *zComma = 0;
      zNext = zAlt;
      zAlt = zComma ? zComma+1 : NULL;
    }else{
      zNext = NULL;
    }
    if( zName[0]==0 || strlen(zName)>400 ) continue;
    char *zF = foldDup(zName);
    if( zF==NULL || zF[0]==0 || foldSeen(azSeen, nSeen, zF) ){ free(zF); continue; }
    azSeen[nSeen++] = zF;
    azAlias[nAlias++] = zName;
  }
  Str *s = &p->sql;
  faktStrReset(s);
  faktStrPuts(s, "entity gn_"); faktStrPuts(s, az[0]); faktStrPuts(s, " city "); faktEscFakt(s, az[1]);
  for(int i=0; i<nAlias; i++){ faktStrPuts(s, i ? ", " : " aka "); faktEscFakt(s, azAlias[i]); }
  faktStrPuts(s, " at "); faktStrPuts(s, az[4]); faktStrPuts(s, ", "); faktStrPuts(s, az[5]); faktStrPuts(s, ";");
  if( isDigits(az[14]) ){
    faktStrPuts(s, "\nclaim gn_"); faktStrPuts(s, az[0]); faktStrPuts(s, "_population: gn_");
    faktStrPuts(s, az[0]); faktStrPuts(s, " population "); faktStrPuts(s, az[14]); faktStrPuts(s, ";");
  }
  if( isIdent(az[8]) ){
    faktStrPuts(s, "\nclaim gn_"); faktStrPuts(s, az[0]); faktStrPuts(s, "_country: gn_");
    faktStrPuts(s, az[0]); faktStrPuts(s, " country_code "); faktEscFakt(s, az[8]); faktStrPuts(s, ";");
  }
  for(int i=0; i<nSeen; i++) free(azSeen[i]);
  Rec r;
  memset(&r, 0, sizeof(r));
  r.iFile = iFile;
  r.iLine = iLine;
  return runSql(p, &r) ? -1 : 1;
}

static int importGeonames(Imp *p, const char *zPath){
  LineIn in;
  int iFile = addFile(p, zPath);
  if( iFile<0 || lineOpen(p, &in, iFile) ) return p->rc;
  if( geoPredicate(p, "population", "predicate population : number \"number of inhabitants (GeoNames)\";")
      || geoPredicate(p, "country_code", "predicate country_code : string single \"ISO 3166 country code (GeoNames)\";") ){
    lineClose(&in);
    return p->rc;
  }
  while( p->rc==FAKT_OK && impInterrupted(p)==FAKT_OK && lineRead(p, &in, 0)==1 ){
    size_t n = in.n;
    while( n>0 && in.z[n-1]=='\r' ) in.z[--n] = 0;
    if( n==0 || in.z[0]=='#' ) continue;
    int rc = geoRow(p, in.z, iFile, in.iLine);
    if( rc<0 ) break;
    if( rc ) p->nRows++; else p->nSkipped++;
    if( (p->nRows + p->nSkipped) % PROGRESS_EVERY==0 && p->xProgress ){
      p->xProgress(p->pArg, p->nRows, p->nSkipped);
    }
  }
  lineClose(&in);
  return p->rc;
}

/* ================================================================ fakt_import */

/*
** Grow the map so that about nExpect more bytes fit before the import's
** transaction begins: inside an explicit transaction the store cannot grow
** (SPEC 11.5), so a large import would otherwise stop with FAKT_FULL. The
** store refuses to grow while other statements hold transactions; then the
** import runs with the room there is.
*/
static void reserveRoom(fakt *db, uint64_t nExpect){
  uint64_t nMap = 0, nUsed = 0;
  pthread_mutex_lock(&db->mutex);
  while( faktStoreInfo(db->pStore, &nMap, &nUsed)==FAKT_OK && nMap < nUsed + nExpect ){
    if( faktStoreGrow(db->pStore)!=FAKT_OK ) break;
  }
  pthread_mutex_unlock(&db->mutex);
}

/* Size of a file, or of the files of a directory (one level), 0 if unknown. */
static uint64_t inputSize(const char *zPath, int bDir){
  struct stat st;
  if( !bDir ) return stat(zPath, &st)==0 ? (uint64_t)st.st_size : 0;
  static const char *const az[] = { "predicates.csv", "entities.csv", "aliases.csv", "sources.csv", "claims.csv" };
  uint64_t n = 0;
  for(int i=0; i<5; i++){
    char *z = faktMprintf("%s/%s", zPath, az[i]);
    if( z && stat(z, &st)==0 ) n += (uint64_t)st.st_size;
    free(z);
  }
  return n;
}

int fakt_import(fakt *db, const char *zFormat, const char *zPath,
                fakt_progress xProgress, void *pArg,
                int64_t *pnRows, int64_t *pnSkipped, char **pzErr){
  Imp imp;
  memset(&imp, 0, sizeof(imp));
  imp.db = db;
  imp.xProgress = xProgress;
  imp.pArg = pArg;
  if( pzErr ) *pzErr = NULL;
  if( pnRows ) *pnRows = 0;
  if( pnSkipped ) *pnSkipped = 0;
  if( db==NULL ) return FAKT_MISUSE;
  imp.nInterrupt = db->nInterrupt;
  int eFmt = -1;
  if( zFormat ){
    if( strcmp(zFormat, "jsonl")==0 ) eFmt = 0;
    else if( strcmp(zFormat, "csv")==0 ) eFmt = 1;
    else if( strcmp(zFormat, "geonames")==0 ) eFmt = 2;
  }
  if( zFormat==NULL || zPath==NULL ){
    impErr(&imp, FAKT_MISUSE, "misuse: fakt_import needs a format and a path");
  }else if( eFmt<0 ){
    impErr(&imp, FAKT_MISUSE, "unknown import format \"%s\" (use jsonl, csv or geonames)", zFormat);
  }else if( fakt_in_transaction(db) ){
    impErr(&imp, FAKT_MISUSE, "cannot import inside a transaction: commit or roll it back first");
  }
  if( imp.rc==FAKT_OK && !db->bReadonly ){
    /* about 12 bytes of store per byte of GeoNames input, 8 for jsonl/csv */
    reserveRoom(db, inputSize(zPath, eFmt==1) * (eFmt==2 ? 12 : 8));
  }
  if( imp.rc==FAKT_OK ){
    char *zMsg = NULL;
    int rc = fakt_exec(db, "begin;", NULL, NULL, &zMsg);
    if( rc ) impErr(&imp, rc, "cannot begin the import: %s", zMsg ? zMsg : fakt_errstr(rc));
    fakt_free(zMsg);
    if( rc==FAKT_OK ){
      if( eFmt==0 ) readJsonl(&imp, zPath);
      else if( eFmt==1 ) readCsvDir(&imp, zPath);
      else importGeonames(&imp, zPath);
      if( eFmt!=2 && imp.rc==FAKT_OK ) runKept(&imp);
      zMsg = NULL;
      if( imp.rc==FAKT_OK ){
        rc = fakt_exec(db, "commit;", NULL, NULL, &zMsg);
        if( rc ) impErr(&imp, rc, "commit failed: %s", zMsg ? zMsg : fakt_errstr(rc));
      }else{
        fakt_exec(db, "rollback;", NULL, NULL, &zMsg);
      }
      fakt_free(zMsg);
    }
  }
  if( imp.rc==FAKT_OK && xProgress ) xProgress(pArg, imp.nRows, imp.nSkipped);
  for(int i=0; i<imp.nKeep; i++) recFree(&imp.aKeep[i]);
  free(imp.aKeep);
  for(int i=0; i<imp.nFile; i++) free(imp.azFile[i]);
  faktStrFree(&imp.sql);
  int rc = imp.rc;
  if( rc ){
    pthread_mutex_lock(&db->mutex);
    faktDbError(db, rc, "%s", imp.zErr ? imp.zErr : fakt_errstr(rc));
    pthread_mutex_unlock(&db->mutex);
    if( pzErr ) *pzErr = imp.zErr; else free(imp.zErr);
    imp.nRows = 0;                /* nothing was stored */
  }else{
    free(imp.zErr);
  }
  if( pnRows ) *pnRows = imp.nRows;
  if( pnSkipped ) *pnSkipped = imp.nSkipped;
  return rc;
}
