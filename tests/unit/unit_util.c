/*
** unit_util.c -- unit tests of base/base.h: UTF-8, width, folding,
** tokenizer, quote search (text.c), distances and geo cells (geo.c), dates
** (date.c). Expected values are computed independently (python3 math and
** datetime), not copied from this code's output. Prints "N passed, N failed".
*/
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "base.h"

/* Counters of one run, passed to every check. */
typedef struct Tally { int nPass, nFail; } Tally;

/* Record one check; print the failing expression with its place. */
static int check(Tally *t, int ok, const char *zExpr, int iLine){
  if( ok ){
    t->nPass++;
  }else{
    t->nFail++;
    printf("FAIL %s:%d: %s\n", __FILE__, iLine, zExpr);
  }
  return ok;
}
#define CHECK(x) check(pT, (x)!=0, #x, __LINE__)

/* ================================================================ UTF-8 */

/* 1 if s is valid and, when not, the first bad byte is at iWant. */
static int badAt(const char *s, size_t n, size_t iWant){
  size_t iBad = 999;
  return faktUtf8Valid(s, n, &iBad)==0 && iBad==iWant;
}

static void testUtf8(Tally *pT){
  uint32_t c;
  char a[8];
  const unsigned char euro[] = {0xE2, 0x82, 0xAC};
  const unsigned char trunc[] = {0xE2, 0x82};
  uint32_t aCp[] = {0x41, 0xF6, 0x7FF, 0x800, 0x20AC, 0xFFFD, 0x10000, 0x1F600, 0x10FFFF};
  int i, ok;

  CHECK( faktUtf8Valid("", 0, 0)==1 );
  CHECK( faktUtf8Valid("Pj\xC3\xB6ngjang", 10, 0)==1 );
  CHECK( faktUtf8Valid("\xD0\x92\xD0\xBB", 4, 0)==1 );            /* Вл */
  CHECK( faktUtf8Valid("\xF4\x8F\xBF\xBF", 4, 0)==1 );            /* U+10FFFF */
  CHECK( badAt("ab\xC0\x80", 4, 2) );                            /* overlong NUL */
  CHECK( badAt("\xC1\xBF", 2, 0) );                              /* overlong 0x7F */
  CHECK( badAt("x\xE0\x80\xAF", 4, 1) );                         /* overlong '/' */
  CHECK( badAt("\xF0\x80\x80\x80", 4, 0) );                      /* overlong 4 bytes */
  CHECK( badAt("ok\xED\xA0\x80", 5, 2) );                        /* surrogate D800 */
  CHECK( badAt("\xED\xBF\xBF", 3, 0) );                          /* surrogate DFFF */
  CHECK( badAt("abc\xC3", 4, 3) );                               /* truncated 2 */
  CHECK( badAt("\xE2\x82", 2, 0) );                              /* truncated 3 */
  CHECK( badAt("\xE2\x82x", 3, 0) );                             /* bad continuation */
  CHECK( badAt("\xF4\x90\x80\x80", 4, 0) );                      /* U+110000 */
  CHECK( badAt("\xF5\x80\x80\x80", 4, 0) );                      /* lead > F4 */
  CHECK( badAt("a\x80", 2, 1) );                                 /* lone continuation */
  CHECK( badAt("\xFF", 1, 0) );

  CHECK( faktUtf8Decode(euro, euro+3, &c)==3 && c==0x20AC );
  CHECK( faktUtf8Decode(trunc, trunc+2, &c)==0 && c==0xFFFD );
  ok = 1;
  for(i=0; i<(int)(sizeof(aCp)/sizeof(aCp[0])); i++){
    int n = faktUtf8Encode(aCp[i], a);
    uint32_t c2 = 0;
    int nWant = aCp[i]<0x80 ? 1 : aCp[i]<0x800 ? 2 : aCp[i]<0x10000 ? 3 : 4;
    if( n!=nWant || faktUtf8Decode((unsigned char*)a, (unsigned char*)a+n, &c2)!=n
     || c2!=aCp[i] ) ok = 0;
  }
  CHECK( ok );
  CHECK( faktUtf8Encode(0xE4, a)==2 && memcmp(a, "\xC3\xA4", 2)==0 );   /* ä */
  CHECK( faktUtf8Chars("Pj\xC3\xB6ngjang", 10)==9 );
  CHECK( faktUtf8Chars("\xE5\x8C\x97\xE4\xBA\xAC", 6)==2 );
}

static void testWidth(Tally *pT){
  const char *zPj = "Pj\xC3\xB6ngjang";                   /* Pjöngjang */
  const char *zBj = "\xE5\x8C\x97\xE4\xBA\xAC\xE5\xB8\x82"; /* 北京市 */
  const char *zE = "Pjo\xCC\x88ngjang";                   /* o + U+0308 */
  CHECK( faktUtf8Width(zPj, strlen(zPj))==9 );
  CHECK( faktUtf8Width(zBj, 9)==6 );
  CHECK( faktUtf8Width("\xED\x95\x9C\xEA\xB5\xAD", 6)==4 ); /* 한국 */
  CHECK( faktUtf8Width(zE, strlen(zE))==9 );
  CHECK( faktUtf8Width("a\tb", 3)==2 );
  CHECK( faktUtf8Width("a\xE2\x80\x8B" "b", 5)==2 );       /* zero-width space */
  CHECK( faktUtf8Width("\xD0\x92\xD0\xBB", 4)==2 );        /* Cyrillic: 1 each */
  CHECK( faktUtf8Fit(zPj, strlen(zPj), 3)==4 );            /* "Pjö" */
  CHECK( faktUtf8Fit(zBj, 9, 5)==6 );                      /* 2 wide chars */
  CHECK( faktUtf8Fit(zBj, 9, 1)==0 );
  CHECK( faktUtf8Fit(zE, strlen(zE), 3)==5 );              /* keeps the mark */
  CHECK( faktUtf8Fit(zPj, strlen(zPj), 100)==strlen(zPj) );
}

/* ================================================================ folding */

/* 1 if fold(zIn) is exactly zWant. */
static int foldIs(const char *zIn, const char *zWant){
  char a[256];
  size_t n = faktFold(zIn, strlen(zIn), a, sizeof(a));
  return n==strlen(zWant) && strcmp(a, zWant)==0;
}

static void testFold(Tally *pT){
  char a[8];
  CHECK( foldIs("Pj\xC3\xB6ngjang", "pjongjang") );
  CHECK( foldIs("Kim Jong-un", "kim jong un") );
  CHECK( foldIs("Kim Jong Un", "kim jong un") );
  CHECK( foldIs("  Kim   Jong-Un. ", "kim jong un") );
  CHECK( foldIs("Stra\xC3\x9F" "e", "strasse") );
  CHECK( foldIs("STRA\xE1\xBA\x9E" "E", "strasse") );              /* capital ẞ */
  CHECK( foldIs("Wostotschny", "wostotschny") );
  CHECK( foldIs("Koschemjako", "koschemjako") );
  CHECK( foldIs("\xC3\x84\xC3\x96\xC3\x9C", "aou") );              /* ÄÖÜ */
  CHECK( foldIs("\xC3\xA4\xC3\xB6\xC3\xBC", "aou") );              /* äöü */
  /* Владивосток -> владивосток */
  CHECK( foldIs("\xD0\x92\xD0\xBB\xD0\xB0\xD0\xB4\xD0\xB8\xD0\xB2\xD0\xBE\xD1\x81\xD1\x82\xD0\xBE\xD0\xBA",
                "\xD0\xB2\xD0\xBB\xD0\xB0\xD0\xB4\xD0\xB8\xD0\xB2\xD0\xBE\xD1\x81\xD1\x82\xD0\xBE\xD0\xBA") );
  CHECK( foldIs("\xD0\x81", "\xD1\x91") );                         /* Ё -> ё */
  CHECK( foldIs("\xCE\x91\xCE\x98\xCE\x97\xCE\x9D\xCE\x91",
                "\xCE\xB1\xCE\xB8\xCE\xB7\xCE\xBD\xCE\xB1") );    /* ΑΘΗΝΑ */
  CHECK( foldIs("Dvo\xC5\x99\xC3\xA1k", "dvorak") );               /* Dvořák */
  CHECK( foldIs("\xC5\x81\xC3\xB3\x64\xC5\xBA", "lodz") );         /* Łódź */
  CHECK( foldIs("Pjo\xCC\x88ngjang", "pjongjang") );               /* decomposed ö */
  CHECK( foldIs("O\xE2\x80\x99" "Brien", "o brien") );             /* O’Brien */
  CHECK( foldIs("Caf\xC3\xA9, Bar", "cafe bar") );
  CHECK( foldIs("- . '", "") );
  CHECK( faktFold("Stra\xC3\x9F" "e", 7, a, 4)==3 && strcmp(a, "str")==0 );
  CHECK( faktFold("\xC3\xA4", 2, a, 2)==1 && strcmp(a, "a")==0 );
}

/* ================================================================ tokenizer */

/* Collected words of one faktTokenize run. */
typedef struct Toks {
  int n;                   /* words seen */
  int nStop;               /* stop (return 7) after this many; 0 never */
  char az[16][72];         /* the words */
  size_t aOff[16];         /* their offsets */
} Toks;

static int tokCb(void *pArg, const char *z, size_t n, size_t iOff){
  Toks *p = (Toks*)pArg;
  if( p->n<16 ){
    memcpy(p->az[p->n], z, n);
    p->az[p->n][n] = 0;
    p->aOff[p->n] = iOff;
  }
  p->n++;
  return (p->nStop && p->n>=p->nStop) ? 7 : 0;
}

static void testTokenize(Tally *pT){
  /* „Die Raketen flogen über Pjöngjang“, sagte Kim Jong-un. */
  const char *z = "\xE2\x80\x9E" "Die Raketen flogen \xC3\xBC" "ber Pj\xC3\xB6ngjang\xE2\x80\x9C"
                  ", sagte Kim Jong-un.";
  Toks t;
  char aLong[100];
  int rc;
  memset(&t, 0, sizeof(t));
  rc = faktTokenize(z, strlen(z), tokCb, &t);
  CHECK( rc==0 && t.n==9 );
  CHECK( strcmp(t.az[0], "die")==0 && t.aOff[0]==3 );      /* after 3-byte „ */
  CHECK( strcmp(t.az[3], "uber")==0
         && t.aOff[3]==(size_t)(strstr(z, "\xC3\xBC" "ber")-z) );
  CHECK( strcmp(t.az[4], "pjongjang")==0
         && t.aOff[4]==(size_t)(strstr(z, "Pj")-z) );
  CHECK( strcmp(t.az[5], "sagte")==0 && t.aOff[5]==(size_t)(strstr(z, "sagte")-z) );
  CHECK( strcmp(t.az[7], "jong")==0 && strcmp(t.az[8], "un")==0
         && t.aOff[8]==(size_t)(strstr(z, "un.")-z) );

  memset(&t, 0, sizeof(t));
  t.nStop = 2;
  CHECK( faktTokenize(z, strlen(z), tokCb, &t)==7 && t.n==2 );

  memset(&t, 0, sizeof(t));
  memset(aLong, 'x', sizeof(aLong));
  CHECK( faktTokenize(aLong, 100, tokCb, &t)==0 && t.n==1 && strlen(t.az[0])==64 );

  memset(&t, 0, sizeof(t));
  CHECK( faktTokenize(" \t, . \xE2\x80\x9E\xE2\x80\x9C ", 12, tokCb, &t)==0 && t.n==0 );

  memset(&t, 0, sizeof(t));
  CHECK( faktTokenize("Stra\xC3\x9F" "e 2023", 12, tokCb, &t)==0 && t.n==2
         && strcmp(t.az[0], "strasse")==0 && strcmp(t.az[1], "2023")==0
         && t.aOff[1]==8 );
}

/* ================================================================ quotes */

/* Find q in z; 1 if found at exactly [iS, iE). */
static int quoteAt(const char *z, const char *q, size_t iS, size_t iE){
  size_t s = 0, e = 0;
  return faktFindQuote(z, strlen(z), q, strlen(q), &s, &e)==1 && s==iS && e==iE;
}
static int quoteFound(const char *z, const char *q){
  size_t s, e;
  return faktFindQuote(z, strlen(z), q, strlen(q), &s, &e);
}

static void testQuote(Tally *pT){
  const char *z = "Er sagte: Die Rakete\nflog  sehr weit\xC2\xA0\xC3\xBC" "ber das Meer. Ende.";
  size_t iDie = (size_t)(strstr(z, "Die")-z);
  size_t iMeer = (size_t)(strstr(z, "Meer")-z);
  CHECK( quoteAt(z, "Die Rakete flog sehr weit", iDie, iDie+26) );
  CHECK( quoteAt(z, "Die Rakete flog sehr weit \xC3\xBC" "ber das Meer", iDie, iMeer+4) );
  CHECK( quoteAt(z, "  Die   Rakete\n\nflog ", iDie, iDie+15) );
  CHECK( quoteAt(z, "Die\xC2\xA0Rakete\tflog", iDie, iDie+15) );
  CHECK( quoteFound(z, "Meer. Ende.") );
  CHECK( !quoteFound(z, "Die Rakete flog sehr weil") );              /* one char */
  CHECK( !quoteFound(z, "Die rakete flog") );                        /* case */
  CHECK( !quoteFound(z, "Die Rakete flog weit") );                   /* word removed */
  CHECK( !quoteFound(z, "Die Rakete flog sehr hoch \xC3\xBC" "ber das Meer") ); /* word changed */
  CHECK( !quoteFound(z, "DieRakete") );                              /* space missing */
  CHECK( !quoteFound(z, "Ende. Mehr") );
  CHECK( !quoteFound(z, "   ") );
  CHECK( !quoteFound(z, "") );
  /* candidates that share the first byte, or the first two: the search must
  ** go on past them (a one-byte quote; a space as the second byte, matched
  ** by NBSP or a newline in the text; the last byte of the text) */
  const char *z2 = "a ab aab a\xC2\xA0" "b x\ny.";
  CHECK( quoteAt(z2, "ab", 2, 4) );
  CHECK( quoteAt(z2, "a b", 9, 13) );
  CHECK( quoteAt(z2, "x y", 14, 17) );
  CHECK( quoteAt(z2, ".", 17, 18) );
  CHECK( quoteAt(z2, "aab", 5, 8) );
  CHECK( !quoteFound(z2, "aac") );
  CHECK( !quoteFound(z2, "y.z") );
  /* the first word found where the rest does not follow, or inside a
  ** longer word: the search goes on to the match after it */
  const char *z3 = "Rakete Raketen, Raketen flog weit";
  CHECK( quoteAt(z3, "Raketen flog", 16, 28) );
  CHECK( quoteAt(z3, "Rakete\nRaketen", 0, 14) );
  CHECK( !quoteFound(z3, "ketenflog") );
  CHECK( !quoteFound(z3, "Raketen flog nah") );
  /* typographic quotation marks and dashes match their plain forms and each
  ** other, other spaces (thin U+2009, narrow no-break U+202F) any space
  ** (issue 23 point 6); the span is the text's */
  const char *z4 = "Die \xE2\x80\x9E" "Chosun Ilbo\xE2\x80\x9C berichtete \xE2\x80\x93 am\xE2\x80\xAF" "Montag.";
  size_t iQ = (size_t)(strstr(z4, "\xE2\x80\x9E")-z4);
  size_t iEnd4 = strlen(z4);
  CHECK( quoteAt(z4, "\"Chosun Ilbo\" berichtete - am Montag.", iQ, iEnd4) );
  CHECK( quoteAt(z4, "'Chosun Ilbo' berichtete \xE2\x80\x94 am\xE2\x80\x89Montag.", iQ, iEnd4) );
  CHECK( quoteAt(z4, "\xC2\xBB" "Chosun Ilbo\xC2\xAB", iQ, iQ+17) );
  CHECK( !quoteFound(z4, "Chosun Ilbo berichtete") );               /* a mark is not nothing */
  CHECK( !quoteFound(z4, "berichtete \" am") );                     /* a mark is not a dash */
  CHECK( !quoteFound(z4, "berichtete - amMontag") );
  CHECK( quoteFound(z4, "am Montag. \xE2\x80\x89") );               /* trailing thin space trimmed */
}

/* The passage closest to q in z, as text; "" when none. */
static const char *closest(const char *z, const char *q, char *zOut){
  size_t s, e;
  zOut[0] = 0;
  if( faktClosestPassage(z, strlen(z), q, strlen(q), &s, &e)==1 ){
    memcpy(zOut, z+s, e-s);
    zOut[e-s] = 0;
  }
  return zOut;
}

static void testClosest(Tally *pT){
  char zBuf[200];
  const char *z = "Kim reist nach Russland. Das Treffen ist am Dienstag in Wladiwostok. Putin wartet.";
  /* a typo in one word: the run of as many words sharing the most */
  CHECK( strcmp(closest(z, "Das Treffen ist am Mittwoch", zBuf), "Das Treffen ist am Dienstag")==0 );
  /* case and accents do not count against a word */
  CHECK( strcmp(closest(z, "das treffen IST", zBuf), "Das Treffen ist")==0 );
  /* words out of order still share */
  CHECK( strcmp(closest(z, "wartet Putin", zBuf), "Putin wartet")==0 );
  /* no word in common, an empty quote, a quote longer than the text */
  CHECK( strcmp(closest(z, "Moskau Pjongjang", zBuf), "")==0 );
  CHECK( strcmp(closest(z, "", zBuf), "")==0 );
  CHECK( strcmp(closest("Kim reist", "Kim reist heute nach Moskau", zBuf), "Kim reist")==0 );
}

/* ================================================================ geo */

#define PI 3.14159265358979323846

/* Point at distance km and bearing deg from (lat,lon): the standard
** spherical destination formula, independent of the haversine code. */
static void destination(double lat, double lon, double brg, double km,
                        double *pLat, double *pLon){
  double p = lat*PI/180, l = lon*PI/180, b = brg*PI/180, d = km/FAKT_EARTH_RADIUS_KM;
  double p2 = asin(sin(p)*cos(d) + cos(p)*sin(d)*cos(b));
  double l2 = l + atan2(sin(b)*sin(d)*cos(p), cos(d) - sin(p)*sin(p2));
  *pLat = p2*180/PI;
  *pLon = fmod(l2*180/PI + 540.0, 360.0) - 180.0;
}

/* 1 if every sampled point of the disc lies in one of the cells. */
static int cellsCover(double lat, double lon, double km, const uint32_t *a, int n){
  int ib, f, i;
  for(ib=0; ib<360; ib+=2){
    for(f=1; f<=4; f++){
      double la, lo, r = km*(f==4 ? 0.9999 : f/4.0);
      uint32_t c;
      destination(lat, lon, ib, r, &la, &lo);
      c = faktGeoCell(la, lo);
      for(i=0; i<n && a[i]!=c; i++){}
      if( i==n ) return 0;
    }
  }
  return 1;
}

/* 1 if a[0..n) is strictly ascending (sorted, no duplicates). */
static int ascending(const uint32_t *a, int n){
  int i;
  for(i=1; i<n; i++) if( a[i-1]>=a[i] ) return 0;
  return 1;
}

/* 1 if cell (row, col) is in a[0..n). */
static int hasCell(const uint32_t *a, int n, int row, int col){
  int i;
  for(i=0; i<n; i++) if( a[i]==(((uint32_t)row<<16)|(uint32_t)col) ) return 1;
  return 0;
}

static void testGeo(Tally *pT){
  uint32_t a[2000];
  int n;
  double d;
  /* python3: R*acos(sin φ1 sin φ2 + cos φ1 cos φ2 cos Δλ), R = 6371.0088:
  ** Wladiwostok-Pjöngjang 683.858 km, Moskau-Wladiwostok 6415.643 km,
  ** Berlin (52.52,13.405)-München (48.1351,11.582) 504.416 km,
  ** (0,179.5)-(0,-179.5) 111.195 km. */
  d = faktHaversineKm(43.1056, 131.8735, 39.0339, 125.7543);
  CHECK( fabs(d-680.0)<=10.0 && fabs(d-683.858)<0.5 );
  d = faktHaversineKm(55.7558, 37.6173, 43.1056, 131.8735);
  CHECK( fabs(d-6430.0)<=30.0 && fabs(d-6415.643)<0.5 );
  CHECK( fabs(faktHaversineKm(52.52, 13.405, 48.1351, 11.582)-504.416)<0.5 );
  CHECK( fabs(faktHaversineKm(0, 179.5, 0, -179.5)-111.195)<0.01 );
  CHECK( faktHaversineKm(43.1056, 131.8735, 43.1056, 131.8735)==0.0 );
  CHECK( fabs(faktHaversineKm(90, 0, -90, 0) - PI*FAKT_EARTH_RADIUS_KM)<1e-6 );

  CHECK( faktGeoCell(52.52, 13.405)==((142u<<16)|193u) );
  CHECK( faktGeoCell(-0.5, -0.5)==((89u<<16)|179u) );
  CHECK( faktGeoCell(-33.87, 151.21)==((56u<<16)|331u) );        /* Sydney */
  CHECK( faktGeoCell(90, 180)==faktGeoCell(89.5, -180) );

  n = faktGeoCells(52.5, 13.5, 10, a, 100);                     /* inside one cell */
  CHECK( n==1 && a[0]==faktGeoCell(52.5, 13.5) );
  n = faktGeoCells(52.02, 13.98, 10, a, 100);                   /* near a corner */
  CHECK( n==4 && ascending(a, n) && cellsCover(52.02, 13.98, 10, a, n) );
  n = faktGeoCells(43.1056, 131.8735, 700, a, 2000);
  CHECK( n>0 && ascending(a, n) && cellsCover(43.1056, 131.8735, 700, a, n)
         && hasCell(a, n, 39+90, 125+180) );
  n = faktGeoCells(0.2, 179.9, 50, a, 100);                     /* antimeridian */
  CHECK( n>0 && ascending(a, n) && hasCell(a, n, 90, 359) && hasCell(a, n, 90, 0)
         && hasCell(a, n, 89, 0) && !hasCell(a, n, 90, 180)
         && cellsCover(0.2, 179.9, 50, a, n) );
  n = faktGeoCells(-10.0, -179.8, 120, a, 100);
  CHECK( n>0 && ascending(a, n) && hasCell(a, n, 79, 359) && hasCell(a, n, 80, 0)
         && cellsCover(-10.0, -179.8, 120, a, n) && n<=12 );
  n = faktGeoCells(89.5, 0.0, 100, a, 2000);                    /* contains the pole */
  CHECK( n==720 && hasCell(a, n, 179, 359) && hasCell(a, n, 178, 180)
         && cellsCover(89.5, 0.0, 100, a, n) );
  CHECK( faktGeoCells(89.5, 0.0, 100, a, 719)==-1 );
  /* 200 km at 80 N: lat 78.20..81.80, half-width asin(sin(d)/cos 80) =
  ** 10.41 deg, so lon 164.59..185.41: columns 344..359 and 0..5 (python3) */
  n = faktGeoCells(80.0, 175.0, 200, a, 2000);                  /* polar, wide */
  CHECK( n==4*22 && ascending(a, n) && hasCell(a, n, 168, 344) && hasCell(a, n, 171, 5)
         && hasCell(a, n, 170, 359) && hasCell(a, n, 170, 0) && !hasCell(a, n, 170, 6)
         && !hasCell(a, n, 170, 343) && cellsCover(80.0, 175.0, 200, a, n) );
  n = faktGeoCells(-85.0, 100.0, 300, a, 2000);
  CHECK( n>0 && cellsCover(-85.0, 100.0, 300, a, n) );
  CHECK( faktGeoCells(50.0, 10.0, 20000, a, 2000)==-1 );
  CHECK( faktGeoCells(50.0, 10.0, 500, a, 3)==-1 );
}

/* ================================================================ dates */

static void testDate(Tally *pT){
  uint64_t v, m09, d10, y23, d0831, d1001, m10, y24;
  int y, m, d, p;
  int64_t f, l;
  char z[16];

  CHECK( !faktDateValid(2023, 2, 29, DATE_DAY) );
  CHECK( faktDateValid(2024, 2, 29, DATE_DAY) );
  CHECK( !faktDateValid(1900, 2, 29, DATE_DAY) );
  CHECK( faktDateValid(2000, 2, 29, DATE_DAY) );
  CHECK( !faktDateValid(2023, 2, 30, DATE_DAY) );
  CHECK( !faktDateValid(2023, 4, 31, DATE_DAY) && faktDateValid(2023, 12, 31, DATE_DAY) );
  CHECK( !faktDateValid(2023, 13, 0, DATE_MONTH) && !faktDateValid(2023, 0, 0, DATE_MONTH) );
  CHECK( !faktDateValid(0, 0, 0, DATE_YEAR) && !faktDateValid(10000, 0, 0, DATE_YEAR) );
  CHECK( faktDateValid(9999, 12, 31, DATE_DAY) && faktDateValid(1, 1, 1, DATE_DAY) );

  v = faktDatePack(2023, 9, 10, DATE_DAY);
  CHECK( v==((20230910ULL<<8)|3) );
  faktDateUnpack(v, &y, &m, &d, &p);
  CHECK( y==2023 && m==9 && d==10 && p==DATE_DAY );
  CHECK( faktDatePack(2023, 9, 0, DATE_MONTH)==((20230900ULL<<8)|2) );

  /* days since 1970-01-01, from python3 datetime.date(...) - date(1970,1,1) */
  CHECK( faktDaysFromCivil(1970, 1, 1)==0 );
  CHECK( faktDaysFromCivil(1969, 12, 31)==-1 );
  CHECK( faktDaysFromCivil(2023, 9, 10)==19610 );
  CHECK( faktDaysFromCivil(2024, 2, 29)==19782 && faktDaysFromCivil(2000, 3, 1)==11017 );
  CHECK( faktDaysFromCivil(1, 1, 1)==-719162 && faktDaysFromCivil(9999, 12, 31)==2932896 );

  m09 = faktDatePack(2023, 9, 0, DATE_MONTH);
  d10 = faktDatePack(2023, 9, 10, DATE_DAY);
  y23 = faktDatePack(2023, 0, 0, DATE_YEAR);
  y24 = faktDatePack(2024, 0, 0, DATE_YEAR);
  m10 = faktDatePack(2023, 10, 0, DATE_MONTH);
  d0831 = faktDatePack(2023, 8, 31, DATE_DAY);
  d1001 = faktDatePack(2023, 10, 1, DATE_DAY);
  faktDateRange(m09, &f, &l);
  CHECK( f==faktDaysFromCivil(2023, 9, 1) && l-f==29 );
  faktDateRange(faktDatePack(2024, 2, 0, DATE_MONTH), &f, &l);
  CHECK( l-f==28 );
  faktDateRange(y24, &f, &l);
  CHECK( l-f==365 );

  CHECK( !faktDateCompare(m09, d10, 2) );      /* @2023-09 <  @2023-09-10 */
  CHECK( faktDateCompare(m09, d10, 3) );       /* @2023-09 <= @2023-09-10 */
  CHECK( faktDateCompare(m09, d10, 5) );       /* @2023-09 >= @2023-09-10 */
  CHECK( !faktDateCompare(m09, d10, 4) );      /* @2023-09 >  @2023-09-10 */
  CHECK( !faktDateCompare(m09, d10, 0) && faktDateCompare(m09, d10, 1) );
  CHECK( faktDateCompare(d10, d10, 0) && !faktDateCompare(d10, d10, 1) );
  CHECK( faktDateCompare(d0831, m09, 2) && !faktDateCompare(d0831, m09, 5) );
  CHECK( faktDateCompare(d1001, m09, 4) && !faktDateCompare(d1001, m09, 3) );
  CHECK( faktDateCompare(m09, m10, 2) && faktDateCompare(m10, m09, 4) );
  CHECK( !faktDateCompare(y23, m09, 2) && !faktDateCompare(y23, m09, 4)
         && faktDateCompare(y23, m09, 3) && faktDateCompare(y23, m09, 5) );
  CHECK( faktDateCompare(y23, y24, 2) && faktDateCompare(y23, y24, 3)
         && !faktDateCompare(y23, y24, 5) );
  CHECK( faktDateCompare(d10, d10, 3) && faktDateCompare(d10, d10, 5)
         && !faktDateCompare(d10, d10, 2) );

  CHECK( faktDateDuring(d10, m09) );
  CHECK( faktDateDuring(d10, y23) && faktDateDuring(m09, y23) && faktDateDuring(m09, m09) );
  CHECK( !faktDateDuring(m09, d10) && !faktDateDuring(d1001, m09) && !faktDateDuring(y23, m09) );

  CHECK( faktDateOrder(y23, m09)<0 && faktDateOrder(m09, d10)<0 );
  CHECK( faktDateOrder(faktDatePack(2023, 9, 1, DATE_DAY), m09)>0 );   /* same start */
  CHECK( faktDateOrder(y23, faktDatePack(2023, 1, 0, DATE_MONTH))<0 );
  CHECK( faktDateOrder(d0831, m09)<0 && faktDateOrder(m10, d10)>0 );
  CHECK( faktDateOrder(d10, d10)==0 );

  CHECK( faktDateFormat(d10, z)==10 && strcmp(z, "2023-09-10")==0 );
  CHECK( faktDateFormat(m09, z)==7 && strcmp(z, "2023-09")==0 );
  CHECK( faktDateFormat(faktDatePack(2019, 0, 0, DATE_YEAR), z)==4 && strcmp(z, "2019")==0 );
  CHECK( faktDateFormat(faktDatePack(42, 1, 2, DATE_DAY), z)==10 && strcmp(z, "0042-01-02")==0 );

  CHECK( faktDateParse("2023-09-10", 10, &v) && v==d10 );
  CHECK( faktDateParse("2023-09", 7, &v) && v==m09 );
  CHECK( faktDateParse("2023", 4, &v) && v==y23 );
  CHECK( faktDateParse("2024-02-29", 10, &v) );
  CHECK( !faktDateParse("2023-02-29", 10, &v) && !faktDateParse("1900-02-29", 10, &v) );
  CHECK( !faktDateParse("2023-9-10", 9, &v) && !faktDateParse("2023-09-1x", 10, &v) );
  CHECK( !faktDateParse("2023-13", 7, &v) && !faktDateParse("0000", 4, &v) );
  CHECK( !faktDateParse("2023/09", 7, &v) && !faktDateParse("20230910", 8, &v) );
  CHECK( !faktDateParse("2023-09-10x", 11, &v) && !faktDateParse("", 0, &v) );
}

int main(void){
  Tally t = {0, 0};
  testUtf8(&t);
  testWidth(&t);
  testFold(&t);
  testTokenize(&t);
  testQuote(&t);
  testClosest(&t);
  testGeo(&t);
  testDate(&t);
  printf("%d passed, %d failed\n", t.nPass, t.nFail);
  return t.nFail ? 1 : 0;
}
