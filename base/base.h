/*
** base.h -- the floor every other layer stands on: libc only, no state.
**
** base/ owns the arena (arena.c), error values and fakt_errstr (err.c),
** the growable string (strbuf.c), UTF-8, folding, tokenising and quote
** search (text.c), geography (geo.c) and dates (date.c). It may call libc
** and nothing else of fakt; it may include fakt.h for the result codes.
** Every other folder (lang/, store/, engine/, io/) may use it.
*/
#ifndef FAKT_BASE_H
#define FAKT_BASE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define FAKT_PRIVATE __attribute__((visibility("hidden")))

/* ---------- arena (arena.c) ---------- */
/* Bump allocation in 8 KiB blocks, freed all at once. */
typedef struct ArenaBlock ArenaBlock;
typedef struct Arena {
  ArenaBlock *pHead;       /* newest block first */
  size_t nUsed;            /* bytes handed out, for memory limits */
} Arena;

void  faktArenaInit(Arena *a);
void *faktArenaAlloc(Arena *a, size_t n);              /* zeroed; NULL on OOM */
char *faktArenaStrdup(Arena *a, const char *z, size_t n); /* NUL-terminated copy */
void  faktArenaFree(Arena *a);                         /* frees every block */

/* ---------- positions (in the text of a statement) ---------- */
typedef struct Pos {
  int iOff;                /* byte offset from the start of the text */
  int iLine;               /* 1-based line */
  int iCol;                /* 1-based column, in characters */
} Pos;

/* ---------- errors (err.c) ---------- */
/* An error: the first one reported wins; later ones are ignored. */
typedef struct FaktErr {
  int rc;                  /* FAKT_OK when there is no error */
  int iOff;                /* byte offset in the text, -1 if none */
  int iLine, iCol;         /* 1-based position, 0 if none */
  char *zMsg;              /* malloc'd full message, with the position prefix */
} FaktErr;

void faktErrInit(FaktErr *e);
void faktErrClear(FaktErr *e);           /* frees zMsg, back to FAKT_OK */
/* Record an error unless one is already set. pPos may be NULL. The message
** becomes "line L, col C: <formatted text>" when pPos is given. */
void faktErrSet(FaktErr *e, int rc, const Pos *pPos, const char *zFmt, ...)
  __attribute__((format(printf, 4, 5)));
/* Like faktErrSet, but always replaces a previous error. */
void faktErrReplace(FaktErr *e, int rc, const Pos *pPos, const char *zFmt, ...)
  __attribute__((format(printf, 4, 5)));
/* printf into malloc'd memory (free with free()); NULL on OOM. */
char *faktMprintf(const char *zFmt, ...) __attribute__((format(printf, 1, 2)));
/* Keep the first error of a longer operation (an export, an import): if
** *pRc is FAKT_OK, set it to rc and *pzErr to the message (malloc'd).
** Returns the error that stands. */
int faktFirstErrV(int *pRc, char **pzErr, int rc, const char *zFmt, va_list ap);

/* ---------- growable string (strbuf.c) ---------- */
/* An allocation failure sets bOom and turns later appends into no-ops. */
typedef struct Str { char *z; size_t n, nAlloc; int bOom; } Str;   /* z NUL-terminated once used */
void faktStrAppend(Str *s, const char *z, size_t n);
void faktStrPuts(Str *s, const char *z);
void faktStrPrintf(Str *s, const char *zFmt, ...) __attribute__((format(printf, 2, 3)));
void faktStrReset(Str *s);
void faktStrFree(Str *s);

/* ---------- UTF-8 (text.c) ---------- */
/* 1 if z[0..n) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF);
** else 0 and *piBad (if not NULL) = byte offset of the first bad byte. */
int faktUtf8Valid(const char *z, size_t n, size_t *piBad);
/* Decode one code point at z (z < zEnd). Returns bytes used (1..4), or 0 for
** an invalid sequence (then *pCp = 0xFFFD). */
int faktUtf8Decode(const unsigned char *z, const unsigned char *zEnd, uint32_t *pCp);
/* Encode cp into z (at least 4 bytes). Returns bytes written. */
int faktUtf8Encode(uint32_t cp, char *z);
/* Number of code points in z[0..n). */
size_t faktUtf8Chars(const char *z, size_t n);
/* Display width in terminal columns: wide East Asian = 2, combining marks
** and zero-width = 0, control = 0, others 1. */
size_t faktUtf8Width(const char *z, size_t n);
/* Byte length of the longest prefix of z[0..n) that fits in nCols columns. */
size_t faktUtf8Fit(const char *z, size_t n, size_t nCols);

/* ---------- folding (text.c) ---------- */
/* Fold for lookup and search: lower case (ASCII, Latin-1, Latin Extended-A,
** Greek, Cyrillic), strip Latin diacritics (ä->a, ö->o, é->e, č->c ...),
** ß->ss, turn - . ' ’ ‘ ` , into space, collapse space runs, trim.
** Writes at most nOut-1 bytes plus a NUL; returns the folded length (bytes).
** nOut >= 2*n+1 always suffices. */
size_t faktFold(const char *z, size_t n, char *zOut, size_t nOut);
/* Fold like faktFold, but with ä ö ü (also a o u + U+0308) as ae oe ue;
** *pbUmlaut = 1 if any occurred. Returns the length, or (size_t)-1 when
** out of memory (it allocates a scratch copy of z). */
size_t faktFoldUmlaut(const char *z, size_t n, char *zOut, size_t nOut, int *pbUmlaut);
/* Offsets of the digraphs ae, oe, ue in folded text, at most nMax; the count. */
int faktFoldDigraphs(const char *zF, size_t nF, size_t *aPos, int nMax);
/* Split z into words (letters/digits runs, after folding) and call x for each
** with the folded word and the byte offset of the word in z. A non-zero return
** from x stops and is returned. Words longer than 64 bytes are cut to 64. */
int faktTokenize(const char *z, size_t n,
                 int (*x)(void *pArg, const char *zTok, size_t nTok, size_t iOff),
                 void *pArg);
/* Find zQuote in zText, treating every run of whitespace (that of folding,
** SPEC 7.2) on either side as one space, any quotation mark (" ' „ “ ” ‚ ‘ ’
** « » ‹ ›) as any other and any dash (- ‐ ‑ ‒ – — −) as any other, and
** ignoring leading/trailing space of the quote. Returns 1 and the byte span
** [*piStart, *piEnd) in zText, or 0. */
int faktFindQuote(const char *zText, size_t nText, const char *zQuote, size_t nQuote,
                  size_t *piStart, size_t *piEnd);
/* An index of a text's positions for repeated quote searches in it:
** faktFindQuoteIn gives faktFindQuote's span, without scanning the text
** from its first byte. New: NULL when out of memory, for a text shorter
** than 4 bytes or longer than QUOTE_INDEX_MAX (then faktFindQuoteIn
** scans). The index holds no pointer to the text: pass the same text. */
#define QUOTE_INDEX_MAX ((size_t)4 << 20)
typedef struct QuoteIndex QuoteIndex;
QuoteIndex *faktQuoteIndexNew(const char *zText, size_t nText);
void faktQuoteIndexFree(QuoteIndex *p);                /* NULL: no-op */
int faktFindQuoteIn(const QuoteIndex *pIdx, const char *zText, size_t nText,
                    const char *zQuote, size_t nQuote, size_t *piStart, size_t *piEnd);
/* The passage of zText closest to zQuote: the run of as many words as the
** quote has sharing the most (folded) words with it, first such run. 1 and
** its byte span, 0 if no word is shared, -1 when out of memory. */
int faktClosestPassage(const char *zText, size_t nText, const char *zQuote, size_t nQuote,
                       size_t *piStart, size_t *piEnd);

/* ---------- geography (geo.c) ---------- */
#define FAKT_EARTH_RADIUS_KM 6371.0088
/* Great-circle distance (haversine) in km. */
double faktHaversineKm(double lat1, double lon1, double lat2, double lon2);
/* Geo index cell of a point: 1-degree cells, (floor(lat)+90) << 16 | (floor(lon)+180). */
uint32_t faktGeoCell(double lat, double lon);
/* Cells that cover every point within km of (lat,lon), into aCell[0..nMax).
** Returns the count, or -1 if more than nMax are needed (then scan everything). */
int faktGeoCells(double lat, double lon, double km, uint32_t *aCell, int nMax);

/* ---------- dates (date.c) ---------- */
#define DATE_YEAR  1
#define DATE_MONTH 2
#define DATE_DAY   3
/* 1 if the date is valid for its precision (year 1..9999). */
int faktDateValid(int y, int m, int d, int prec);
/* Packed form, as stored: ((y*10000 + m*100 + d) << 8) | prec, m/d 0 when absent. */
uint64_t faktDatePack(int y, int m, int d, int prec);
void faktDateUnpack(uint64_t v, int *py, int *pm, int *pd, int *pPrec);
/* First and last day of the interval the date denotes, as days since 1970-01-01. */
void faktDateRange(uint64_t v, int64_t *pFirst, int64_t *pLast);
/* Comparisons of SPEC.md section 6.2. op: 0 '=', 1 '!=', 2 '<', 3 '<=', 4 '>', 5 '>='. */
int faktDateCompare(uint64_t a, uint64_t b, int op);
/* Total order for sorting: by first day, then coarser precision first. -1/0/1. */
int faktDateOrder(uint64_t a, uint64_t b);
/* 1 if a lies within b. */
int faktDateDuring(uint64_t a, uint64_t b);
/* Write "2023-09-10", "2023-09" or "2023" into z (at least 11 bytes). Returns length. */
int faktDateFormat(uint64_t v, char *z);
/* Parse "YYYY", "YYYY-MM" or "YYYY-MM-DD" (exactly). Returns 1 and *pv, or 0. */
int faktDateParse(const char *z, size_t n, uint64_t *pv);
/* Days since 1970-01-01 of a civil date. */
int64_t faktDaysFromCivil(int y, int m, int d);

#endif /* FAKT_BASE_H */
