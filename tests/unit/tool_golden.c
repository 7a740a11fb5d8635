/*
** tool_golden.c -- runs the golden tests (*.test files, tests/README.md).
**
**   tool_golden [--corpus DB] [--skip N] [--take N] [--filter SUBSTR]
**               [--rewrite] [-v] FILE.test...
**
** Each file runs on a fresh scratch database in a temporary directory, or,
** when it starts with `use corpus`, on a copy of the corpus database, so a
** test may write. Blocks (exec, query, ordered, error, check) run in file
** order on the same database; a check block has no statements and compares
** the report of the integrity check (fakt_check), "ok" when intact. A row
** is its column texts joined by "|", NULL as "NULL"; a newline inside a
** value is shown as "\n" so a row stays one line.
** --skip, --take and --filter choose which blocks are compared and counted;
** every block still runs, because later blocks see what earlier ones wrote.
** --filter matches "FILE:LABEL". --rewrite writes the actual output of the
** chosen blocks back into the file, keeping comments and layout.
** After the last block of a file, fakt_check must pass (one more count).
** Ends with "N passed, N failed" (one count per block); exit 1 on failure.
*/
#include "fakt.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

/* ==== Growing arrays of strings ==== */

typedef struct Lines {
  char **a;                /* the strings, each malloc'd */
  int n;                   /* number in use */
  int nAlloc;              /* allocated slots */
} Lines;

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (p == NULL) { fprintf(stderr, "tool_golden: out of memory\n"); exit(2); }
  return p;
}

static char *xstrndup(const char *z, size_t n) {
  char *p = xmalloc(n + 1);
  memcpy(p, z, n);
  p[n] = 0;
  return p;
}

static char *xstrdup(const char *z) { return xstrndup(z, strlen(z)); }

/* Append a copy of z[0..n) to pL. */
static void linesAddN(Lines *pL, const char *z, size_t n) {
  if (pL->n == pL->nAlloc) {
    int nNew = pL->nAlloc ? pL->nAlloc * 2 : 16;
    char **aNew = realloc(pL->a, sizeof(char *) * (size_t)nNew);
    if (aNew == NULL) { fprintf(stderr, "tool_golden: out of memory\n"); exit(2); }
    pL->a = aNew;
    pL->nAlloc = nNew;
  }
  pL->a[pL->n++] = xstrndup(z, n);
}

static void linesAdd(Lines *pL, const char *z) { linesAddN(pL, z, strlen(z)); }

/* Append each line of z (split at '\n') to pL. */
static void linesAddSplit(Lines *pL, const char *z) {
  const char *e;
  while ((e = strchr(z, '\n')) != NULL) {
    linesAddN(pL, z, (size_t)(e - z));
    z = e + 1;
  }
  linesAdd(pL, z);
}

static void linesFree(Lines *pL) {
  for (int i = 0; i < pL->n; i++) free(pL->a[i]);
  free(pL->a);
  memset(pL, 0, sizeof(*pL));
}

static int cmpStr(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ==== Growing byte buffer ==== */

typedef struct Buf {
  char *z;                 /* NUL-terminated contents */
  size_t n, nAlloc;        /* length, allocated size */
} Buf;

static void bufAppend(Buf *p, const char *z, size_t n) {
  if (p->n + n + 1 > p->nAlloc) {
    size_t nNew = (p->n + n + 1) * 2;
    char *zNew = realloc(p->z, nNew);
    if (zNew == NULL) { fprintf(stderr, "tool_golden: out of memory\n"); exit(2); }
    p->z = zNew;
    p->nAlloc = nNew;
  }
  memcpy(p->z + p->n, z, n);
  p->n += n;
  p->z[p->n] = 0;
}

static void bufAppendStr(Buf *p, const char *z) { bufAppend(p, z, strlen(z)); }

/* ==== Parsing a test file ==== */

enum { K_EXEC, K_QUERY, K_ORDERED, K_ERROR, K_CHECK, K_LOAD };
static const char *const azKind[] = { "exec", "query", "ordered", "error", "check", "load" };

typedef struct Block {
  int eKind;               /* K_* */
  int iLine;               /* 1-based line of the header */
  char *zLabel;            /* label (K_LOAD: the path) */
  int iText, nText;        /* statement text: line indexes [iText, iText+nText) */
  int iExp, nExp;          /* expected lines: [iExp, iExp+nExp) */
  int bChosen;             /* compared and counted (--skip/--take/--filter) */
  int bRewrite;            /* the actual output below replaces the expected */
  Lines got;               /* actual output for --rewrite */
} Block;

typedef struct TestFile {
  const char *zPath;       /* as given on the command line */
  Lines lines;             /* the file's lines, without '\n' */
  int bFinalNewline;       /* the file ended with '\n' */
  int bCorpus;             /* `use corpus` */
  Block *aBlock;           /* directives and blocks in file order */
  int nBlock;
} TestFile;

/* Options and totals of the run. */
typedef struct Run {
  const char *zCorpus;     /* --corpus */
  long nSkip;              /* --skip: blocks still to skip */
  long nTake;              /* --take: blocks still to take, -1 = all */
  const char *zFilter;     /* --filter */
  int bRewrite;            /* --rewrite */
  int bVerbose;            /* -v */
  int nPass, nFail;        /* per block */
} Run;

static int isBlank(const char *z) {
  while (*z == ' ' || *z == '\t' || *z == '\r') z++;
  return *z == 0;
}

/* Copy the first word of z (after leading blanks) into a new string; *pzRest
** is set past it. Returns NULL when there is no word. */
static char *firstWord(const char *z, const char **pzRest) {
  while (*z == ' ' || *z == '\t') z++;
  const char *zStart = z;
  while (*z && *z != ' ' && *z != '\t' && *z != '\r') z++;
  if (pzRest) *pzRest = z;
  if (z == zStart) return NULL;
  return xstrndup(zStart, (size_t)(z - zStart));
}

/* 1 if the rest of a directive line is blank or a `# comment`. */
static int restIsComment(const char *z) {
  while (*z == ' ' || *z == '\t' || *z == '\r') z++;
  return *z == 0 || *z == '#';
}

static int readFile(const char *zPath, Buf *pOut) {
  FILE *f = fopen(zPath, "rb");
  if (f == NULL) return -1;
  char aBuf[8192];
  size_t n;
  while ((n = fread(aBuf, 1, sizeof(aBuf), f)) > 0) bufAppend(pOut, aBuf, n);
  int bErr = ferror(f);
  fclose(f);
  if (pOut->z == NULL) bufAppend(pOut, "", 0);
  return bErr ? -1 : 0;
}

/* Report a problem with the file itself (not a block). */
static void fileFail(Run *pRun, const char *zPath, int iLine, const char *zFmt, ...)
  __attribute__((format(printf, 4, 5)));
static void fileFail(Run *pRun, const char *zPath, int iLine, const char *zFmt, ...) {
  va_list ap;
  printf("FAIL %s:%d: ", zPath, iLine);
  va_start(ap, zFmt);
  vprintf(zFmt, ap);
  va_end(ap);
  printf("\n");
  pRun->nFail++;
}

static void testFileFree(TestFile *pF) {
  for (int i = 0; i < pF->nBlock; i++) {
    free(pF->aBlock[i].zLabel);
    linesFree(&pF->aBlock[i].got);
  }
  free(pF->aBlock);
  linesFree(&pF->lines);
}

static Block *addBlock(TestFile *pF) {
  Block *aNew = realloc(pF->aBlock, sizeof(Block) * (size_t)(pF->nBlock + 1));
  if (aNew == NULL) { fprintf(stderr, "tool_golden: out of memory\n"); exit(2); }
  pF->aBlock = aNew;
  Block *p = &aNew[pF->nBlock++];
  memset(p, 0, sizeof(*p));
  return p;
}

/* Parse pF->lines into blocks. Returns 0, or -1 after reporting an error. */
static int parseTestFile(Run *pRun, TestFile *pF) {
  Lines *pL = &pF->lines;
  int i = 0;
  while (i < pL->n) {
    const char *z = pL->a[i];
    const char *zRest;
    if (isBlank(z)) { i++; continue; }
    const char *zt = z;
    while (*zt == ' ' || *zt == '\t') zt++;
    if (*zt == '#') { i++; continue; }
    char *zWord = firstWord(z, &zRest);
    int eKind = -1;
    for (int k = 0; k <= K_CHECK; k++) {
      if (strcmp(zWord, azKind[k]) == 0) eKind = k;
    }
    if (strcmp(zWord, "use") == 0) {
      free(zWord);
      char *zWhat = firstWord(zRest, &zRest);
      int bOk = zWhat && strcmp(zWhat, "corpus") == 0 && restIsComment(zRest);
      free(zWhat);
      if (!bOk) {
        fileFail(pRun, pF->zPath, i + 1, "parse error: expected `use corpus`");
        return -1;
      }
      if (pF->nBlock > 0) {
        fileFail(pRun, pF->zPath, i + 1, "parse error: `use corpus` must come first");
        return -1;
      }
      pF->bCorpus = 1;
      i++;
      continue;
    }
    if (strcmp(zWord, "load") == 0) {
      free(zWord);
      while (*zRest == ' ' || *zRest == '\t') zRest++;
      char *zPath;
      if (*zRest == '"') {
        const char *zEnd = strchr(zRest + 1, '"');
        if (zEnd == NULL || !restIsComment(zEnd + 1)) {
          fileFail(pRun, pF->zPath, i + 1, "parse error: bad load path");
          return -1;
        }
        zPath = xstrndup(zRest + 1, (size_t)(zEnd - zRest - 1));
      } else {
        zPath = firstWord(zRest, &zRest);
        if (zPath == NULL || !restIsComment(zRest)) {
          free(zPath);
          fileFail(pRun, pF->zPath, i + 1, "parse error: bad load path");
          return -1;
        }
      }
      Block *p = addBlock(pF);
      p->eKind = K_LOAD;
      p->iLine = i + 1;
      p->zLabel = zPath;
      i++;
      continue;
    }
    free(zWord);
    if (eKind < 0) {
      fileFail(pRun, pF->zPath, i + 1,
               "parse error: expected exec, query, ordered, error, check, use or load");
      return -1;
    }
    char *zLabel = firstWord(zRest, &zRest);
    if (zLabel == NULL || zLabel[0] == '#' || !restIsComment(zRest)) {
      free(zLabel);
      fileFail(pRun, pF->zPath, i + 1, "parse error: a block needs one label");
      return -1;
    }
    Block *p = addBlock(pF);
    p->eKind = eKind;
    p->iLine = i + 1;
    p->zLabel = zLabel;
    p->iText = ++i;
    while (i < pL->n) {
      const char *zl = pL->a[i];
      size_t n = strlen(zl);
      while (n > 0 && (zl[n - 1] == ' ' || zl[n - 1] == '\t' || zl[n - 1] == '\r')) n--;
      if (n == 4 && memcmp(zl, "----", 4) == 0) break;
      i++;
    }
    if (i >= pL->n) {
      fileFail(pRun, pF->zPath, p->iLine, "parse error: block %s has no ---- line", zLabel);
      return -1;
    }
    p->nText = i - p->iText;
    p->iExp = ++i;
    while (i < pL->n && !isBlank(pL->a[i])) i++;
    p->nExp = i - p->iExp;
  }
  return 0;
}

/* ==== Running statements ==== */

/* A block that yields more rows than this is stopped and fails (a runaway). */
#define MAX_ROWS 10000

/* Render one row of pStmt into pOut (columns joined by "|"). */
static void renderRow(fakt_stmt *pStmt, Buf *pOut) {
  int nCol = fakt_column_count(pStmt);
  for (int c = 0; c < nCol; c++) {
    if (c > 0) bufAppend(pOut, "|", 1);
    const char *z = fakt_column_text(pStmt, c);
    if (z == NULL || fakt_column_type(pStmt, c) == FAKT_NULL) {
      bufAppendStr(pOut, "NULL");
      continue;
    }
    for (; *z; z++) {
      if (*z == '\n') bufAppend(pOut, "\\n", 2);
      else bufAppend(pOut, z, 1);
    }
  }
}

/*
** Run every statement of zText on db. Each row goes to pRows; on failure
** *pzErr receives a copy of fakt_errmsg() and the run stops. Positions count
** from the first line of zText: before each statement the origin is set to
** its line and column within zText.
*/
static int runText(fakt *db, const char *zText, Lines *pRows, char **pzErr) {
  const char *z = zText;
  int iLine = 1, iCol = 1;
  const char *zPos = zText;   /* iLine/iCol are the position of zPos */
  *pzErr = NULL;
  for (;;) {
    for (; zPos < z; zPos++) {
      if (*zPos == '\n') { iLine++; iCol = 1; }
      else if ((*zPos & 0xC0) != 0x80) iCol++;
    }
    fakt_set_origin(db, NULL, iLine, iCol);
    fakt_stmt *pStmt = NULL;
    const char *zTail = NULL;
    int rc = fakt_prepare(db, z, -1, &pStmt, &zTail);
    if (rc != FAKT_OK) {
      *pzErr = xstrdup(fakt_errmsg(db));
      fakt_finalize(pStmt);
      return rc;
    }
    if (pStmt == NULL) break;
    for (;;) {
      rc = fakt_step(pStmt);
      if (rc == FAKT_ROW && pRows->n >= MAX_ROWS) {
        char zMsg[80];
        snprintf(zMsg, sizeof(zMsg), "tool_golden: more than %d rows, stopped", MAX_ROWS);
        *pzErr = xstrdup(zMsg);
        fakt_finalize(pStmt);
        return FAKT_LIMIT;
      }
      if (rc == FAKT_ROW) {
        Buf row = {0};
        renderRow(pStmt, &row);
        linesAdd(pRows, row.z ? row.z : "");
        free(row.z);
        continue;
      }
      break;
    }
    if (rc != FAKT_DONE) {
      *pzErr = xstrdup(fakt_errmsg(db));
      fakt_finalize(pStmt);
      return rc;
    }
    fakt_finalize(pStmt);
    if (zTail == NULL || zTail <= z || *zTail == 0) break;
    z = zTail;
  }
  return FAKT_OK;
}

/* A check block: the integrity check's report (fakt_check), one row per
** line ("ok" when the database is intact). */
static int runCheck(fakt *db, Lines *pRows, char **pzErr) {
  char *zReport = NULL;
  int rc = fakt_check(db, &zReport);
  *pzErr = NULL;
  if (zReport) linesAddSplit(pRows, zReport);
  else if (rc != FAKT_OK) *pzErr = xstrdup(fakt_errmsg(db));
  fakt_free(zReport);
  return rc;
}

/* ==== Comparing and reporting ==== */

/* At most this many diff lines are printed per failing block. */
#define MAX_DIFF_LINES 60

/* Print a unified-style diff of aExp against aGot (longest common subsequence). */
static void printDiff(char **aExp, int nExp, char **aGot, int nGot) {
  printf("  --- expected\n  +++ got\n");
  if ((long)nExp * (long)nGot > 4000000L) {
    for (int i = 0; i < nExp && i < MAX_DIFF_LINES; i++) printf("  -%s\n", aExp[i]);
    for (int j = 0; j < nGot && j < MAX_DIFF_LINES; j++) printf("  +%s\n", aGot[j]);
    printf("  ... (%d expected and %d actual lines in all)\n", nExp, nGot);
    return;
  }
  int w = nGot + 1;
  int *L = xmalloc(sizeof(int) * (size_t)(nExp + 1) * (size_t)w);
  for (int i = nExp; i >= 0; i--) {
    for (int j = nGot; j >= 0; j--) {
      if (i == nExp || j == nGot) L[i * w + j] = 0;
      else if (strcmp(aExp[i], aGot[j]) == 0) L[i * w + j] = L[(i + 1) * w + j + 1] + 1;
      else {
        int a = L[(i + 1) * w + j], b = L[i * w + j + 1];
        L[i * w + j] = a > b ? a : b;
      }
    }
  }
  int i = 0, j = 0, nShown = 0;
  while (i < nExp || j < nGot) {
    if (++nShown > MAX_DIFF_LINES) {
      printf("  ... (%d more expected and %d more actual lines not shown)\n", nExp - i, nGot - j);
      break;
    }
    if (i < nExp && j < nGot && strcmp(aExp[i], aGot[j]) == 0) {
      printf("   %s\n", aExp[i]);
      i++, j++;
    } else if (i < nExp && (j == nGot || L[(i + 1) * w + j] >= L[i * w + j + 1])) {
      printf("  -%s\n", aExp[i++]);
    } else {
      printf("  +%s\n", aGot[j++]);
    }
  }
  free(L);
}

static int sameLines(char **a, int na, char **b, int nb) {
  if (na != nb) return 0;
  for (int i = 0; i < na; i++) {
    if (strcmp(a[i], b[i]) != 0) return 0;
  }
  return 1;
}

/* Decide whether block p is compared and counted. */
static int chooseBlock(Run *pRun, const TestFile *pF, const Block *p) {
  if (p->eKind == K_LOAD) return 0;
  if (pRun->zFilter) {
    size_t n = strlen(pF->zPath) + strlen(p->zLabel) + 2;
    char *zName = xmalloc(n);
    snprintf(zName, n, "%s:%s", pF->zPath, p->zLabel);
    int bMatch = strstr(zName, pRun->zFilter) != NULL;
    free(zName);
    if (!bMatch) return 0;
  }
  if (pRun->nSkip > 0) { pRun->nSkip--; return 0; }
  if (pRun->nTake == 0) return 0;
  if (pRun->nTake > 0) pRun->nTake--;
  return 1;
}

/* A block that runs longer than this is interrupted (fakt_interrupt is
** safe in a signal handler) and fails with FAKT_INTERRUPT. */
#define BLOCK_SECONDS 60
static fakt *volatile gRunningDb;

static void onAlarm(int sig) {
  (void)sig;
  if (gRunningDb) fakt_interrupt(gRunningDb);
  alarm(1);   /* keep interrupting until the block gives up */
}

/* Run one block and, if chosen, compare and count it. */
static void runBlock(Run *pRun, TestFile *pF, fakt *db, Block *p) {
  Buf text = {0};
  for (int i = 0; i < p->nText; i++) {
    bufAppendStr(&text, pF->lines.a[p->iText + i]);
    bufAppend(&text, "\n", 1);
  }
  Lines rows = {0};
  char *zErr = NULL;
  gRunningDb = db;
  alarm(BLOCK_SECONDS);
  if (p->eKind == K_CHECK) runCheck(db, &rows, &zErr);
  else runText(db, text.z ? text.z : "", &rows, &zErr);
  alarm(0);
  gRunningDb = NULL;

  if (!p->bChosen) goto done;

  Lines exp = {0}, got = {0};
  for (int i = 0; i < p->nExp; i++) linesAdd(&exp, pF->lines.a[p->iExp + i]);
  int bRewritable = 1;
  if (p->eKind == K_ERROR) {
    if (zErr) linesAddSplit(&got, zErr);
    else {
      for (int i = 0; i < rows.n; i++) linesAdd(&got, rows.a[i]);
      linesAdd(&got, "(no error: the statements succeeded)");
      bRewritable = 0;
    }
  } else {
    for (int i = 0; i < rows.n; i++) linesAdd(&got, rows.a[i]);
    if (zErr) {
      Buf b = {0};
      bufAppendStr(&b, "error: ");
      bufAppendStr(&b, zErr);
      linesAdd(&got, b.z);
      free(b.z);
      bRewritable = 0;
    }
    if (p->eKind == K_QUERY) {
      if (exp.n > 1) qsort(exp.a, (size_t)exp.n, sizeof(char *), cmpStr);
      if (got.n > 1) qsort(got.a, (size_t)got.n, sizeof(char *), cmpStr);
    }
  }
  if (sameLines(exp.a, exp.n, got.a, got.n)) {
    pRun->nPass++;
    if (pRun->bVerbose) printf("ok %s:%d: %s\n", pF->zPath, p->iLine, p->zLabel);
  } else {
    pRun->nFail++;
    printf("FAIL %s:%d: %s\n", pF->zPath, p->iLine, p->zLabel);
    if (pRun->bVerbose) {
      for (int i = 0; i < p->nText; i++) printf("  | %s\n", pF->lines.a[p->iText + i]);
    }
    printDiff(exp.a, exp.n, got.a, got.n);
  }
  if (pRun->bRewrite) {
    if (bRewritable) {
      p->bRewrite = 1;
      for (int i = 0; i < got.n; i++) linesAdd(&p->got, got.a[i]);
    } else {
      printf("note %s:%d: %s not rewritten (%s)\n", pF->zPath, p->iLine, p->zLabel,
             zErr ? "unexpected error" : "no error");
    }
  }
  linesFree(&exp);
  linesFree(&got);
done:
  linesFree(&rows);
  free(zErr);
  free(text.z);
}

/* Run the file's `load PATH` directive: the path as given, else relative to
** the test file's directory. Returns 0 or -1 (reported). */
static int runLoad(Run *pRun, TestFile *pF, fakt *db, Block *p) {
  Buf path = {0};
  struct stat st;
  if (p->zLabel[0] != '/' && stat(p->zLabel, &st) != 0) {
    const char *zSlash = strrchr(pF->zPath, '/');
    if (zSlash) bufAppend(&path, pF->zPath, (size_t)(zSlash - pF->zPath + 1));
  }
  bufAppendStr(&path, p->zLabel);
  Buf stmt = {0};
  bufAppendStr(&stmt, "load \"");
  for (const char *z = path.z; *z; z++) {
    if (*z == '"' || *z == '\\') bufAppend(&stmt, "\\", 1);
    bufAppend(&stmt, z, 1);
  }
  bufAppendStr(&stmt, "\";");
  Lines rows = {0};
  char *zErr = NULL;
  int rc = runText(db, stmt.z, &rows, &zErr);
  if (rc != FAKT_OK) {
    fileFail(pRun, pF->zPath, p->iLine, "load %s: %s", path.z, zErr ? zErr : "?");
  }
  linesFree(&rows);
  free(zErr);
  free(stmt.z);
  free(path.z);
  return rc == FAKT_OK ? 0 : -1;
}

/* ==== Scratch databases ==== */

static int copyFile(const char *zFrom, const char *zTo) {
  FILE *in = fopen(zFrom, "rb");
  if (in == NULL) return -1;
  FILE *out = fopen(zTo, "wb");
  if (out == NULL) { fclose(in); return -1; }
  char aBuf[65536];
  size_t n;
  int rc = 0;
  while ((n = fread(aBuf, 1, sizeof(aBuf), in)) > 0) {
    if (fwrite(aBuf, 1, n, out) != n) { rc = -1; break; }
  }
  if (ferror(in)) rc = -1;
  fclose(in);
  if (fclose(out) != 0) rc = -1;
  return rc;
}

/* Remove the scratch directory and everything in it (db file, -lock file). */
static void removeDir(const char *zDir) {
  DIR *d = opendir(zDir);
  if (d) {
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
      size_t n = strlen(zDir) + strlen(e->d_name) + 2;
      char *z = xmalloc(n);
      snprintf(z, n, "%s/%s", zDir, e->d_name);
      unlink(z);
      free(z);
    }
    closedir(d);
  }
  rmdir(zDir);
}

/* The scratch files of the file being run, removed if the run is killed. */
static char gzDir[4096], gzDb[4200], gzLock[4300];
static volatile sig_atomic_t gbScratch;

static void onKill(int sig) {
  if (gbScratch) {
    unlink(gzDb);
    unlink(gzLock);
    rmdir(gzDir);
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

/* ==== One file ==== */

static void runFile(Run *pRun, const char *zPath) {
  TestFile f;
  memset(&f, 0, sizeof(f));
  f.zPath = zPath;
  Buf content = {0};
  if (readFile(zPath, &content) != 0) {
    fileFail(pRun, zPath, 0, "cannot read: %s", strerror(errno));
    free(content.z);
    return;
  }
  f.bFinalNewline = content.n > 0 && content.z[content.n - 1] == '\n';
  if (f.bFinalNewline) content.z[--content.n] = 0;
  if (content.n > 0 || !f.bFinalNewline) linesAddSplit(&f.lines, content.z);
  free(content.z);
  if (parseTestFile(pRun, &f) != 0) { testFileFree(&f); return; }

  int nChosen = 0;
  for (int i = 0; i < f.nBlock; i++) {
    f.aBlock[i].bChosen = chooseBlock(pRun, &f, &f.aBlock[i]);
    nChosen += f.aBlock[i].bChosen;
  }
  if (nChosen == 0) { testFileFree(&f); return; }

  const char *zTmp = getenv("TMPDIR");
  char zDir[4096];
  snprintf(zDir, sizeof(zDir), "%s/fakt-golden-XXXXXX", zTmp && *zTmp ? zTmp : "/tmp");
  if (mkdtemp(zDir) == NULL) {
    fileFail(pRun, zPath, 0, "mkdtemp %s: %s", zDir, strerror(errno));
    testFileFree(&f);
    return;
  }
  char zDb[4200];
  snprintf(zDb, sizeof(zDb), "%s/test.fakt", zDir);
  snprintf(gzDir, sizeof(gzDir), "%s", zDir);
  snprintf(gzDb, sizeof(gzDb), "%s", zDb);
  snprintf(gzLock, sizeof(gzLock), "%s-lock", zDb);
  gbScratch = 1;
  fakt *db = NULL;
  int bBroken = 0;
  if (f.bCorpus && copyFile(pRun->zCorpus, zDb) != 0) {
    fileFail(pRun, zPath, 1, "use corpus: cannot copy %s: %s", pRun->zCorpus, strerror(errno));
    bBroken = 1;
  }
  if (!bBroken && fakt_open(zDb, FAKT_OPEN_READWRITE | FAKT_OPEN_CREATE, &db) != FAKT_OK) {
    fileFail(pRun, zPath, 1, "cannot open %s: %s", zDb, db ? fakt_errmsg(db) : "out of memory");
    bBroken = 1;
  }
  for (int i = 0; i < f.nBlock; i++) {
    Block *p = &f.aBlock[i];
    if (!bBroken && p->eKind == K_LOAD) {
      if (runLoad(pRun, &f, db, p) != 0) bBroken = 1;
    } else if (bBroken) {
      if (p->bChosen) {
        pRun->nFail++;
        printf("FAIL %s:%d: %s (not run: set-up failed)\n", zPath, p->iLine, p->zLabel);
      }
    } else {
      runBlock(pRun, &f, db, p);
    }
  }
  /* whatever the blocks did, the file must pass the integrity check */
  if (db && !bBroken) {
    if (fakt_exec(db, "rollback;", NULL, NULL, NULL) == FAKT_OK) {
      /* the file ended inside begin ... commit */
    }
    char *zRep = NULL;
    if (fakt_check(db, &zRep) == FAKT_OK) {
      pRun->nPass++;
    } else {
      fileFail(pRun, zPath, 0, "integrity check after the last block: %s", zRep ? zRep : fakt_errmsg(db));
    }
    fakt_free(zRep);
  }
  if (db && fakt_close(db) != FAKT_OK) {
    fileFail(pRun, zPath, 0, "fakt_close: %s", fakt_errmsg(db));
  }
  gbScratch = 0;
  removeDir(zDir);

  if (pRun->bRewrite) {
    int bAny = 0;
    for (int i = 0; i < f.nBlock; i++) bAny |= f.aBlock[i].bRewrite;
    if (bAny) {
      Buf out = {0};
      int iLine = 0;
      for (int i = 0; i <= f.nBlock; i++) {
        int iStop = i < f.nBlock ? f.aBlock[i].iExp : f.lines.n;
        if (i < f.nBlock && !f.aBlock[i].bRewrite) continue;
        for (; iLine < iStop; iLine++) {
          bufAppendStr(&out, f.lines.a[iLine]);
          bufAppend(&out, "\n", 1);
        }
        if (i == f.nBlock) break;
        Block *p = &f.aBlock[i];
        for (int j = 0; j < p->got.n; j++) {
          bufAppendStr(&out, p->got.a[j]);
          bufAppend(&out, "\n", 1);
        }
        iLine = p->iExp + p->nExp;
      }
      if (!f.bFinalNewline && out.n > 0) out.z[--out.n] = 0;
      size_t n = strlen(zPath) + 8;
      char *zTmpFile = xmalloc(n);
      snprintf(zTmpFile, n, "%s.new", zPath);
      FILE *o = fopen(zTmpFile, "wb");
      if (o == NULL || fwrite(out.z ? out.z : "", 1, out.n, o) != out.n
          || fclose(o) != 0 || rename(zTmpFile, zPath) != 0) {
        fprintf(stderr, "tool_golden: cannot rewrite %s: %s\n", zPath, strerror(errno));
      } else {
        printf("rewrote %s\n", zPath);
      }
      free(zTmpFile);
      free(out.z);
    }
  }
  testFileFree(&f);
}

/* ==== main ==== */

static void usage(void) {
  fprintf(stderr, "usage: tool_golden [--corpus DB] [--skip N] [--take N] "
                  "[--filter SUBSTR] [--rewrite] [-v] FILE.test...\n");
  exit(2);
}

static long parseCount(const char *z) {
  char *zEnd;
  errno = 0;
  long v = z ? strtol(z, &zEnd, 10) : -1;
  if (z == NULL || errno || *zEnd || zEnd == z || v < 0) usage();
  return v;
}

int main(int argc, char **argv) {
  Run run;
  setvbuf(stdout, NULL, _IOLBF, 0);   /* keep output if a test crashes */
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = onAlarm;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGALRM, &sa, NULL);
  sa.sa_handler = onKill;
  sa.sa_flags = 0;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  memset(&run, 0, sizeof(run));
  run.zCorpus = "build/corpus.fakt";
  run.nTake = -1;
  int nFile = 0;
  for (int i = 1; i < argc; i++) {
    const char *z = argv[i];
    if (strcmp(z, "--corpus") == 0 && i + 1 < argc) run.zCorpus = argv[++i];
    else if (strcmp(z, "--skip") == 0) run.nSkip = parseCount(i + 1 < argc ? argv[++i] : NULL);
    else if (strcmp(z, "--take") == 0) run.nTake = parseCount(i + 1 < argc ? argv[++i] : NULL);
    else if (strcmp(z, "--filter") == 0 && i + 1 < argc) run.zFilter = argv[++i];
    else if (strcmp(z, "--rewrite") == 0) run.bRewrite = 1;
    else if (strcmp(z, "-v") == 0) run.bVerbose = 1;
    else if (z[0] == '-' && z[1] != 0) usage();
    else nFile++;
  }
  if (nFile == 0) usage();
  for (int i = 1; i < argc; i++) {
    const char *z = argv[i];
    if (strcmp(z, "--corpus") == 0 || strcmp(z, "--skip") == 0
        || strcmp(z, "--take") == 0 || strcmp(z, "--filter") == 0) {
      i++;
      continue;
    }
    if (z[0] == '-' && z[1] != 0) continue;
    runFile(&run, z);
    fflush(stdout);
  }
  printf("%d passed, %d failed\n", run.nPass, run.nFail);
  return run.nFail > 0 ? 1 : 0;
}
