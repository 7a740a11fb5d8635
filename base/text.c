/*
** text.c -- UTF-8 validation and coding, display width, folding for
** lookups (SPEC.md section 7), the word tokenizer used by full-text
** match, and whitespace-tolerant quote search (with an index of a text
** for repeated searches). No state; only the index and the closest
** passage's word list allocate. The contract is base/base.h.
*/
#define _GNU_SOURCE        /* memmem(), in glibc only with this */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include "base.h"

/* ================================================================ UTF-8 */

/*
** Decode one code point. Rejects overlong forms, surrogates, code points
** above U+10FFFF, truncated sequences and stray continuation bytes.
*/
int faktUtf8Decode(const unsigned char *z, const unsigned char *zEnd, uint32_t *pCp){
  uint32_t c;              /* code point being built */
  uint32_t cMin;           /* smallest code point allowed for this length */
  int n, i;                /* sequence length, index */
  if( z>=zEnd ){ *pCp = 0xFFFD; return 0; }
  c = z[0];
  if( c<0x80 ){ *pCp = c; return 1; }
  if( c<0xC2 ){ *pCp = 0xFFFD; return 0; }        /* continuation or overlong lead */
  if( c<0xE0 ){ n = 2; c &= 0x1F; cMin = 0x80; }
  else if( c<0xF0 ){ n = 3; c &= 0x0F; cMin = 0x800; }
  else if( c<0xF5 ){ n = 4; c &= 0x07; cMin = 0x10000; }
  else { *pCp = 0xFFFD; return 0; }
  if( zEnd-z<n ){ *pCp = 0xFFFD; return 0; }
  for(i=1; i<n; i++){
    if( (z[i]&0xC0)!=0x80 ){ *pCp = 0xFFFD; return 0; }
    c = (c<<6) | (z[i]&0x3F);
  }
  if( c<cMin || c>0x10FFFF || (c>=0xD800 && c<=0xDFFF) ){
    *pCp = 0xFFFD;
    return 0;
  }
  *pCp = c;
  return n;
}

/* Check that z[0..n) is valid UTF-8; on failure report the first bad byte. */
int faktUtf8Valid(const char *z, size_t n, size_t *piBad){
  const unsigned char *p = (const unsigned char*)z;
  const unsigned char *pEnd = p + n;
  uint32_t c;
  while( p<pEnd ){
    int k;
    if( *p<0x80 ){ p++; continue; }
    k = faktUtf8Decode(p, pEnd, &c);
    if( k==0 ){
      if( piBad ) *piBad = (size_t)(p - (const unsigned char*)z);
      return 0;
    }
    p += k;
  }
  return 1;
}

/* Encode cp (assumed a scalar value) as UTF-8 into z. */
int faktUtf8Encode(uint32_t cp, char *z){
  unsigned char *p = (unsigned char*)z;
  if( cp<0x80 ){ p[0] = (unsigned char)cp; return 1; }
  if( cp<0x800 ){
    p[0] = (unsigned char)(0xC0 | (cp>>6));
    p[1] = (unsigned char)(0x80 | (cp&0x3F));
    return 2;
  }
  if( cp<0x10000 ){
    p[0] = (unsigned char)(0xE0 | (cp>>12));
    p[1] = (unsigned char)(0x80 | ((cp>>6)&0x3F));
    p[2] = (unsigned char)(0x80 | (cp&0x3F));
    return 3;
  }
  p[0] = (unsigned char)(0xF0 | (cp>>18));
  p[1] = (unsigned char)(0x80 | ((cp>>12)&0x3F));
  p[2] = (unsigned char)(0x80 | ((cp>>6)&0x3F));
  p[3] = (unsigned char)(0x80 | (cp&0x3F));
  return 4;
}

/* Decode at z[i]; an invalid byte counts as one U+FFFD of length 1. */
static int nextCp(const char *z, size_t n, size_t i, uint32_t *pCp){
  const unsigned char *p = (const unsigned char*)z;
  int k;
  if( p[i]<0x80 ){ *pCp = p[i]; return 1; }
  k = faktUtf8Decode(p+i, p+n, pCp);
  return k ? k : 1;
}

/* Count code points; each invalid byte counts as one. */
size_t faktUtf8Chars(const char *z, size_t n){
  size_t i = 0, nChar = 0;
  uint32_t c;
  while( i<n ){
    i += (size_t)nextCp(z, n, i, &c);
    nChar++;
  }
  return nChar;
}

/* A range of code points [lo, hi]. */
typedef struct CpRange { uint32_t lo, hi; } CpRange;

/* Combining marks and zero-width format characters: width 0. Sorted. */
static const CpRange aZeroWidth[] = {
  {0x00AD,0x00AD}, {0x0300,0x036F}, {0x0483,0x0489}, {0x0591,0x05BD},
  {0x05BF,0x05BF}, {0x05C1,0x05C2}, {0x05C4,0x05C5}, {0x05C7,0x05C7},
  {0x0610,0x061A}, {0x064B,0x065F}, {0x0670,0x0670}, {0x06D6,0x06DC},
  {0x06DF,0x06E4}, {0x06E7,0x06E8}, {0x06EA,0x06ED}, {0x0900,0x0902},
  {0x093A,0x093A}, {0x093C,0x093C}, {0x0941,0x0948}, {0x094D,0x094D},
  {0x0E31,0x0E31}, {0x0E34,0x0E3A}, {0x0E47,0x0E4E}, {0x1160,0x11FF},
  {0x1AB0,0x1AFF}, {0x1DC0,0x1DFF}, {0x200B,0x200F}, {0x202A,0x202E},
  {0x2060,0x2064}, {0x20D0,0x20FF}, {0x302A,0x302D}, {0x3099,0x309A},
  {0xFE00,0xFE0F}, {0xFE20,0xFE2F}, {0xFEFF,0xFEFF}, {0x1F3FB,0x1F3FF},
  {0xE0000,0xE0FFF},
};

/* East Asian wide and fullwidth characters: width 2. Sorted. */
static const CpRange aWide[] = {
  {0x1100,0x115F}, {0x231A,0x231B}, {0x2329,0x232A}, {0x23E9,0x23EC},
  {0x2614,0x2615}, {0x2E80,0x303E}, {0x3041,0x33FF}, {0x3400,0x4DBF},
  {0x4E00,0x9FFF}, {0xA000,0xA4CF}, {0xA960,0xA97F}, {0xAC00,0xD7A3},
  {0xF900,0xFAFF}, {0xFE10,0xFE19}, {0xFE30,0xFE6F}, {0xFF00,0xFF60},
  {0xFFE0,0xFFE6}, {0x1F300,0x1F64F}, {0x1F900,0x1F9FF},
  {0x20000,0x2FFFD}, {0x30000,0x3FFFD},
};

/* 1 if c lies in one of the n sorted ranges a[]. */
static int inRanges(uint32_t c, const CpRange *a, int n){
  int lo = 0, hi = n-1;
  if( c<a[0].lo || c>a[n-1].hi ) return 0;
  while( lo<=hi ){
    int mid = (lo+hi)/2;
    if( c<a[mid].lo ) hi = mid-1;
    else if( c>a[mid].hi ) lo = mid+1;
    else return 1;
  }
  return 0;
}

/* Terminal columns taken by one code point. */
static int cpWidth(uint32_t c){
  if( c<0x20 || (c>=0x7F && c<0xA0) ) return 0;
  if( c<0x300 ) return c==0xAD ? 0 : 1;
  if( inRanges(c, aZeroWidth, (int)(sizeof(aZeroWidth)/sizeof(aZeroWidth[0]))) ) return 0;
  if( inRanges(c, aWide, (int)(sizeof(aWide)/sizeof(aWide[0]))) ) return 2;
  return 1;
}

/* Display width of z[0..n); an invalid byte shows as U+FFFD, one column. */
size_t faktUtf8Width(const char *z, size_t n){
  size_t i = 0, nCol = 0;
  uint32_t c;
  while( i<n ){
    i += (size_t)nextCp(z, n, i, &c);
    nCol += (size_t)cpWidth(c);
  }
  return nCol;
}

/*
** Longest prefix that fits in nCols columns. Zero-width characters after
** the last fitting character are kept with it, so a base letter is never
** split from its combining marks.
*/
size_t faktUtf8Fit(const char *z, size_t n, size_t nCols){
  size_t i = 0, nCol = 0;
  uint32_t c;
  while( i<n ){
    int k = nextCp(z, n, i, &c);
    size_t w = (size_t)cpWidth(c);
    if( nCol+w>nCols ) break;
    nCol += w;
    i += (size_t)k;
  }
  return i;
}

/* ================================================================ folding */

/* Latin-1 U+00C0..U+00FF folded (lower case, no diacritics); "" = keep. */
static const char azLatin1[64][3] = {
  "a","a","a","a","a","a","ae","c", "e","e","e","e","i","i","i","i",
  "d","n","o","o","o","o","o","",   "o","u","u","u","u","y","th","ss",
  "a","a","a","a","a","a","ae","c", "e","e","e","e","i","i","i","i",
  "d","n","o","o","o","o","o","",   "o","u","u","u","u","y","th","y",
};

/* Latin Extended-A U+0100..U+017F folded; one entry per code point. */
static const char azLatinA[128][3] = {
  "a","a","a","a","a","a","c","c","c","c","c","c","c","c","d","d",   /* 100 */
  "d","d","e","e","e","e","e","e","e","e","e","e","g","g","g","g",   /* 110 */
  "g","g","g","g","h","h","h","h","i","i","i","i","i","i","i","i",   /* 120 */
  "i","i","ij","ij","j","j","k","k","k","l","l","l","l","l","l","l", /* 130 */
  "l","l","l","n","n","n","n","n","n","n","n","n","o","o","o","o",   /* 140 */
  "o","o","oe","oe","r","r","r","r","r","r","s","s","s","s","s","s", /* 150 */
  "s","s","t","t","t","t","t","t","u","u","u","u","u","u","u","u",   /* 160 */
  "u","u","u","u","w","w","y","y","y","z","z","z","z","z","z","s",   /* 170 */
};

/* Latin Extended-B letters common in names, U+0218..U+021B (ș ț). */
static const char azLatinB[4][3] = { "s","s","t","t" };

/* 1 if c is whitespace for quotes and folding. */
static int isSpaceCp(uint32_t c){
  return c==' ' || c=='\t' || c=='\n' || c=='\r' || c=='\f' || c=='\v'
      || c==0xA0 || c==0x2007 || c==0x202F || c==0x3000
      || (c>=0x2000 && c<=0x200A);
}

/* 1 if folding turns c into a word separator (space). */
static int isFoldSep(uint32_t c){
  switch( c ){
    case '-': case '.': case '\'': case '`': case ',':
    case 0x2018: case 0x2019: case 0x02BC: case 0x2010: case 0x2011:
      return 1;
  }
  return isSpaceCp(c);
}

/*
** Fold one code point. Returns the folded text in z (NUL-terminated, at
** most 4 bytes) and its length; 0 means "drop it" (combining marks), -1
** means "separator" (becomes a space).
*/
static int foldCp(uint32_t c, char *z){
  const char *zMap = 0;
  if( isFoldSep(c) ) return -1;
  if( c<0x80 ){
    z[0] = (char)(c>='A' && c<='Z' ? c+32 : c);
    return 1;
  }
  if( c>=0xC0 && c<=0xFF && azLatin1[c-0xC0][0] ) zMap = azLatin1[c-0xC0];
  else if( c>=0x100 && c<=0x17F ) zMap = azLatinA[c-0x100];
  else if( c>=0x218 && c<=0x21B ) zMap = azLatinB[c-0x218];
  else if( c==0x1E9E ) zMap = "ss";
  if( zMap ){
    size_t n = strlen(zMap);
    memcpy(z, zMap, n);
    return (int)n;
  }
  if( (c>=0x300 && c<=0x36F) || (c>=0x1AB0 && c<=0x1AFF)
   || (c>=0x1DC0 && c<=0x1DFF) ){
    return 0;                        /* combining diacritic: strip */
  }
  /* Greek */
  if( c>=0x391 && c<=0x3AB && c!=0x3A2 ) c += 0x20;
  else if( c==0x386 ) c = 0x3AC;
  else if( c>=0x388 && c<=0x38A ) c += 0x25;
  else if( c==0x38C ) c = 0x3CC;
  else if( c>=0x38E && c<=0x38F ) c += 0x3F;
  else if( c==0x3C2 ) c = 0x3C3;     /* final sigma */
  /* Cyrillic */
  else if( c>=0x410 && c<=0x42F ) c += 0x20;
  else if( c>=0x400 && c<=0x40F ) c += 0x50;
  else if( ((c>=0x460 && c<=0x481) || (c>=0x48A && c<=0x4BF)
         || (c>=0x4D0 && c<=0x52F)) && (c&1)==0 ) c += 1;
  else if( c>=0x4C1 && c<=0x4CE && (c&1)==1 ) c += 1;
  else if( c==0x4C0 ) c = 0x4CF;
  return faktUtf8Encode(c, z);
}

/*
** Fold z[0..n) into zOut (see base.h). Output stops at a character
** boundary when nOut is too small; the return value is the number of bytes
** written (not counting the NUL). Each invalid byte becomes '?'. No input
** character folds to more bytes than it has, so nOut >= n+1 suffices.
*/
size_t faktFold(const char *z, size_t n, char *zOut, size_t nOut){
  size_t i = 0, j = 0;     /* read and write offsets */
  int bSpace = 0;          /* a separator is pending */
  char aBuf[8];
  if( nOut==0 ) return 0;
  while( i<n ){
    uint32_t c;
    const unsigned char *p = (const unsigned char*)z + i;
    int k = faktUtf8Decode(p, (const unsigned char*)z + n, &c);
    int m;
    if( k==0 ){ k = 1; c = '?'; }
    i += (size_t)k;
    m = foldCp(c, aBuf);
    if( m<0 ){ bSpace = 1; continue; }
    if( m==0 ) continue;
    if( bSpace && j>0 ){
      if( j+1>=nOut ) break;
      zOut[j++] = ' ';
    }
    bSpace = 0;
    if( j+(size_t)m>=nOut ) break;
    memcpy(zOut+j, aBuf, (size_t)m);
    j += (size_t)m;
  }
  zOut[j] = 0;
  return j;
}

/*
** Fold z[0..n) as faktFold does, except that a, o and u with a diaeresis
** (precomposed, either case, or followed by the combining U+0308) become
** ae, oe and ue: the German spelling without umlauts ("Göthe" -> "goethe").
** *pbUmlaut (if not NULL) is set to 1 when the text had such a letter,
** else 0 (then the result equals faktFold's). Allocates a scratch copy;
** returns (size_t)-1 when out of memory. nOut >= 2*n+1 suffices.
*/
size_t faktFoldUmlaut(const char *z, size_t n, char *zOut, size_t nOut, int *pbUmlaut){
  const unsigned char *p = (const unsigned char*)z;
  char *zCopy = malloc(n + 1);         /* the text with umlauts spelled out */
  size_t i = 0, j = 0, nF;
  int bUmlaut = 0;
  if( zCopy==NULL ) return (size_t)-1;
  while( i<n ){
    int c2 = i+1<n ? p[i+1] : -1;
    if( p[i]==0xC3 && (c2==0xA4 || c2==0x84 || c2==0xB6 || c2==0x96 || c2==0xBC || c2==0x9C) ){
      zCopy[j++] = (c2==0xA4 || c2==0x84) ? 'a' : (c2==0xB6 || c2==0x96) ? 'o' : 'u';
      zCopy[j++] = 'e';
      i += 2;
      bUmlaut = 1;
      continue;
    }
    if( strchr("aouAOU", p[i]) && p[i] && c2==0xCC && i+2<n && p[i+2]==0x88 ){
      zCopy[j++] = (char)p[i];
      zCopy[j++] = 'e';
      i += 3;
      bUmlaut = 1;
      continue;
    }
    zCopy[j++] = (char)p[i++];
  }
  nF = faktFold(zCopy, j, zOut, nOut);
  free(zCopy);
  if( pbUmlaut ) *pbUmlaut = bUmlaut;
  return nF;
}

/*
** Byte offsets in the folded text zF[0..nF) of the digraphs ae, oe and ue
** (which German spells for ä, ö and ü), at most nMax of them, into aPos.
** Returns the number found (capped at nMax).
*/
int faktFoldDigraphs(const char *zF, size_t nF, size_t *aPos, int nMax){
  int nPos = 0;
  size_t i;
  for(i=0; i+1<nF && nPos<nMax; i++){
    if( zF[i+1]=='e' && (zF[i]=='a' || zF[i]=='o' || zF[i]=='u') ){
      aPos[nPos++] = i;
      i++;
    }
  }
  return nPos;
}

/* ================================================================ tokenizer */

/* 1 if c (not ASCII, not a fold separator) is part of a word. */
static int isWordCp(uint32_t c){
  if( c<0x80 ){
    return (c>='0' && c<='9') || (c>='a' && c<='z') || (c>='A' && c<='Z');
  }
  if( c<0xC0 ) return c==0xAA || c==0xB5 || c==0xBA;
  if( c==0xD7 || c==0xF7 ) return 0;
  if( c>=0x2000 && c<=0x2BFF ) return 0;   /* punctuation, symbols, arrows */
  if( c>=0x2E00 && c<=0x2E7F ) return 0;   /* supplemental punctuation */
  if( c>=0x3000 && c<=0x303F ) return 0;   /* CJK punctuation */
  if( c>=0xFE10 && c<=0xFE6F ) return 0;   /* vertical / small forms */
  if( c>=0xFF00 && c<=0xFF0F ) return 0;   /* fullwidth punctuation */
  if( c>=0x1F000 && c<=0x1FAFF ) return 0; /* emoji and pictographs */
  if( c==0xFFFD ) return 0;
  return 1;
}

#define FAKT_TOKEN_MAX 64

/*
** Split z into words and report each folded word with its byte offset.
** A character is part of a word if it is a letter, digit or combining
** mark; everything folding turns into a space separates words, so the
** words of z are exactly the space-separated words of faktFold(z) less
** punctuation. Words are cut to 64 bytes at a character boundary.
*/
int faktTokenize(const char *z, size_t n,
                 int (*x)(void *pArg, const char *zTok, size_t nTok, size_t iOff),
                 void *pArg){
  char aTok[FAKT_TOKEN_MAX+1];
  size_t nTok = 0;         /* bytes in aTok */
  size_t iStart = 0;       /* offset of the current word in z */
  int bIn = 0;             /* inside a word */
  int bFull = 0;           /* the word reached 64 bytes: drop the rest */
  size_t i = 0;
  while( i<=n ){
    uint32_t c = ' ';
    int k = 1;
    int bWord = 0;
    if( i<n ){
      k = faktUtf8Decode((const unsigned char*)z+i, (const unsigned char*)z+n, &c);
      if( k==0 ){ k = 1; c = 0xFFFD; }
      bWord = !isFoldSep(c) && isWordCp(c);
    }
    if( bWord ){
      char aBuf[8];
      int m = foldCp(c, aBuf);
      if( !bIn ){ bIn = 1; bFull = 0; iStart = i; nTok = 0; }
      if( m>0 && !bFull ){
        if( nTok+(size_t)m<=FAKT_TOKEN_MAX ){
          memcpy(aTok+nTok, aBuf, (size_t)m);
          nTok += (size_t)m;
        }else{
          bFull = 1;
        }
      }
    }else if( bIn ){
      bIn = 0;
      if( nTok>0 ){               /* 0: the word was only combining marks */
        int rc;
        aTok[nTok] = 0;
        rc = x(pArg, aTok, nTok, iStart);
        if( rc ) return rc;
      }
    }
    i += (size_t)k;
  }
  return 0;
}

/* ================================================================ quotes */

/* Classes of characters a quote matches loosely (SPEC 4.4). */
#define QC_BYTE  0         /* anything else: byte for byte */
#define QC_SPACE 1         /* whitespace: a run matches a run */
#define QC_QUOTE 2         /* quotation marks: " ' „ “ ” ‚ ‘ ’ « » ‹ › */
#define QC_DASH  3         /* hyphens and dashes: - ‐ ‑ ‒ – — − */

/* The class of the character at z[i] and its length in bytes (*pn; 1 for
** QC_BYTE, which compares one byte at a time). */
static int quoteClass(const char *z, size_t n, size_t i, size_t *pn){
  unsigned char c = (unsigned char)z[i];
  uint32_t cp;
  int k;
  *pn = 1;
  if( c<0x80 ){
    if( c==' ' || c=='\t' || c=='\r' || c=='\n' || c=='\f' || c=='\v' ) return QC_SPACE;
    if( c=='"' || c=='\'' ) return QC_QUOTE;
    if( c=='-' ) return QC_DASH;
    return QC_BYTE;
  }
  if( c!=0xC2 && c!=0xE2 && c!=0xE3 ) return QC_BYTE;
  k = faktUtf8Decode((const unsigned char*)z+i, (const unsigned char*)z+n, &cp);
  if( k==0 ) return QC_BYTE;
  if( isSpaceCp(cp) ){ *pn = (size_t)k; return QC_SPACE; }
  switch( cp ){
    case 0xAB: case 0xBB: case 0x2018: case 0x2019: case 0x201A:
    case 0x201C: case 0x201D: case 0x201E: case 0x2039: case 0x203A:
      *pn = (size_t)k;
      return QC_QUOTE;
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2212:
      *pn = (size_t)k;
      return QC_DASH;
  }
  return QC_BYTE;
}

/* Length of the whitespace character at z[i], or 0. */
static size_t wsLen(const char *z, size_t n, size_t i){
  size_t k;
  return quoteClass(z, n, i, &k)==QC_SPACE ? k : 0;
}

/* Skip a run of whitespace starting at z[i]; returns the offset after it. */
static size_t skipWs(const char *z, size_t n, size_t i){
  size_t k;
  while( i<n && (k = wsLen(z, n, i))>0 ) i += k;
  return i;
}

/*
** Match the trimmed quote q[0..nq) at zText+i. Returns 1 and the end
** offset in *piEnd if it matches there.
*/
static int matchAt(const char *zText, size_t nText, size_t i,
                   const char *q, size_t nq, size_t *piEnd){
  size_t j = 0;
  while( j<nq ){
    size_t kq, kt;
    int cq = quoteClass(q, nq, j, &kq);
    if( cq==QC_BYTE ){
      if( i>=nText || zText[i]!=q[j] ) return 0;
      i++;
      j++;
      continue;
    }
    if( i>=nText || quoteClass(zText, nText, i, &kt)!=cq ) return 0;
    if( cq==QC_SPACE ){
      j = skipWs(q, nq, j);
      i = skipWs(zText, nText, i);
    }else{
      j += kq;
      i += kt;
    }
  }
  *piEnd = i;
  return 1;
}

/* The quote trimmed of leading and trailing whitespace, q[*piq, *pnq)
** (stepping back over whole characters), and the length *pnw of its
** leading run of plain bytes (QC_BYTE), which a match repeats byte for
** byte. 0 when nothing is left: an empty quote is never found. */
static int quoteTrim(const char *zQuote, size_t nQuote, size_t *piq, size_t *pnq, size_t *pnw){
  size_t iq = skipWs(zQuote, nQuote, 0);
  size_t nq = nQuote;
  size_t nw, k;
  while( nq>iq ){
    size_t j = nq - 1;
    while( j>iq && ((unsigned char)zQuote[j] & 0xC0)==0x80 ) j--;
    if( quoteClass(zQuote, nq, j, &k)!=QC_SPACE ) break;
    nq = j;
  }
  if( nq<=iq ) return 0;
  for(nw=0; iq+nw<nq && quoteClass(zQuote, nq, iq+nw, &k)==QC_BYTE; nw++){}
  *piq = iq;
  *pnq = nq;
  *pnw = nw;
  return 1;
}

/*
** Find the quote in the text: runs of whitespace on either side count as
** one space, any quotation mark matches any other, any dash any other
** (quoteClass). An empty (or all-space) quote is never found. The span
** returned starts and ends on non-space bytes of zText.
*/
int faktFindQuote(const char *zText, size_t nText, const char *zQuote, size_t nQuote,
                  size_t *piStart, size_t *piEnd){
  size_t iq, nq, nw, i;
  if( !quoteTrim(zQuote, nQuote, &iq, &nq, &nw) ) return 0;
  /* a match starts with the quote's leading run of plain bytes, byte for
  ** byte: memmem skips to the next place it occurs (glibc's skips by the
  ** run's length where a byte at a time would stop at every like first
  ** byte). A quote that starts with a loose character tries every byte. */
  for(i=0; i<nText; i++){
    size_t iEnd;
    if( nw ){
      const char *p = memmem(zText+i, nText-i, zQuote+iq, nw);
      if( p==NULL ) break;
      i = (size_t)(p - zText);
    }
    if( matchAt(zText, nText, i, zQuote+iq, nq-iq, &iEnd) ){
      *piStart = i;
      *piEnd = iEnd;
      return 1;
    }
  }
  return 0;
}

/* ================================================================ quote index
** A load's claims quote the same source text one after another (about a
** hundred claims a text in the benchmark), and faktFindQuote scans the
** text from its first byte for each. The index lists every position of
** the text by its first QIDX_KEY bytes: a chain per hash bucket, in
** increasing order. A match repeats the quote's leading plain bytes
** exactly (matchAt), so the first position of the quote's chain where
** matchAt succeeds is the first occurrence, the one faktFindQuote finds.
*/
#define QIDX_KEY 4                  /* bytes of a position's key */

struct QuoteIndex {
  size_t nText;            /* length of the text it was built from */
  uint32_t mask;           /* buckets - 1 (a power of two less one) */
  uint32_t *aHead;         /* [mask+1]: first position + 1 of a bucket (0: none) */
  uint32_t *aNext;         /* [nText]: the next position + 1 in its bucket */
};

/* The bucket of the QIDX_KEY bytes at z. */
static uint32_t qidxBucket(const char *z, uint32_t mask){
  uint32_t k;
  memcpy(&k, z, sizeof(k));
  return (uint32_t)(((uint64_t)k * 0x9E3779B97F4A7C15ull) >> 40) & mask;   /* 24 bits */
}

/*
** Build the index of zText[0..nText). NULL when out of memory, or when the
** text is shorter than a key or longer than QUOTE_INDEX_MAX (then
** faktFindQuoteIn scans, as faktFindQuote does). The caller frees it with
** faktQuoteIndexFree; it does not keep zText.
*/
QuoteIndex *faktQuoteIndexNew(const char *zText, size_t nText){
  QuoteIndex *p;
  uint32_t nBucket = 256;
  size_t i;
  if( nText<QIDX_KEY || nText>QUOTE_INDEX_MAX ) return NULL;
  while( nBucket<nText/2 ) nBucket *= 2;
  p = malloc(sizeof(*p));
  if( p==NULL ) return NULL;
  p->nText = nText;
  p->mask = nBucket - 1;
  p->aHead = calloc(nBucket, sizeof(uint32_t));
  p->aNext = malloc(sizeof(uint32_t)*nText);
  if( p->aHead==NULL || p->aNext==NULL ){
    faktQuoteIndexFree(p);
    return NULL;
  }
  /* from the end, so that each chain runs from its first position on */
  for(i=nText-QIDX_KEY+1; i-- > 0; ){
    uint32_t b = qidxBucket(zText+i, p->mask);
    p->aNext[i] = p->aHead[b];
    p->aHead[b] = (uint32_t)i + 1;
  }
  return p;
}

void faktQuoteIndexFree(QuoteIndex *p){
  if( p==NULL ) return;
  free(p->aHead);
  free(p->aNext);
  free(p);
}

/*
** faktFindQuote through pIdx, the index of this very text (or NULL):
** the same span. A quote whose leading run of plain bytes is shorter than
** a key is found by scanning.
*/
int faktFindQuoteIn(const QuoteIndex *pIdx, const char *zText, size_t nText,
                    const char *zQuote, size_t nQuote, size_t *piStart, size_t *piEnd){
  size_t iq, nq, nw;
  uint32_t iPos, k;
  if( pIdx==NULL || !quoteTrim(zQuote, nQuote, &iq, &nq, &nw) || nw<QIDX_KEY ){
    return faktFindQuote(zText, nText, zQuote, nQuote, piStart, piEnd);
  }
  assert( pIdx->nText==nText );
  memcpy(&k, zQuote+iq, sizeof(k));
  for(iPos=pIdx->aHead[qidxBucket(zQuote+iq, pIdx->mask)]; iPos; iPos=pIdx->aNext[iPos-1]){
    size_t i = iPos - 1, iEnd;
    uint32_t kt;
    memcpy(&kt, zText+i, sizeof(kt));
    if( kt==k && matchAt(zText, nText, i, zQuote+iq, nq-iq, &iEnd) ){
      *piStart = i;
      *piEnd = iEnd;
      return 1;
    }
  }
  return 0;
}

/* ================================================================ closest passage */

/* One word of a text: its folded hash and byte range in the text. */
typedef struct PassWord { uint64_t h; size_t iStart, iEnd; } PassWord;
typedef struct PassWords { PassWord *a; size_t n, nAlloc; int bOom; } PassWords;

/* FNV-1a of a folded word. */
static uint64_t wordHash(const char *z, size_t n){
  uint64_t h = 0xcbf29ce484222325ULL;
  size_t i;
  for(i=0; i<n; i++){ h ^= (unsigned char)z[i]; h *= 0x100000001b3ULL; }
  return h;
}

/* faktTokenize callback: append the word (its end is found later). */
static int passAdd(void *pArg, const char *zTok, size_t nTok, size_t iOff){
  PassWords *pw = pArg;
  if( pw->n>=pw->nAlloc ){
    size_t nNew = pw->nAlloc ? pw->nAlloc*2 : 64;
    PassWord *a = realloc(pw->a, sizeof(PassWord)*nNew);
    if( a==NULL ){ pw->bOom = 1; return 1; }
    pw->a = a;
    pw->nAlloc = nNew;
  }
  pw->a[pw->n].h = wordHash(zTok, nTok);
  pw->a[pw->n].iStart = iOff;
  pw->a[pw->n].iEnd = iOff;
  pw->n++;
  return 0;
}

/* Words of a run compared place by place to break a tie (a bound on the
** work per run). */
#define PASSAGE_ALIGN 32

/* qsort and bsearch order of word hashes. */
static int cmpU64(const void *a, const void *b){
  uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
  return x<y ? -1 : x>y;
}

/* Byte offset after the word that starts at z[i]. */
static size_t wordEnd(const char *z, size_t n, size_t i){
  while( i<n ){
    uint32_t c;
    int k = faktUtf8Decode((const unsigned char*)z+i, (const unsigned char*)z+n, &c);
    if( k==0 || isFoldSep(c) || !isWordCp(c) ) break;
    i += (size_t)k;
  }
  return i;
}

/*
** The passage of zText[0..nText) closest to the quote: the run of as many
** words as the quote has that shares the most words with it; of those, the
** one with most words in the quote's own places; of those, the first. Returns 1 and its byte range, from its first word's start to
** its last word's end, or 0 when no word of the text is in the quote, and
** -1 when out of memory.
*/
int faktClosestPassage(const char *zText, size_t nText, const char *zQuote, size_t nQuote,
                       size_t *piStart, size_t *piEnd){
  PassWords q = { NULL, 0, 0, 0 }, t = { NULL, 0, 0, 0 };
  unsigned char *aIn = NULL;         /* aIn[i]: text word i occurs in the quote */
  uint64_t *aQh = NULL;              /* the quote's word hashes, sorted */
  size_t i, j, nWin, nBest = 0, nBestAt = 0, iBest = 0, nSum = 0;
  int rc = 0;
  faktTokenize(zQuote, nQuote, passAdd, &q);
  faktTokenize(zText, nText, passAdd, &t);
  if( q.bOom || t.bOom ){ rc = -1; goto done; }
  if( q.n==0 || t.n==0 ) goto done;
  aIn = malloc(t.n);
  if( aIn==NULL ){ rc = -1; goto done; }
  aQh = malloc(sizeof(uint64_t)*q.n);
  if( aQh==NULL ){ rc = -1; goto done; }
  for(j=0; j<q.n; j++) aQh[j] = q.a[j].h;
  qsort(aQh, q.n, sizeof(uint64_t), cmpU64);
  for(i=0; i<t.n; i++){
    aIn[i] = bsearch(&t.a[i].h, aQh, q.n, sizeof(uint64_t), cmpU64)!=NULL;
  }
  nWin = q.n < t.n ? q.n : t.n;
  for(i=0; i<t.n; i++){
    nSum += aIn[i];
    if( i>=nWin ) nSum -= aIn[i-nWin];
    if( i+1<nWin || nSum==0 || nSum<nBest ) continue;
    /* ties go to the run with more words in the quote's own places */
    size_t iWin = i+1-nWin, nAt = 0;
    for(j=0; j<nWin && j<PASSAGE_ALIGN; j++) nAt += t.a[iWin+j].h==q.a[j].h;
    if( nSum>nBest || nAt>nBestAt ){ nBest = nSum; nBestAt = nAt; iBest = iWin; }
  }
  if( nBest==0 ) goto done;
  *piStart = t.a[iBest].iStart;
  *piEnd = wordEnd(zText, nText, t.a[iBest+nWin-1].iStart);
  rc = 1;
done:
  free(aQh);
  free(aIn);
  free(q.a);
  free(t.a);
  return rc;
}
