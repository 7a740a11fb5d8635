/*
** common.c -- what the benchmark's generator and runners share: the data
** file reader, the seeded random numbers, the query parameters, the
** canonical rendering of ids, the row digest and the result lines.
*/
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include "bench.h"

const char *const benchTypeName[ET_COUNT] = {"person", "organisation", "city", "region", "country"};
const char *const benchStanceName[ST_COUNT] = {"asserts", "confirms", "hedges", "speculates", "denies"};

/* ---------------------------------------------------------------- data file */

static int readAll(FILE *f, void *p, size_t nSize, size_t n){
  return n==0 || fread(p, nSize, n, f)==n;
}

int benchDataRead(const char *zPath, BenchData *p){
  FILE *f = fopen(zPath, "rb");
  memset(p, 0, sizeof(*p));
  if( !f ){ perror(zPath); return 1; }
  if( !readAll(f, &p->h, sizeof(p->h), 1) || memcmp(p->h.magic, BENCH_MAGIC, 8)!=0 ){
    fprintf(stderr, "%s: not a benchmark data file\n", zPath);
    fclose(f);
    return 1;
  }
  p->aEnt = malloc(sizeof(BenchEnt)*p->h.nEnt);
  p->aClaim = malloc(sizeof(BenchClaim)*p->h.nClaim);
  p->aWord = malloc(sizeof(uint32_t)*p->h.nWord);
  p->aStrVal = malloc(sizeof(uint32_t)*p->h.nStrVal);
  p->zPool = malloc(p->h.nPool);
  p->aSrcFirst = calloc(p->h.nSrc+2, sizeof(uint32_t));
  int ok = p->aEnt && p->aClaim && p->aWord && p->aStrVal && p->zPool && p->aSrcFirst
        && readAll(f, p->aEnt, sizeof(BenchEnt), p->h.nEnt)
        && readAll(f, p->aClaim, sizeof(BenchClaim), p->h.nClaim)
        && readAll(f, p->aWord, sizeof(uint32_t), p->h.nWord)
        && readAll(f, p->aStrVal, sizeof(uint32_t), p->h.nStrVal)
        && readAll(f, p->zPool, 1, p->h.nPool);
  fclose(f);
  if( !ok ){
    fprintf(stderr, "%s: truncated or out of memory\n", zPath);
    benchDataFree(p);
    return 1;
  }
  /* Claims of a source are contiguous: remember where each source starts. */
  for(uint32_t i=p->h.nClaim; i-- > 0; ){
    if( p->aClaim[i].src ) p->aSrcFirst[p->aClaim[i].src] = i;
  }
  p->aSrcFirst[p->h.nSrc+1] = p->h.nClaim;
  return 0;
}

void benchDataFree(BenchData *p){
  free(p->aEnt); free(p->aClaim); free(p->aWord); free(p->aStrVal);
  free(p->zPool); free(p->aSrcFirst);
  memset(p, 0, sizeof(*p));
}

int benchQuote(const BenchData *d, const BenchClaim *c, char *z){
  int n = 0;
  for(int k=0; k<c->nq; k++){
    const char *w = d->zPool + d->aWord[c->q[k]];
    size_t nw = strlen(w);
    if( k ) z[n++] = ' ';
    memcpy(z+n, w, nw);
    n += (int)nw;
  }
  z[n] = 0;
  return n;
}

char *benchSourceText(const BenchData *d, uint32_t iSrc, size_t *pn){
  uint32_t i0 = d->aSrcFirst[iSrc], i1 = d->aSrcFirst[iSrc+1];
  char *z = malloc((size_t)(i1-i0)*(MAXQW*8+2)+1);
  size_t n = 0;
  if( !z ) return 0;
  for(uint32_t i=i0; i<i1; i++){
    n += (size_t)benchQuote(d, &d->aClaim[i], z+n);
    z[n++] = '.';
    z[n++] = i+1<i1 ? ' ' : 0;
  }
  if( n ) n--;
  z[n] = 0;
  *pn = n;
  return z;
}

/* ---------------------------------------------------------------- random */

uint64_t benchRand(BenchRng *r){
  uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z>>30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z>>27)) * 0x94d049bb133111ebull;
  return z ^ (z>>31);
}

uint32_t benchRandBelow(BenchRng *r, uint32_t n){
  return (uint32_t)((benchRand(r)>>32) * n >> 32);
}

/* ---------------------------------------------------------------- parameters */

/* A random entity of type t (tries uniformly; the types are not rare). */
static uint32_t randOfType(const BenchData *d, BenchRng *r, int t){
  for(;;){
    uint32_t e = benchRandBelow(r, d->h.nEnt);
    if( d->aEnt[e].type==t ) return e;
  }
}

static uint32_t randSourced(const BenchData *d, BenchRng *r){
  return d->h.nLocated + benchRandBelow(r, d->h.nClaim - d->h.nLocated);
}

void benchParams(const BenchData *d, BenchParams *p){
  BenchRng r = { d->h.seed ^ 0x5eed5eedull };
  int i;
  memset(p, 0, sizeof(*p));
  p->nPoint = 2000;
  p->aPoint = malloc(sizeof(uint32_t)*(size_t)p->nPoint);
  for(i=0; i<p->nPoint; i++) p->aPoint[i] = randOfType(d, &r, ET_PERSON);

  p->nPat = 2000;
  p->aPatP = malloc(sizeof(uint32_t)*(size_t)p->nPat);
  p->aPatO = malloc(sizeof(uint32_t)*(size_t)p->nPat);
  for(i=0; i<p->nPat; i++){
    const BenchClaim *c = &d->aClaim[randSourced(d, &r)];
    p->aPatP[i] = c->p; p->aPatO[i] = c->o;
  }

  p->nJoin = 500;
  p->aJoin = malloc(sizeof(uint32_t)*(size_t)p->nJoin);
  for(i=0; i<p->nJoin; i++) p->aJoin[i] = randOfType(d, &r, ET_PERSON);

  p->nAgg = 10;                          /* predicates of Zipf rank 41..50 */
  p->aAgg = malloc(sizeof(uint32_t)*(size_t)p->nAgg);
  for(i=0; i<p->nAgg; i++) p->aAgg[i] = (uint32_t)(41+i);

  p->nRec = 20;                          /* the country of a random city */
  p->aRec = malloc(sizeof(uint32_t)*(size_t)p->nRec);
  for(i=0; i<p->nRec; i++){
    uint32_t e = randOfType(d, &r, ET_CITY);
    while( d->aEnt[e].parent>=0 ) e = (uint32_t)d->aEnt[e].parent;
    p->aRec[i] = e;
  }

  p->nGeo = 200;
  p->geoKm = 50.0;
  p->nGeoScan = 10;
  p->aGeo = malloc(sizeof(uint32_t)*(size_t)p->nGeo);
  for(i=0; i<p->nGeo; i++) p->aGeo[i] = randOfType(d, &r, ET_CITY);

  p->nFts = 500;                         /* two words of a random claim's quote */
  p->azFts = malloc(sizeof(char*)*(size_t)p->nFts);
  for(i=0; i<p->nFts; i++){
    const BenchClaim *c = &d->aClaim[randSourced(d, &r)];
    const char *w1 = d->zPool + d->aWord[c->q[0]], *w2 = d->zPool + d->aWord[c->q[c->nq-1]];
    size_t n = strlen(w1)+strlen(w2)+2;
    p->azFts[i] = malloc(n);
    snprintf(p->azFts[i], n, "%s %s", w1, w2);
  }

  p->nRe = 20000;
  p->aReS = malloc(sizeof(uint32_t)*(size_t)p->nRe);
  p->aReP = malloc(sizeof(uint32_t)*(size_t)p->nRe);
  p->aReO = malloc(sizeof(uint32_t)*(size_t)p->nRe);
  for(i=0; i<p->nRe; i++){
    const BenchClaim *c = &d->aClaim[benchRandBelow(&r, d->h.nClaim)];
    p->aReS[i] = c->s; p->aReP[i] = c->p; p->aReO[i] = c->o;
  }
  p->nPrep = 10000;
}

void benchParamsFree(BenchParams *p){
  free(p->aPoint); free(p->aPatP); free(p->aPatO); free(p->aJoin); free(p->aAgg);
  free(p->aRec); free(p->aGeo); free(p->aReS); free(p->aReP); free(p->aReO);
  for(int i=0; i<p->nFts; i++) free(p->azFts[i]);
  free(p->azFts);
  memset(p, 0, sizeof(*p));
}

/* ---------------------------------------------------------------- rendering */

char *benchEntName(char *z, uint32_t i){ sprintf(z, "e%u", i); return z; }

/* Claim i of the data is loaded into fakt as the (i+1)-th claim without an
** id, which fakt names _c<i+1> (SPEC.md 12.2); the other systems store i. */
char *benchClaimName(char *z, uint32_t i){ sprintf(z, "_c%u", i+1); return z; }

char *benchPredName(char *z, uint32_t i){
  if( i==PRED_LOCATED_IN ) strcpy(z, "located_in");
  else sprintf(z, "p%u", i);
  return z;
}

char *benchDate(char *z, uint32_t ymd){
  sprintf(z, "%04u-%02u-%02u", ymd/10000, ymd/100%100, ymd%100);
  return z;
}

/* ---------------------------------------------------------------- answers */

uint64_t benchHash(const void *p, size_t n){
  const unsigned char *a = p;
  uint64_t h = 0xcbf29ce484222325ull;
  for(size_t i=0; i<n; i++){ h ^= a[i]; h *= 0x100000001b3ull; }
  h ^= h>>33; h *= 0xff51afd7ed558ccdull; h ^= h>>33;
  return h;
}

void benchRow(BenchAnswer *a, int nCol, const char *const *azCol){
  uint64_t h = 0x12345;
  for(int i=0; i<nCol; i++){
    const char *z = azCol[i] ? azCol[i] : "\001NULL";
    h = (h*0x9e3779b97f4a7c15ull) ^ benchHash(z, strlen(z));
  }
  a->nRow++;
  a->sum += h;
  if( a->pDump ){
    fprintf(a->pDump, "%d", a->iQuery);
    for(int i=0; i<nCol; i++) fprintf(a->pDump, "\t%s", azCol[i] ? azCol[i] : "NULL");
    fputc('\n', a->pDump);
  }
}

/* ---------------------------------------------------------------- results */

void benchPut(BenchOut *o, const char *zWork, const char *zKey, double v){
  fprintf(o->p, "%s %s %.17g\n", zWork, zKey, v);
  fflush(o->p);
}

void benchPutAnswer(BenchOut *o, const char *zWork, const BenchAnswer *a){
  fprintf(o->p, "%s rows %llu\n%s digest %016llx\n", zWork, (unsigned long long)a->nRow,
          zWork, (unsigned long long)a->sum);
  fflush(o->p);
}

double benchNow(void){
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec*1e-9;
}

/* The "wchar" line of /proc/self/io: every byte handed to write(),
** pwrite(), writev() and the like, whether or not it reached the disk yet.
** -1 where there is no such file (not Linux). */
double benchWritten(void){
  FILE *f = fopen("/proc/self/io", "r");
  char zLine[128];
  double x = -1;
  if( !f ) return -1;
  while( fgets(zLine, sizeof(zLine), f) ){
    unsigned long long n;
    if( sscanf(zLine, "wchar: %llu", &n)==1 ){ x = (double)n; break; }
  }
  fclose(f);
  return x;
}

long benchMaxRssKb(void){
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

double benchHaversineKm(double lat1, double lon1, double lat2, double lon2){
  const double rad = 3.14159265358979323846/180.0;
  double p1 = lat1*rad, p2 = lat2*rad;
  double dp = (lat2-lat1)*rad, dl = (lon2-lon1)*rad;
  double s1 = sin(dp/2), s2 = sin(dl/2);
  double h = s1*s1 + cos(p1)*cos(p2)*s2*s2;
  if( h>1.0 ) h = 1.0;
  if( h<0.0 ) h = 0.0;
  return 2.0*6371.0088*asin(sqrt(h));
}

uint64_t benchFileSize(const char *zPath){
  struct stat st;
  return stat(zPath, &st)==0 ? (uint64_t)st.st_size : 0;
}
