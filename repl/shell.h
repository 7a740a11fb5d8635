/*
** shell.h -- the fakt program's shared state and the functions its files
** share. repl/ is a client of the library like any other: it includes
** fakt.h and nothing else of fakt (make check-layers checks it), plus libc
** and libedit.
**
** Files: shell.c (Ctrl-C, the input loop, main), run.c (running statements),
** output.c (output modes), dot.c (dot-commands), edit.c (line editor,
** completion), text.c (checked memory, buffers, display width).
*/
#ifndef FAKT_SHELL_H
#define FAKT_SHELL_H

#include "fakt.h"

#include <dirent.h>
#include <errno.h>
#include <histedit.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>


#define DEFAULT_WIDTH 60   /* on a terminal, table cells are cut at this width */
#define TABLE_ROWS 1000    /* table mode sizes its columns on this many rows */
#define TABLE_BYTES (1<<20)  /* ... or on this many bytes of cells, if fewer */
#define WRITE_FAILED (-1)  /* runStmt(): stdout failed (a closed pipe, a full disk) */
#define MAX_READ_DEPTH 16  /* .read nesting limit */


/* A growable NUL-terminated byte buffer. */
typedef struct Buf {
  char *z;          /* the bytes, always NUL-terminated once allocated */
  size_t n;         /* bytes used, not counting the terminator */
  size_t nAlloc;    /* bytes allocated */
} Buf;


typedef enum Mode {
  MODE_TABLE, MODE_CSV, MODE_TSV, MODE_JSON, MODE_JSONL,
  MODE_BOX, MODE_MARKDOWN, MODE_LINE, MODE_LIST
} Mode;
extern const char *const azModeName[];      /* N_MODE names */
#define N_MODE 9
#define MODE_NAMES "table, box, markdown, csv, tsv, json, jsonl, line or list"

/* Limits of .limit, in the order of fakt_limits()'s arguments. */
extern const char *const azLimitName[];
#define N_LIMIT 3

/* Where lines come from: a FILE, or the line editor when in is NULL. */
typedef struct Input {
  const char *zName;     /* for messages: file name, "-c" or "<stdin>" */
  const char *zOrigin;   /* for fakt_set_origin(): a file name or NULL */
  FILE *in;              /* the stream; NULL for the interactive editor */
  int iLine;             /* lines read so far */
  int64_t nStmt;         /* statements run from it (its progress line) */
} Input;

typedef struct Shell {
  fakt *db;              /* the open database */
  char *zDbPath;         /* its path (owned) */
  int bReadonly;         /* opened read-only */
  int bPending;          /* zDbPath does not exist yet: db is a private
                         ** :memory: stand-in, and the first statement that
                         ** writes creates the file (pendingCreate()) */
  Mode mode;             /* output mode */
  int bHeaders;          /* column names in table, csv, tsv */
  int bTimer;            /* .timer on */
  int bExplain;          /* .explain on */
  int bBail;             /* stop at the first error */
  int bChanges;          /* .changes on */
  int nWidth;            /* table cell cut-off (0: none, -1: auto) */
  int bTty;              /* stdout is a terminal */
  int eWrite;            /* errno of a failed write to stdout */
  int nBusyMs;           /* .timeout: how long a write waits (-1: the library's default) */
  int64_t nMapped;       /* .mapped: fakt_set_mapped (-1: the library's default) */
  int bInteractive;      /* running the REPL */
  int nErr;              /* failed statements and commands so far */
  int bQuit;             /* .quit seen */
  int bStop;             /* bail: stop all input */
  int nDepth;            /* .read nesting */
  int bCont;             /* REPL: inside an unfinished statement */
  Input *pIn;            /* the input being processed (for messages) */
  EditLine *el;          /* line editor (REPL only) */
  History *hist;         /* its history */
  char *zHistFile;       /* history file (owned) */
  FILE *out;             /* where results go: stdout, or the .output/.once file */
  char *zOutFile;        /* its name (owned), NULL for stdout */
  int bOutPipe;          /* out is a pipe to a command (.output |CMD) */
  int bOnce;             /* .once: back to stdout after the next statement or command */
  int iOnce;             /* counts .once commands */
  char *zNull;           /* .nullvalue: the text shown for null (owned) */
  int bEcho;             /* -echo, .echo on: print each input before running it */
  int64_t aLimit[N_LIMIT]; /* .limit rows, memory (bytes), time (ms); 0: none */
  char **azParamName;    /* .parameter: names ("$who", "$1") (owned) */
  char **azParamValue;   /* ... and values, as fakt literals (owned) */
  int nParam;            /* entries in azParamName */
  char **azComp;         /* completion words from the database (owned) */
  char *abLabel;         /* abLabel[i]: azComp[i] is a label or alias */
  int nComp;             /* entries in azComp */
  int bCompValid;        /* azComp reflects the database */
  int bProgress;         /* stderr is a terminal: a load shows its progress there */
  int64_t nLoadShown;    /* statements of the running load shown so far (0: none) */
  int bScriptShown;      /* a script's progress line is on stderr */
} Shell;


typedef struct Out {
  Shell *p;                /* settings */
  FILE *f;                 /* destination */
  int nCol;                /* columns */
  const char *const *azName; /* column names (borrowed) */
  long nRow;               /* rows written or collected */
  Buf cells;               /* table: collected cell pointers (char*) */
  size_t nCellByte;        /* table: bytes of text in cells */
  int bStream;             /* table: widths fixed, rows printed as they come */
  int *aiWidth;            /* table: display width per column */
  int *abNum;              /* table: column is all numbers */
} Out;

/* The dot-commands (dot.c), nDot of them. */
typedef struct DotCmd {
  const char *zName;     /* without the dot */
  int nMin, nMax;        /* argument count range, the name included */
  int (*xCmd)(Shell*, int, char**);
  const char *zUsage;    /* for .help */
  const char *zHelp;
  const char *zMore;     /* for .help NAME: more lines, or NULL */
} DotCmd;
extern const DotCmd aDot[];
extern const int nDot;

/* SIGINT: the database a running statement belongs to, and a flag. */
extern fakt *volatile pInterruptDb;
extern volatile sig_atomic_t seenInterrupt;

/* text.c */
void oom(void);
void *xrealloc(void *p, size_t n);
void *xmalloc(size_t n);
char *xstrndup(const char *z, size_t n);
char *xstrdup(const char *z);
void bufAppend(Buf *b, const char *z, size_t n);
void bufPuts(Buf *b, const char *z);
void bufReset(Buf *b);
void bufFree(Buf *b);
int utf8Decode(const unsigned char *z, size_t n, unsigned *pc);
int cpWidth(unsigned c);
int strWidth(const char *z, size_t n);
int cpCount(const char *z, size_t n);
char *cellText(const char *z, int nMax, int *pW);

/* output.c */
int cellMax(Shell *p);
void jsonString(FILE *f, const char *z);
void outBegin(Out *o, Shell *p, int nCol, const char *const *azName);
void outRow(Out *o, const char *const *azVal, const int *aType, const double *aReal);
void outEnd(Out *o, int rc);
int outputReset(Shell *p);
int outputSet(Shell *p, const char *zFile, int bOnce);

/* run.c */
int runStmt(Shell *p, fakt_stmt *pStmt);
const char *skipSpace(const char *z);
int isIdentChar(int c);
const char *bindMsg(const char *zMsg);
int runText(Shell *p, Input *pIn, const char *zText, size_t nText, int iLine);
void dbProgress(Shell *p, fakt *db);
void progressClear(Shell *p);
void progressDone(Shell *p);
int collect(Shell *p, const char *zQuery, char ***pazOut, int *pn, char ***pazSecond);
void freeList(char **az, int n);
int printQuery(Shell *p, const char *zQuery);

/* dot.c */
int parseMode(const char *z, Mode *pm);
void closeDb(Shell *p);
int openDb(Shell *p, const char *zPath, int flags);
int pendingCreate(Shell *p);
int parseWidth(const char *z);
int doDotCommand(Shell *p, Input *pIn, const char *zLine);

/* edit.c */
void compClear(Shell *p);
int editInit(Shell *p);
void editEnd(Shell *p);
void editRemember(Shell *p, const char *z);

/* shell.c */
double nowSeconds(void);
void dotErr(Shell *p, const char *zFmt, ...);
int bailOn(Shell *p, Input *pIn);
int processInput(Shell *p, Input *pIn);

#endif /* FAKT_SHELL_H */
