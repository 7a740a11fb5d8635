/*
** check.h -- the CHECK macro of the C tests of the public API: each check
** counts as passed or failed, and a failure prints file:line, the
** expression and the message of the handle gDb (the test sets it). A test
** ends with printf("%d passed, %d failed\n", nPass, nFail).
*/
#ifndef FAKT_TEST_CHECK_H
#define FAKT_TEST_CHECK_H

#include <stdio.h>
#include "fakt.h"

static int nPass, nFail;
static fakt *gDb;            /* the handle whose message CHECK prints */

#define CHECK(x) do { \
  if (x) nPass++; \
  else { \
    nFail++; \
    printf("%s:%d: CHECK(%s) failed; errmsg: %s\n", __FILE__, __LINE__, #x, \
           gDb ? fakt_errmsg(gDb) : "(no handle)"); \
  } \
} while (0)

#endif
