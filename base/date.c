/*
** date.c -- dates of year, month or day precision (SPEC.md section 6):
** validation (Gregorian leap years), the packed stored form, the interval
** of days a date denotes, comparison, sort order, format and parse.
** Pure functions; see base.h.
*/
#include "base.h"

/* 1 if y is a Gregorian leap year. */
static int isLeap(int y){
  return (y%4==0 && y%100!=0) || y%400==0;
}

/* Days in month m (1..12) of year y; 31 for a month out of range, which
** only a damaged stored date can hold. */
static int monthDays(int y, int m){
  static const unsigned char aDays[12] = {31,28,31,30,31,30,31,31,30,31,30,31};
  if( m<1 || m>12 ) return 31;
  return m==2 && isLeap(y) ? 29 : aDays[m-1];
}

/*
** 1 if the date is valid for its precision: year 1..9999, month 1..12 for
** month and day precision, day within the month for day precision. Fields
** finer than the precision are not looked at.
*/
int faktDateValid(int y, int m, int d, int prec){
  if( prec<DATE_YEAR || prec>DATE_DAY ) return 0;
  if( y<1 || y>9999 ) return 0;
  if( prec==DATE_YEAR ) return 1;
  if( m<1 || m>12 ) return 0;
  if( prec==DATE_MONTH ) return 1;
  return d>=1 && d<=monthDays(y, m);
}

/* Pack a date; fields finer than prec are stored as 0. */
uint64_t faktDatePack(int y, int m, int d, int prec){
  if( prec<DATE_MONTH ) m = 0;
  if( prec<DATE_DAY ) d = 0;
  return ((uint64_t)(y*10000 + m*100 + d) << 8) | (uint64_t)(prec & 0xff);
}

/* Unpack a date made by faktDatePack. */
void faktDateUnpack(uint64_t v, int *py, int *pm, int *pd, int *pPrec){
  uint64_t x = v >> 8;
  *py = (int)(x/10000);
  *pm = (int)(x/100%100);
  *pd = (int)(x%100);
  *pPrec = (int)(v & 0xff);
}

/*
** Days since 1970-01-01 of a proleptic Gregorian date (negative before).
** The era-based method of H. Hinnant's "chrono-compatible low-level date
** algorithms".
*/
int64_t faktDaysFromCivil(int y, int m, int d){
  int64_t yy = (int64_t)y - (m<=2);
  int64_t era = (yy>=0 ? yy : yy-399) / 400;
  int64_t yoe = yy - era*400;                                  /* 0..399 */
  int64_t doy = (153*(m>2 ? m-3 : m+9) + 2)/5 + d - 1;         /* 0..365 */
  int64_t doe = yoe*365 + yoe/4 - yoe/100 + doy;               /* 0..146096 */
  return era*146097 + doe - 719468;
}

/* First and last day (days since 1970-01-01) of the interval v denotes. */
void faktDateRange(uint64_t v, int64_t *pFirst, int64_t *pLast){
  int y, m, d, prec;
  faktDateUnpack(v, &y, &m, &d, &prec);
  if( prec==DATE_DAY ){
    *pFirst = *pLast = faktDaysFromCivil(y, m, d);
  }else if( prec==DATE_MONTH ){
    *pFirst = faktDaysFromCivil(y, m, 1);
    *pLast = faktDaysFromCivil(y, m, monthDays(y, m));
  }else{
    *pFirst = faktDaysFromCivil(y, 1, 1);
    *pLast = faktDaysFromCivil(y, 12, 31);
  }
}

/* 1 if a ends before b starts. */
static int dateBefore(uint64_t a, uint64_t b){
  int64_t aFirst, aLast, bFirst, bLast;
  faktDateRange(a, &aFirst, &aLast);
  faktDateRange(b, &bFirst, &bLast);
  return aLast<bFirst;
}

/*
** Compare as SPEC.md section 6.2 says: '=' is same precision and value,
** '<' is "a ends before b starts", '>' is b < a, '<=' is not '>', '>=' is
** not '<'. So overlapping dates of different precision are <= and >= each
** other but neither < nor >. An unknown op gives 0.
*/
int faktDateCompare(uint64_t a, uint64_t b, int op){
  switch( op ){
    case 0: return a==b;
    case 1: return a!=b;
    case 2: return dateBefore(a, b);
    case 3: return !dateBefore(b, a);
    case 4: return dateBefore(b, a);
    case 5: return !dateBefore(a, b);
  }
  return 0;
}

/* Sort order: first day, then coarser precision first. -1, 0 or 1. */
int faktDateOrder(uint64_t a, uint64_t b){
  int64_t aFirst, aLast, bFirst, bLast;
  int pa = (int)(a & 0xff), pb = (int)(b & 0xff);
  faktDateRange(a, &aFirst, &aLast);
  faktDateRange(b, &bFirst, &bLast);
  if( aFirst!=bFirst ) return aFirst<bFirst ? -1 : 1;
  if( pa!=pb ) return pa<pb ? -1 : 1;
  return 0;
}

/* 1 if the interval of a lies within the interval of b. */
int faktDateDuring(uint64_t a, uint64_t b){
  int64_t aFirst, aLast, bFirst, bLast;
  faktDateRange(a, &aFirst, &aLast);
  faktDateRange(b, &bFirst, &bLast);
  return aFirst>=bFirst && aLast<=bLast;
}

/* Write n as exactly nDigit decimal digits (zero padded). */
static void putDigits(char *z, int n, int nDigit){
  int i;
  for(i=nDigit-1; i>=0; i--){
    z[i] = (char)('0' + n%10);
    n /= 10;
  }
}

/* Format as "YYYY", "YYYY-MM" or "YYYY-MM-DD", NUL-terminated. */
int faktDateFormat(uint64_t v, char *z){
  int y, m, d, prec, n = 4;
  faktDateUnpack(v, &y, &m, &d, &prec);
  putDigits(z, y, 4);
  if( prec>=DATE_MONTH ){
    z[4] = '-';
    putDigits(z+5, m, 2);
    n = 7;
  }
  if( prec>=DATE_DAY ){
    z[7] = '-';
    putDigits(z+8, d, 2);
    n = 10;
  }
  z[n] = 0;
  return n;
}

/* Parse nDigit decimal digits at z; -1 if any is not a digit. */
static int getDigits(const char *z, int nDigit){
  int i, n = 0;
  for(i=0; i<nDigit; i++){
    if( z[i]<'0' || z[i]>'9' ) return -1;
    n = n*10 + (z[i]-'0');
  }
  return n;
}

/* Parse exactly "YYYY", "YYYY-MM" or "YYYY-MM-DD" and validate it. */
int faktDateParse(const char *z, size_t n, uint64_t *pv){
  int y, m = 0, d = 0, prec;
  if( n!=4 && n!=7 && n!=10 ) return 0;
  y = getDigits(z, 4);
  if( y<0 ) return 0;
  prec = DATE_YEAR;
  if( n>=7 ){
    if( z[4]!='-' || (m = getDigits(z+5, 2))<0 ) return 0;
    prec = DATE_MONTH;
  }
  if( n==10 ){
    if( z[7]!='-' || (d = getDigits(z+8, 2))<0 ) return 0;
    prec = DATE_DAY;
  }
  if( !faktDateValid(y, m, d, prec) ) return 0;
  *pv = faktDatePack(y, m, d, prec);
  return 1;
}
