/*
** bench.h -- shared definitions of fakt's benchmark (issue 7): the data
** file that bench/gen.c writes and the three runners read, the query
** parameters every runner uses, row hashing and the result file.
** See bench/README.md.
*/
#ifndef FAKT_BENCH_H
#define FAKT_BENCH_H

#include <stdint.h>
#include <stdio.h>

#define BENCH_MAGIC "faktbn01"

/* Entity types (BenchEnt.type); also the fakt type names, in this order. */
enum { ET_PERSON, ET_ORG, ET_CITY, ET_REGION, ET_COUNTRY, ET_COUNT };

/* Stances, in fakt's spelling. */
enum { ST_ASSERTS, ST_CONFIRMS, ST_HEDGES, ST_SPECULATES, ST_DENIES, ST_COUNT };

#define OBJ_STR  0x80000000u   /* BenchClaim.o: a string value, not an entity */
#define MAXQW    6             /* words in a quote, at most */
#define PRED_LOCATED_IN 0      /* predicate 0 is fakt's built-in located_in */

/* Header of the data file; the arrays follow in this order. */
typedef struct BenchHdr {
  char     magic[8];          /* BENCH_MAGIC */
  uint64_t seed;              /* generator seed */
  uint32_t nClaim;            /* claims (containment claims included) */
  uint32_t nLocated;          /* the first nLocated claims are located_in, sourceless */
  uint32_t nEnt;              /* entities */
  uint32_t nPred;             /* predicates, located_in included */
  uint32_t nSrc;              /* source documents, numbered 1..nSrc */
  uint32_t nWord;             /* quote vocabulary */
  uint32_t nStrVal;           /* string object values */
  uint32_t nPool;             /* bytes of the string pool */
} BenchHdr;

typedef struct BenchEnt {
  uint8_t  type;              /* ET_* */
  uint8_t  bCoords;           /* 1 for cities (GeoNames coordinates) */
  uint8_t  pad[2];
  uint32_t label;             /* offset of the label in the pool */
  int32_t  parent;            /* containing entity or -1 */
  uint32_t pad2;
  double   lat, lon;          /* degrees, when bCoords */
} BenchEnt;

typedef struct BenchClaim {
  uint32_t s, p;              /* subject entity, predicate */
  uint32_t o;                 /* entity, or OBJ_STR|string value index */
  uint32_t src;               /* source 1..nSrc, 0 for none */
  uint32_t who;               /* speaker entity (sourced claims) */
  uint32_t holds, said;       /* dates as yyyymmdd, 0 for none */
  uint8_t  stance;            /* ST_* */
  uint8_t  nq;                /* words in the quote, 0 for none */
  uint16_t q[MAXQW];          /* word indexes */
} BenchClaim;

/* The whole data set in memory. */
typedef struct BenchData {
  BenchHdr    h;
  BenchEnt   *aEnt;
  BenchClaim *aClaim;
  uint32_t   *aWord;          /* pool offsets of the vocabulary */
  uint32_t   *aStrVal;        /* pool offsets of the string values */
  char       *zPool;          /* NUL-terminated strings */
  uint32_t   *aSrcFirst;      /* first claim of source i (1..nSrc), [nSrc+1] = end */
} BenchData;

int  benchDataRead(const char *zPath, BenchData *p);
void benchDataFree(BenchData *p);
/* Quote text of claim i into z (NUL-terminated); returns its length. */
int  benchQuote(const BenchData *d, const BenchClaim *c, char *z);
/* Full text of source iSrc (1-based): its claims' quotes joined by ". ".
** malloc'd, caller frees. */
char *benchSourceText(const BenchData *d, uint32_t iSrc, size_t *pn);

extern const char *const benchTypeName[ET_COUNT];
extern const char *const benchStanceName[ST_COUNT];

/* ---- deterministic random numbers (splitmix64) ---- */
typedef struct BenchRng { uint64_t s; } BenchRng;
uint64_t benchRand(BenchRng *r);
uint32_t benchRandBelow(BenchRng *r, uint32_t n);

/* ---- workloads and their parameters (the same for every system) ---- */
typedef struct BenchParams {
  int nPoint;  uint32_t *aPoint;          /* subjects (persons) */
  int nPat;    uint32_t *aPatP, *aPatO;   /* predicate + object pairs */
  int nJoin;   uint32_t *aJoin;           /* start subjects (persons) */
  int nAgg;    uint32_t *aAgg;            /* predicates */
  int nRec;    uint32_t *aRec;            /* countries */
  int nGeo;    uint32_t *aGeo;            /* centre cities */
  double geoKm;                           /* radius */
  int nGeoScan;                           /* centres for the full-scan baseline */
  int nFts;    char **azFts;              /* two-word queries */
  int nRe;     uint32_t *aReS, *aReP, *aReO;  /* existing triples */
  int nPrep;                              /* prepare repetitions */
} BenchParams;

void benchParams(const BenchData *d, BenchParams *p);
void benchParamsFree(BenchParams *p);

/* ---- rendering (the canonical text of ids in every system) ---- */
/* Writes "e12", "p7"/"located_in", "_c4" (claim 3), "d4", a date; returns z. */
char *benchEntName(char *z, uint32_t i);
char *benchClaimName(char *z, uint32_t i);
char *benchPredName(char *z, uint32_t i);
char *benchDate(char *z, uint32_t ymd);

/* ---- answers: an order-independent digest of the rows ---- */
typedef struct BenchAnswer {
  uint64_t nRow;              /* rows over all queries of the workload */
  uint64_t sum;               /* sum of the rows' hashes */
  FILE    *pDump;             /* BENCH_DUMP: every row as text, or NULL */
  int      iQuery;            /* query number, for the dump */
} BenchAnswer;
/* Add one row given as nCol texts (NULL for null). */
void benchRow(BenchAnswer *a, int nCol, const char *const *azCol);

/* ---- results: one line per measurement, read back by the report ---- */
typedef struct BenchOut {
  FILE *p;
} BenchOut;
/* "workload key value" lines, e.g. "point qps 123456". */
void benchPut(BenchOut *o, const char *zWork, const char *zKey, double v);
void benchPutAnswer(BenchOut *o, const char *zWork, const BenchAnswer *a);

double benchNow(void);               /* monotonic seconds */
long   benchMaxRssKb(void);          /* peak resident set of this process */
double benchWritten(void);           /* bytes this process passed to write calls so far, or -1 */
double benchHaversineKm(double lat1, double lon1, double lat2, double lon2);
uint64_t benchHash(const void *p, size_t n);
uint64_t benchFileSize(const char *zPath);   /* 0 if missing */

/* The three runners: load the data into zDb, run every workload, write
** results to pOut. Return 0 on success. */
int benchRunFakt(const BenchData *d, const BenchParams *pp, const char *zDb, BenchOut *pOut);
int benchRunSqlite(const BenchData *d, const BenchParams *pp, const char *zDb, BenchOut *pOut);
int benchRunLmdb(const BenchData *d, const BenchParams *pp, const char *zDb, BenchOut *pOut);
/* fakt's loads from a file (issue 20): the same claims written as JSON Lines
** (bJsonl 1, load_jsonl: fakt_import) or as a .facts file (bJsonl 0,
** load_facts: one `load` statement) beside zDb and loaded into it; then the
** point and scan answers of the result. Return 0 on success. */
int benchRunFaktFile(const BenchData *d, const BenchParams *pp, const char *zDb, int bJsonl,
                     BenchOut *pOut);

#endif /* FAKT_BENCH_H */
