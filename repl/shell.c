/*
** shell.c -- the fakt program: interactive REPL, batch scripts, output modes.
** Uses only the public API in fakt.h, plus libedit for line editing. Input
** from a terminal, stdin, -f FILE, -c TEXT and .read all takes one path:
** lines are gathered until fakt_complete() and then run by runText().
** This file: Ctrl-C, the input loop and main; shell.h lists the others.
*/
#include "shell.h"

#ifndef FAKT_DEFAULT_DB
# define FAKT_DEFAULT_DB "corpus.fakt"    /* the Makefile names build/ or PREFIX's */
#endif

/* Output modes and .limit's names, in the order of Mode and fakt_limits(). */
const char *const azModeName[] = {
  "table", "csv", "tsv", "json", "jsonl", "box", "markdown", "line", "list"
};
const char *const azLimitName[] = { "rows", "memory", "time" };


/* SIGINT: the database a running statement belongs to, and a flag. */
fakt *volatile pInterruptDb = 0;
volatile sig_atomic_t seenInterrupt = 0;

static void onSigint(int sig){
  (void)sig;
  seenInterrupt = 1;
  if( pInterruptDb ) fakt_interrupt(pInterruptDb);
}

double nowSeconds(void){
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec/1e9;
}

/* Report an error of a dot-command: FILE:LINE:1: error: ... in batch
** input, error: ... in the REPL. */
void dotErr(Shell *p, const char *zFmt, ...){
  va_list ap;
  if( p->pIn && p->pIn->in ) fprintf(stderr, "%s:%d:1: ", p->pIn->zName, p->pIn->iLine);
  fputs("error: ", stderr);
  va_start(ap, zFmt);
  vfprintf(stderr, zFmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  fflush(stderr);
}

/* 1 if a failure in pIn must stop all input: .bail on applies to scripts,
** -f, -c and stdin, never to lines typed at the REPL prompt. */
int bailOn(Shell *p, Input *pIn){
  return p->bBail && pIn->in!=0;
}

/* ==================================================================== */
/* Input loop                                                            */
/* ==================================================================== */

#define LINE_EOF  (-1)
#define LINE_INTR (-2)

/* Read one line (with its newline, if any) into *pBuf. Returns the length,
** LINE_EOF or LINE_INTR (Ctrl-C at the prompt). */
static long readLine(Shell *p, Input *pIn, Buf *pBuf){
  bufReset(pBuf);
  if( pIn->in ){
    int c;
    while( (c = getc(pIn->in))!=EOF ){
      char ch = (char)c;
      bufAppend(pBuf, &ch, 1);
      if( c=='\n' ) break;
    }
    if( pBuf->n==0 ) return LINE_EOF;
  }else{
    int n = 0;
    const char *z;
    seenInterrupt = 0;
    z = el_gets(p->el, &n);
    if( seenInterrupt ){
      seenInterrupt = 0;
      fputc('\n', stdout);
      return LINE_INTR;
    }
    if( z==0 || n<=0 ){ fputc('\n', stdout); return LINE_EOF; }
    bufAppend(pBuf, z, (size_t)n);
  }
  bufAppend(pBuf, "", 0);
  return (long)pBuf->n;
}

static int isDotLine(const char *z){
  while( *z==' ' || *z=='\t' ) z++;
  return *z=='.';
}

/* Process lines of pIn until end of input, .quit or bail. Lines are
** gathered until fakt_complete(); dot-commands stand on a line of their
** own between statements. Failures are counted in p->nErr. */
int processInput(Shell *p, Input *pIn){
  Buf line = {0}, acc = {0};
  int iStart = 0;
  long n;
  Input *pOuter = p->pIn;
  p->pIn = pIn;
  p->bCont = 0;
  while( !p->bQuit && !p->bStop && (n = readLine(p, pIn, &line))!=LINE_EOF ){
    if( n==LINE_INTR ){ bufReset(&acc); p->bCont = 0; continue; }
    pIn->iLine++;
    if( acc.n==0 && isDotLine(line.z) ){
      int iOnce = p->iOnce, bOnce = p->bOnce;
      if( pIn->in==0 ) editRemember(p, line.z);
      progressClear(p);
      if( p->bEcho ) fprintf(p->out, "%s%s", line.z, line.n && line.z[line.n-1]=='\n' ? "" : "\n");
      if( doDotCommand(p, pIn, line.z) ){
        p->nErr++;
        if( bailOn(p, pIn) ) p->bStop = 1;
      }
      if( bOnce && p->bOnce && p->iOnce==iOnce ) outputReset(p);   /* .once used up */
      if( pIn->in==0 ) p->bStop = 0;   /* a bail in .read ends that file only */
      continue;
    }
    if( acc.n==0 ) iStart = pIn->iLine;
    bufAppend(&acc, line.z, line.n);
    {
      const char *zRest = skipSpace(acc.z);
      if( zRest && zRest==acc.z+acc.n ){ bufReset(&acc); p->bCont = 0; continue; }
    }
    /* a NUL byte ends what fakt_complete() can see: run the text, so that
    ** fakt reports the NUL instead of the rest being dropped */
    if( fakt_complete(acc.z) || memchr(acc.z, 0, acc.n) ){
      p->bCont = 0;
      if( p->bEcho ){
        progressClear(p);
        fprintf(p->out, "%s%s", acc.z, acc.n && acc.z[acc.n-1]=='\n' ? "" : "\n");
      }
      if( pIn->in==0 ){
        editRemember(p, acc.z);
        runText(p, pIn, acc.z, acc.n, 1);
      }else{
        runText(p, pIn, acc.z, acc.n, iStart);
      }
      bufReset(&acc);
      if( p->bOnce ) outputReset(p);       /* .once: this was the next statement */
    }else{
      p->bCont = 1;
    }
  }
  if( acc.n>0 && !p->bQuit && !p->bStop ){   /* unfinished last statement */
    if( pIn->in==0 ) editRemember(p, acc.z);
    progressClear(p);
    if( p->bEcho ) fprintf(p->out, "%s\n", acc.z);
    runText(p, pIn, acc.z, acc.n, pIn->in ? iStart : 1);
  }
  progressClear(p);                      /* the input's own line, if shown */
  p->bCont = 0;
  p->pIn = pOuter;
  bufFree(&line);
  bufFree(&acc);
  return p->nErr;
}

/* ==================================================================== */
/* main                                                                  */
/* ==================================================================== */

static void usage(FILE *f){
  fprintf(f,
"Usage: fakt [OPTIONS] [DB]\n"
"Query and change a fakt database. With no DB, opens the corpus database\n"
"  %s\n"
"read-only: rules defined in the session live until it ends, and to change\n"
"the corpus, name its file (or a copy) as DB. A DB that does not\n"
"exist is created by the first statement that writes (or begin); a query or\n"
"a .schema before that is an error, \"no such database: DB\", and the file is\n"
"not created. DB :memory: is a private database that lives in memory (a\n"
"temporary file that is never visible) and is gone when fakt ends. On a\n"
"terminal fakt starts a REPL (enter .help there); otherwise it runs the\n"
"statements it reads from stdin.\n"
"\n"
"Options:\n"
"  -c TEXT               run the statements and dot-commands in TEXT (may be\n"
"                        repeated)\n"
"  -f FILE               run the script FILE (may be repeated)\n"
"  -cmd COMMAND          run COMMAND (a statement or dot-command) before the\n"
"                        input, after the init file (may be repeated)\n"
"  -init FILE            run FILE at start instead of ~/.faktrc\n"
"  -echo                 print each statement and command before running it\n"
"  -m, --mode MODE       output mode: table (default), box, markdown, csv, tsv,\n"
"                        json, jsonl, line, list\n"
"      --headers on|off  column names in table, csv and tsv output (default on)\n"
"      --no-headers      the same as --headers off\n"
"      --width N|auto    cut table cells at N columns (0: never); auto, the\n"
"                        default, cuts at %d on a terminal and never in a file\n"
"                        or a pipe\n"
"      --readonly        open the database read-only\n"
"      --bail            stop at the first failed statement of a script\n"
"      --version         print the version and exit\n"
"  -h, --help            print this help and exit\n"
"\n"
"-c and -f run in the order given, and then fakt exits. Errors are reported\n"
"as FILE:LINE:COL: error: MESSAGE (FILE is -c for -c text, <stdin> for stdin).\n"
"Exit status: 0 if all went well, 1 if a statement failed or the input ended\n"
"inside a transaction (begin without commit: it is rolled back), 2 on a usage\n"
"error.\n"
"At start fakt runs ~/.faktrc, if it exists (dot-commands such as .mode box,\n"
"statements), unless -init FILE names another file (-init /dev/null: none).\n"
"Environment: FAKT_HISTORY names the REPL history file (default ~/.fakt_history).\n",
  FAKT_DEFAULT_DB, DEFAULT_WIDTH);
}

static int usageError(const char *zFmt, const char *zArg){
  fputs("fakt: ", stderr);
  fprintf(stderr, zFmt, zArg);
  fputs("\nTry 'fakt --help' for more information.\n", stderr);
  return 2;
}

/* One -c or -f from the command line. */
typedef struct Action { int bFile; const char *z; } Action;

/* Match option zArg against zLong ("--mode") or zShort ("-m"); a value is
** taken from "--mode=x" or the next argument. Returns 1 on a match. */
static int optValue(int argc, char **argv, int *pi, const char *zLong,
                    const char *zShort, const char **pzVal){
  const char *z = argv[*pi];
  size_t n = zLong ? strlen(zLong) : 0;
  if( (zLong && strcmp(z, zLong)==0) || (zShort && strcmp(z, zShort)==0) ){
    *pzVal = *pi+1<argc ? argv[++*pi] : 0;
    return 1;
  }
  if( zLong && strncmp(z, zLong, n)==0 && z[n]=='=' ){
    *pzVal = z+n+1;
    return 1;
  }
  return 0;
}

static int runActions(Shell *p, const Action *a, int nAction){
  int i;
  for(i=0; i<nAction && !p->bQuit && !p->bStop; i++){
    Input in;
    memset(&in, 0, sizeof(in));
    if( a[i].bFile ){
      in.zName = a[i].z;
      in.zOrigin = a[i].z;
      in.in = fopen(a[i].z, "rb");
      if( in.in==0 ){
        fprintf(stderr, "fakt: cannot open \"%s\": %s\n", a[i].z, strerror(errno));
        p->nErr++;
        if( p->bBail ) break;
        continue;
      }
    }else{
      in.zName = "-c";
      in.in = fmemopen((void*)a[i].z, strlen(a[i].z), "r");
      if( in.in==0 ) oom();
    }
    processInput(p, &in);
    fclose(in.in);
  }
  return 0;
}

/* Run the init file: zInit (-init FILE; an error if it cannot be read),
** else ~/.faktrc if there is one, as sqlite3 runs ~/.sqliterc. */
static void runInitFile(Shell *p, const char *zInit){
  Input in;
  Buf path = {0};
  const char *zHome = getenv("HOME");
  memset(&in, 0, sizeof(in));
  if( zInit ){
    bufPuts(&path, zInit);
  }else{
    if( zHome==0 || zHome[0]==0 ) return;
    bufPuts(&path, zHome);
    bufPuts(&path, "/.faktrc");
  }
  in.in = fopen(path.z, "rb");
  if( in.in==0 ){
    if( zInit || errno!=ENOENT ){
      fprintf(stderr, "fakt: cannot open \"%s\": %s\n", path.z, strerror(errno));
      p->nErr++;
    }
    bufFree(&path);
    return;
  }
  if( p->bInteractive ) printf("Loading resources from %s\n", path.z);
  in.zName = path.z;
  in.zOrigin = path.z;
  processInput(p, &in);
  fclose(in.in);
  bufFree(&path);
}

/* Run each -cmd COMMAND (a statement or a dot-command), in order. */
static void runCmds(Shell *p, char **azCmd, int nCmd){
  int i;
  for(i=0; i<nCmd && !p->bQuit && !p->bStop; i++){
    Input in;
    memset(&in, 0, sizeof(in));
    in.zName = "-cmd";
    in.in = fmemopen((void*)azCmd[i], strlen(azCmd[i]), "r");
    if( in.in==0 ) oom();
    processInput(p, &in);
    fclose(in.in);
  }
}

static void setUtf8Locale(void){
  const char *zSet = setlocale(LC_CTYPE, "");
  if( zSet==0 || strcmp(nl_langinfo(CODESET), "UTF-8")!=0 ){
    if( setlocale(LC_CTYPE, "C.UTF-8")==0 ) setlocale(LC_CTYPE, "C");
  }
}

static void runRepl(Shell *p){
  Input in;
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = onSigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;                 /* no SA_RESTART: read() sees EINTR */
  sigaction(SIGINT, &sa, 0);
  setUtf8Locale();
  if( editInit(p) ){
    fprintf(stderr, "fakt: cannot start the line editor\n");
    editEnd(p);
    p->nErr++;
    return;
  }
  printf("fakt %s \xE2\x80\x94 enter .help for help\n", fakt_libversion());
  if( p->bReadonly ) printf("%s is open read-only\n", p->zDbPath);
  if( p->bPending ){
    printf("%s does not exist yet: the first statement that writes creates it\n", p->zDbPath);
  }
  fflush(stdout);
  memset(&in, 0, sizeof(in));
  in.zName = "<stdin>";
  p->bInteractive = 1;
  processInput(p, &in);
  editEnd(p);
}

/*
** fakt [OPTIONS] [DB]: see usage(). Exit status 0 when every statement and
** command succeeded, 1 when one failed or the database could not be opened,
** 2 on a usage error.
*/
int main(int argc, char **argv){
  Shell s;
  Action *aAction;
  char **azCmd;
  int nAction = 0, nCmd = 0, i, bReadonly = 0, bOpts = 1, flags, bRepl, bEcho = 0;
  const char *zDb = 0, *zInit = 0;
  memset(&s, 0, sizeof(s));
  s.out = stdout;
  s.zNull = xstrdup("");
  s.mode = MODE_TABLE;
  s.bHeaders = 1;
  s.nWidth = -1;
  s.bTty = isatty(1);
  s.nBusyMs = -1;
  s.nMapped = -1;
  s.bProgress = isatty(2);         /* a load's progress: on a terminal only */
  aAction = xmalloc(sizeof(Action)*(size_t)(argc>0 ? argc : 1));
  azCmd = xmalloc(sizeof(char*)*(size_t)(argc>0 ? argc : 1));
  for(i=1; i<argc; i++){
    const char *z = argv[i], *zVal = 0;
    int rc = -1;
    if( !bOpts || z[0]!='-' || z[1]==0 ){
      if( zDb ){ rc = usageError("more than one database given: \"%s\"", z); goto usage_done; }
      zDb = z;
      continue;
    }
    if( strcmp(z, "--")==0 ){ bOpts = 0; continue; }
    if( strcmp(z, "--help")==0 || strcmp(z, "-h")==0 ){ usage(stdout); rc = 0; goto usage_done; }
    if( strcmp(z, "--version")==0 ){ printf("fakt %s\n", fakt_libversion()); rc = 0; goto usage_done; }
    if( strcmp(z, "-echo")==0 || strcmp(z, "--echo")==0 ){ bEcho = 1; continue; }
    if( optValue(argc, argv, &i, "--cmd", "-cmd", &zVal) ){
      if( zVal==0 ){ rc = usageError("%s needs a command", z); goto usage_done; }
      azCmd[nCmd++] = (char*)zVal;
      continue;
    }
    if( optValue(argc, argv, &i, "--init", "-init", &zVal) ){
      if( zVal==0 ){ rc = usageError("%s needs a file", z); goto usage_done; }
      zInit = zVal;
      continue;
    }
    if( strcmp(z, "--readonly")==0 ){ bReadonly = 1; continue; }
    if( strcmp(z, "--bail")==0 ){ s.bBail = 1; continue; }
    if( strcmp(z, "--no-headers")==0 ){ s.bHeaders = 0; continue; }
    if( optValue(argc, argv, &i, "--mode", "-m", &zVal) ){
      if( zVal==0 ){ rc = usageError("%s needs a mode", z); goto usage_done; }
      if( parseMode(zVal, &s.mode) ){
        rc = usageError("unknown mode \"%s\": use " MODE_NAMES, zVal);
        goto usage_done;
      }
      continue;
    }
    if( optValue(argc, argv, &i, "--width", 0, &zVal) ){
      if( zVal==0 || (s.nWidth = parseWidth(zVal))==-2 ){
        rc = usageError("%s needs a number of columns (0: no limit) or auto", "--width");
        goto usage_done;
      }
      continue;
    }
    if( optValue(argc, argv, &i, "--headers", 0, &zVal) ){
      if( zVal && strcmp(zVal, "on")==0 ) s.bHeaders = 1;
      else if( zVal && strcmp(zVal, "off")==0 ) s.bHeaders = 0;
      else { rc = usageError("%s needs on or off", "--headers"); goto usage_done; }
      continue;
    }
    if( optValue(argc, argv, &i, 0, "-c", &zVal) || optValue(argc, argv, &i, 0, "-f", &zVal) ){
      if( zVal==0 ){ rc = usageError("%s needs an argument", z); goto usage_done; }
      aAction[nAction].bFile = z[1]=='f';
      aAction[nAction].z = zVal;
      nAction++;
      continue;
    }
    rc = usageError("unknown option \"%s\"", z);
usage_done:
    if( rc>=0 ){ free(aAction); free(azCmd); free(s.zNull); return rc; }
  }

  if( bReadonly ) flags = FAKT_OPEN_READONLY;
  else if( zDb ) flags = FAKT_OPEN_READWRITE|FAKT_OPEN_CREATE;
  else flags = FAKT_OPEN_READONLY;        /* the shipped corpus is not changed */
  if( openDb(&s, zDb ? zDb : FAKT_DEFAULT_DB, flags) ){
    if( !zDb ) fprintf(stderr, "fakt: build it with `make corpus`, or name a database: fakt FILE\n");
    free(aAction);
    free(azCmd);
    free(s.zNull);
    return 1;
  }

  bRepl = nAction==0 && isatty(0) && isatty(1);
  s.bInteractive = bRepl;
  runInitFile(&s, zInit);          /* -init FILE or ~/.faktrc, then -cmd */
  if( bEcho ) s.bEcho = 1;         /* as in sqlite3: after the init file */
  if( !s.bStop && !s.bQuit ) runCmds(&s, azCmd, nCmd);
  if( bRepl ) s.bStop = 0;         /* the REPL reports failures and stays */
  if( s.bQuit || s.bStop ){
    /* .quit or a bail in the init file or a -cmd: no more input */
  }else if( nAction>0 ){
    runActions(&s, aAction, nAction);
  }else if( bRepl ){
    runRepl(&s);
  }else{
    Input in;
    memset(&in, 0, sizeof(in));
    in.zName = "<stdin>";
    in.in = stdin;
    processInput(&s, &in);
  }
  if( outputReset(&s) ) s.nErr++;
  compClear(&s);
  closeDb(&s);
  free(s.zDbPath);
  free(s.zNull);
  freeList(s.azParamName, s.nParam);
  freeList(s.azParamValue, s.nParam);
  free(aAction);
  free(azCmd);
  fflush(stdout);
  return s.nErr ? 1 : 0;
}

