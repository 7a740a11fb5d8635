/*
** escape.c -- strings written into the export formats: JSON, N-Quads
** literals and IRIs, CSV, PostgreSQL COPY text, DOT; and fakt's own
** string literals, which an import writes into the statements it runs.
** One escaper per syntax; JSON, N-Quads and fakt literals share one loop
** (they escape the same characters, and differ only in how a control
** character is written).
*/
#include <stdio.h>
#include <string.h>
#include "io.h"

/* "..." with the escapes JSON, N-Quads and fakt share; a control
** character as \u00xx (JSON), \u00XX (N-Quads' UCHAR, DEL too) or
** \u{X} (fakt, SPEC 2.6). */
enum { ESC_JSON, ESC_NQ, ESC_FAKT };
static void escQuoted(Str *s, const char *z, int eStyle){
  faktStrAppend(s, "\"", 1);
  for(const unsigned char *u = (const unsigned char*)z; *u; u++){
    switch( *u ){
      case '"':  faktStrAppend(s, "\\\"", 2); break;
      case '\\': faktStrAppend(s, "\\\\", 2); break;
      case '\n': faktStrAppend(s, "\\n", 2); break;
      case '\r': faktStrAppend(s, "\\r", 2); break;
      case '\t': faktStrAppend(s, "\\t", 2); break;
      default:
        if( *u<0x20 || (eStyle==ESC_NQ && *u==0x7f) ){
          faktStrPrintf(s, eStyle==ESC_NQ ? "\\u%04X" : eStyle==ESC_FAKT ? "\\u{%X}" : "\\u%04x", *u);
        }else{
          faktStrAppend(s, (const char*)u, 1);
        }
    }
  }
  faktStrAppend(s, "\"", 1);
}

void faktEscJson(Str *s, const char *z){
  escQuoted(s, z, ESC_JSON);
}

void faktEscFakt(Str *s, const char *z){
  escQuoted(s, z, ESC_FAKT);
}

void faktEscNqLit(Str *s, const char *z, const char *zType){
  escQuoted(s, z, ESC_NQ);
  if( zType ) faktStrPrintf(s, "^^<%s>", zType);
}

void faktEscIri(Str *s, const char *zBase, const char *zDir, const char *zId){
  faktStrPrintf(s, "<%s%s/", zBase, zDir);
  for(const unsigned char *u = (const unsigned char*)zId; *u; u++){
    if( *u<=0x20 || strchr("<>\"{}|^`\\%#?/", *u) ) faktStrPrintf(s, "%%%02X", *u);
    else faktStrAppend(s, (const char*)u, 1);
  }
  faktStrAppend(s, ">", 1);
}

void faktEscCsv(Str *s, const char *z, int bFirst){
  if( !bFirst ) faktStrAppend(s, ",", 1);
  if( z==NULL ) return;                 /* null: an empty field; "" is an empty string */
  if( z[0] && strpbrk(z, ",\"\r\n")==NULL && z[0]!=' ' && z[strlen(z)-1]!=' ' ){
    faktStrPuts(s, z);
    return;
  }
  faktStrAppend(s, "\"", 1);
  for(const char *c = z; *c; c++){
    if( *c=='"' ) faktStrAppend(s, "\"\"", 2); else faktStrAppend(s, c, 1);
  }
  faktStrAppend(s, "\"", 1);
}

void faktEscCopy(Str *s, const char *z, int bFirst){
  if( !bFirst ) faktStrAppend(s, "\t", 1);
  if( z==NULL ){ faktStrAppend(s, "\\N", 2); return; }
  for(; *z; z++){
    switch( *z ){
      case '\\': faktStrAppend(s, "\\\\", 2); break;
      case '\t': faktStrAppend(s, "\\t", 2); break;
      case '\n': faktStrAppend(s, "\\n", 2); break;
      case '\r': faktStrAppend(s, "\\r", 2); break;
      default: faktStrAppend(s, z, 1);
    }
  }
}

void faktEscDot(Str *s, const char *z, int nMax){
  int n = 0;
  faktStrAppend(s, "\"", 1);
  for(const unsigned char *u = (const unsigned char*)z; *u; u++){
    if( nMax && n>=nMax && (*u & 0xC0)!=0x80 ){ faktStrPuts(s, "\xE2\x80\xA6"); break; }
    if( (*u & 0xC0)!=0x80 ) n++;
    if( *u=='"' || *u=='\\' ){ faktStrAppend(s, "\\", 1); faktStrAppend(s, (const char*)u, 1); }
    else if( *u=='\n' ) faktStrAppend(s, "\\n", 2);
    else if( *u<0x20 ) faktStrAppend(s, " ", 1);
    else faktStrAppend(s, (const char*)u, 1);
  }
  faktStrAppend(s, "\"", 1);
}
