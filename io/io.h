/*
** io.h -- what the files of io/ share.
**
** io/ owns the ways data leaves and enters a database as files:
** fakt_export() (export.c: N-Quads, JSON Lines, CSV, SQL, DOT, GeoJSON),
** fakt_import() (import.c: JSON Lines, CSV, GeoNames) and the escaping of
** strings in those formats (escape.c: one escaper per syntax, shared).
** It stands on the engine (engine/fakt_int.h) and below it; nothing below
** calls io/ (make check-layers).
*/
#ifndef FAKT_IO_H
#define FAKT_IO_H

#include "base.h"

/* A JSON string, "..." with " \ and control characters escaped (\n \r \t,
** others as \u00xx). */
void faktEscJson(Str *s, const char *z);
/* A fakt string literal (SPEC 2.6): the same escapes, a control
** character as \u{X}. */
void faktEscFakt(Str *s, const char *z);
/* An N-Quads literal: the same escapes as JSON (a control character or
** DEL as \u00XX), then ^^<zType> unless zType is NULL (xsd:string). */
void faktEscNqLit(Str *s, const char *z, const char *zType);
/* An IRI <zBase zDir/zId>, percent-encoding in zId what an IRI may not
** hold (space, controls, <>"{}|^`\%#?/). */
void faktEscIri(Str *s, const char *zBase, const char *zDir, const char *zId);
/* One CSV field (RFC 4180): a comma before it unless bFirst; quoted when
** it holds , " CR LF or starts or ends with a space, or is empty; NULL is
** an empty field (unquoted), "" an empty string. */
void faktEscCsv(Str *s, const char *z, int bFirst);
/* One field of a PostgreSQL COPY text row: a tab before it unless bFirst;
** \N for NULL; \\ \t \n \r escaped. */
void faktEscCopy(Str *s, const char *z, int bFirst);
/* A Graphviz DOT string: "..." with " and \ escaped, newlines as \n,
** other controls as spaces, cut with an ellipsis after nMax characters
** (0: no limit). */
void faktEscDot(Str *s, const char *z, int nMax);

#endif /* FAKT_IO_H */
