/*
** lex.re -- the re2c tokenizer of the fakt language (SPEC.md section 2).
**
** faktLexToken() returns the length and type of the token at z, reading no
** byte at or past zEnd (the text need not end in NUL). Token codes are the
** TK_* of lemon's gram.h. Values (escapes, ranges, dates) are checked by
** parse.c; here only the shape of each token is decided.
*/
#include "parse.h"
#include "gram.h"

/*
** The lexer stopped inside a string or block comment at cur. At the end of
** the text the token is unterminated (type eUnterm, the whole rest); else
** cur is at a NUL or at a byte that starts no valid UTF-8 sequence (after a
** backslash, perhaps), and the token ends just past that bad byte.
*/
static int stopped(const unsigned char *z, const unsigned char *cur,
                   const unsigned char *zEnd, int eUnterm, int *pType){
  if( cur<zEnd && *cur=='\\' ) cur++;
  if( cur>=zEnd ){
    *pType = eUnterm;
    return (int)(zEnd - z);
  }
  *pType = *cur==0 ? TK_NUL : TK_BADUTF8;
  return (int)(cur - z) + 1;
}

/*
** Length of the token at z (z < zEnd), its type in *pType. Error types:
** TK_UNTERM_STRING, TK_UNTERM_COMMENT (the token runs to zEnd), TK_NUL and
** TK_BADUTF8 (the bad byte is the last byte of the token), TK_ILLEGAL (a
** valid character that starts no token). Returns 0 and type 0 at zEnd.
*/
int faktLexToken(const unsigned char *z, const unsigned char *zEnd, int *pType){
  const unsigned char *cur = z, *mar = z;
  if( z>=zEnd ){ *pType = 0; return 0; }
#define TOK(t) (*pType = (t), (int)(cur - z))
  /*!re2c
    re2c:yyfill:enable = 0;
    re2c:api = custom;
    re2c:api:style = free-form;
    re2c:define:YYCTYPE = "unsigned char";
    re2c:define:YYPEEK = "(cur < zEnd ? *cur : 0)";
    re2c:define:YYSKIP = "++cur;";
    re2c:define:YYBACKUP = "mar = cur;";
    re2c:define:YYRESTORE = "cur = mar;";

    /* Identifier characters: ASCII letters, '_', and the non-ASCII name
    ** characters of XML 1.0 (letters of every script, not punctuation). */
    alpha   = [a-zA-Z_] | [\u00aa\u00b5\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff]
            | [\u0370-\u037d\u037f-\u1fff\u200c-\u200d\u2070-\u218f\u2c00-\u2fef]
            | [\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff];
    alnum   = alpha | [0-9] | [\u00b7\u0300-\u036f\u203f-\u2040];
    id      = alpha alnum*;
    digits  = [0-9]+;
    decimal = digits "." digits ([eE] [+-]? digits)? | digits [eE] [+-]? digits;
    unit    = [A-Za-df-zA-DF-Z\u00b0\u00b5] [A-Za-z0-9/%\u00b0\u00b2\u00b3]*
            | [eE] ([A-Za-z/%\u00b0\u00b2\u00b3] [A-Za-z0-9/%\u00b0\u00b2\u00b3]*)?
            | "%";
    date    = "@" digits ("-" digits){0,2};
    /* Negated classes leave out NUL and the UTF-16 surrogates (re2c would
    ** take their 3-byte encodings as characters), so both stop a token. */
    strch   = [^"\\\x00\ud800-\udfff] | "\\" [^\x00\ud800-\udfff];
    cmtch   = [^*\x00\ud800-\udfff] | "*"+ [^*/\x00\ud800-\udfff];

    [\x00]                { return TOK(TK_NUL); }
    [ \t\r\n]+            { return TOK(TK_SPACE); }
    "#" [^\n\x00\ud800-\udfff]*  { return TOK(TK_COMMENT); }
    "/*" cmtch* "*"+ "/"  { return TOK(TK_COMMENT); }
    "/*" cmtch* "*"*      { return stopped(z, cur, zEnd, TK_UNTERM_COMMENT, pType); }
    ["] strch* ["]        { return TOK(TK_STRING); }
    ["] strch*            { return stopped(z, cur, zEnd, TK_UNTERM_STRING, pType); }

    "entity"              { return TOK(TK_ENTITY); }
    "source"              { return TOK(TK_SOURCE); }
    "claim"               { return TOK(TK_CLAIM); }
    "correct"             { return TOK(TK_CORRECT); }
    "predicate"           { return TOK(TK_PREDICATE); }
    "rule"                { return TOK(TK_RULE); }
    "drop"                { return TOK(TK_DROP); }
    "retract"             { return TOK(TK_RETRACT); }
    "begin"               { return TOK(TK_BEGIN); }
    "commit"              { return TOK(TK_COMMIT); }
    "rollback"            { return TOK(TK_ROLLBACK); }
    "verify"              { return TOK(TK_VERIFY); }
    "find"                { return TOK(TK_FIND); }
    "where"               { return TOK(TK_WHERE); }
    "distinct"            { return TOK(TK_DISTINCT); }
    "order"               { return TOK(TK_ORDER); }
    "by"                  { return TOK(TK_BY); }
    "asc"                 { return TOK(TK_ASC); }
    "desc"                { return TOK(TK_DESC); }
    "limit"               { return TOK(TK_LIMIT); }
    "offset"              { return TOK(TK_OFFSET); }
    "as"                  { return TOK(TK_AS); }
    "of"                  { return TOK(TK_OF); }
    "not"                 { return TOK(TK_NOT); }
    "optional"            { return TOK(TK_OPTIONAL); }
    "explain"             { return TOK(TK_EXPLAIN); }
    "why"                 { return TOK(TK_WHY); }
    "load"                { return TOK(TK_LOAD); }
    "aka"                 { return TOK(TK_AKA); }
    "at"                  { return TOK(TK_AT); }
    "in"                  { return TOK(TK_IN); }
    "from"                { return TOK(TK_FROM); }
    "via"                 { return TOK(TK_VIA); }
    "stance"              { return TOK(TK_STANCE); }
    "holds"               { return TOK(TK_HOLDS); }
    "until"               { return TOK(TK_UNTIL); }
    "said"                { return TOK(TK_SAID); }
    "quote"               { return TOK(TK_QUOTE); }
    "published"           { return TOK(TK_PUBLISHED); }
    "file"                { return TOK(TK_FILE); }
    "text"                { return TOK(TK_TEXT); }
    "single"              { return TOK(TK_SINGLE); }
    "if"                  { return TOK(TK_IF); }
    "and"                 { return TOK(TK_AND); }
    "true"                { return TOK(TK_TRUE); }
    "false"               { return TOK(TK_FALSE); }
    "null"                { return TOK(TK_NULL); }
    "count"               { return TOK(TK_COUNT); }
    "sum"                 { return TOK(TK_SUM); }
    "min"                 { return TOK(TK_MIN); }
    "max"                 { return TOK(TK_MAX); }
    "avg"                 { return TOK(TK_AVG); }
    "list"                { return TOK(TK_LIST); }

    id                    { return TOK(TK_ID); }
    "?" id                { return TOK(TK_VAR); }
    "?" | "$" id | "$" digits  { return TOK(TK_PARAM); }
    digits                { return TOK(TK_INTEGER); }
    decimal               { return TOK(TK_FLOAT); }
    (digits | decimal) unit  { return TOK(TK_QTY); }
    date                  { return TOK(TK_DATE); }

    ";"                   { return TOK(TK_SEMI); }
    ","                   { return TOK(TK_COMMA); }
    ":"                   { return TOK(TK_COLON); }
    "."                   { return TOK(TK_DOT); }
    "("                   { return TOK(TK_LP); }
    ")"                   { return TOK(TK_RP); }
    "{"                   { return TOK(TK_LB); }
    "}"                   { return TOK(TK_RB); }
    "~"                   { return TOK(TK_TILDE); }
    "="                   { return TOK(TK_EQ); }
    "!="                  { return TOK(TK_NE); }
    "<"                   { return TOK(TK_LT); }
    "<="                  { return TOK(TK_LE); }
    ">"                   { return TOK(TK_GT); }
    ">="                  { return TOK(TK_GE); }
    "+"                   { return TOK(TK_PLUS); }
    "-"                   { return TOK(TK_MINUS); }
    "*"                   { return TOK(TK_STAR); }
    "/"                   { return TOK(TK_SLASH); }
    "%"                   { return TOK(TK_REM); }

    [^\x00\ud800-\udfff]  { return TOK(TK_ILLEGAL); }
    *                     { return TOK(TK_BADUTF8); }
  */
#undef TOK
}
