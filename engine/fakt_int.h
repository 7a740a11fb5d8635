/*
** fakt_int.h -- internal declarations shared by the engine files:
** values, compiled plans, the executor's run state, the handle structs.
** Nothing here is API; see include/fakt.h for that.
**
** engine/ owns what a statement does: the API (api.c), names to ids
** (resolve.c), the planner and EXPLAIN (plan.c), the executor (exec.c,
** find.c), rules (rules.c), built-in relations and functions (builtin.c),
** the claim layer (claims.c), writes (write.c), values (value.c) and
** `explain sql` (sql.c). It calls lang/ (parse), store/ (through store.h's
** typed functions only) and base/; io/ and repl/ stand on it, and nothing
** here calls them (make check-layers).
*/
#ifndef FAKT_INT_H
#define FAKT_INT_H

#include <pthread.h>
#include <stdarg.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include "fakt.h"
#include "ast.h"
#include "parse.h"
#include "store.h"
#include "base.h"

/* ---------------------------------------------------------------- values */
typedef enum VType {
  V_NULL = 0, V_BOOL, V_INT, V_FLOAT, V_QTY, V_DATE, V_STR, V_ID
} VType;

typedef struct Value {
  uint8_t t;               /* VType */
  uint32_t id;             /* V_ID: object id; V_STR: dict id (0: not interned);
                           ** V_QTY: unit string id (0: unknown) */
  union {
    int64_t i;             /* V_INT, V_BOOL */
    double r;              /* V_FLOAT, V_QTY */
    uint64_t d;            /* V_DATE: packed; V_ID bound by fakt_bind_entity():
                           ** hash64 of the name it was bound by, else 0 */
  } u;
  const char *z;           /* V_STR text, V_QTY unit text (NULL: fetch by id) */
  int n;                   /* bytes in z */
} Value;

/* A direct-mapped cache of dictionary texts and object kinds for one read
** snapshot: rendering rows looks the same ids up again and again. Texts
** point into the map. A statement keeps its cache from one execution to the
** next while each reads the same snapshot through the same map
** (faktStoreSnapshot): re-running a prepared statement then finds the
** predicates, stances and sources it showed before. */
#define DICT_CACHE 2048
typedef struct DictCacheEnt {
  uint32_t gen;            /* valid only when equal to the cache's gen */
  uint32_t id;             /* 0: empty */
  int n;                   /* bytes of z, -1: text not looked up */
  int kind;                /* object kind, -1: not looked up */
  const char *z;
} DictCacheEnt;
/* The dictionary's i2s records (64 ids each) by number, for the texts the
** entry cache misses: the next id of a record already found needs no walk
** down the tree. At most DICT_BLK_MAX records (16 MiB at 2^20). */
#define DICT_BLK_MAX (1u << 20)
typedef struct DictBlk {
  const uint8_t *a;        /* the record in the map */
  uint32_t n;              /* its bytes */
  uint32_t gen;            /* valid only when equal to the cache's gen */
} DictBlk;
typedef struct DictCache {
  uint32_t gen;            /* bumped for every new snapshot: clears in O(1) */
  int bSnap;               /* aSnap holds the snapshot the entries are of */
  uint64_t aSnap[2];       /* faktStoreSnapshot of it */
  DictCacheEnt a[DICT_CACHE];
  DictBlk *aBlk;           /* grown to cover the records looked up */
  uint32_t nBlk;           /* entries of aBlk */
  /* of this snapshot (cleared with gen): records not in aBlk when looked
  ** up, i2s's records (0: not asked yet), and whether aBlk was filled
  ** whole by one walk of i2s (see dictMiss in value.c) */
  uint32_t nMiss;
  uint64_t nRec;
  int bFilled;
} DictCache;

/* ---------------------------------------------------------------- plans */
typedef struct Exec Exec;
typedef struct Run Run;
typedef struct Plan Plan;
typedef struct Builtin Builtin;
typedef struct RuleSet RuleSet;
typedef struct Relation Relation;

/* A term of a pattern: a constant or a register. */
typedef struct Term {
  int iSlot;               /* register, or -1 for a constant */
  Value v;                 /* the constant */
  int bBound;              /* bound before the step runs (constants: 1) */
  int bCheck;              /* register bound earlier in the same pattern: compare */
  int bParam;              /* a parameter: a text here may name an entity */
  int bUnused;             /* an output of a built-in that nothing else in the
                           ** statement mentions: its value need not be made */
} Term;

typedef enum StepKind {
  ST_SCAN = 1,             /* stored claim pattern over an index */
  ST_FILTER,               /* expression must be true */
  ST_ASSIGN,               /* register := expression */
  ST_BUILTIN,              /* built-in relation */
  ST_DERIVED,              /* rule relation */
  ST_NOT,                  /* sub-plan must yield nothing */
  ST_OPT                   /* sub-plan, or one row of nulls */
} StepKind;

typedef struct Step {
  StepKind kind;
  Literal *pLit;           /* source literal (positions, explain) */
  double est;              /* estimated rows per input row */
  /* ST_SCAN */
  Term aT[4];              /* subject, predicate, object, claim */
  StoreIndex ix;           /* index used */
  int nPrefix;             /* leading components bound: 0..3 */
  /* ST_FILTER, ST_ASSIGN */
  Expr *pExpr;
  int iSlot;               /* ST_ASSIGN target */
  /* ST_BUILTIN, ST_DERIVED */
  const Builtin *pB;
  int iRel;                /* ST_DERIVED: relation index in the RuleSet */
  int bDelta;              /* ST_DERIVED: read the delta, not the whole relation */
  int nArg;
  Term *aArg;
  int iRowSlot;            /* ST_DERIVED: hidden register with the matched row index */
  int bClaimsOnly;         /* ST_BUILTIN match(): another step of the same body
                           ** keeps only claims in its first argument's variable */
  int bReadsClaims;        /* ST_SCAN: a later step reads the records of the
                           ** claims it yields (source, by, quote, ...) */
  uint8_t abShows[3];      /* ST_SCAN: the query shows the subject / -, object
                           ** this step binds (their texts are prefetched) */
  /* ST_NOT, ST_OPT */
  Plan *pSub;
  int nNew;                /* ST_OPT: registers first bound inside */
  int *aNew;
} Step;

struct Plan {
  int nStep;
  Step *aStep;
};

/* ---------------------------------------------------------------- rules */
/* A materialised relation: rows of nArity values, deduplicated by a hash. */
struct Relation {
  const char *zName;       /* rule name */
  uint32_t nameId;         /* dict id of the name */
  int nArity;
  int nRow, nAlloc;        /* rows */
  Value *aRow;             /* nRow * nArity */
  uint32_t **aWhy;         /* per row, for why: what its body matched, {nClaim,
                           ** nRef, claim ids..., nRef pairs (relation, row)};
                           ** a relation is iRel+1 | iSpec<<24 (faktRowWhy) */
  int *aHash;              /* open-addressing table of row index + 1 */
  int nHash;
  int iDeltaLo, iDeltaHi;  /* rows of the last iteration */
  int iFullHi;             /* rows visible as "full" in this iteration */
  int iStratum;            /* evaluation order */
  int bDone;               /* computed for this execution */
  int bHasPtr;             /* a row holds text by pointer (not kept across executions) */
  int bWhyRows;            /* rows were computed with aWhy (for a why query) */
  int iStandIn;            /* 1 + the SpecRel whose rows these are while its
                           ** rules run in the relation's place, else 0 */
  /* rows by the entity in one argument, built when a query binds it
  ** (faktRelIndexFirst); chains of row index + 1, 0 ends. One per
  ** argument: two steps of a plan may read the relation through
  ** different arguments at once (nArity entries, or NULL) */
  struct RelIndex {
    int nRow;              /* rows when it was built, 0: not built */
    int nHead;             /* buckets, a power of two */
    int *aHead, *aNext;
  } *aIdx;
  /* an argument every rule passes unchanged to its recursive calls (-1
  ** none): with it bound, the rows of that value alone can be computed
  ** (RuleSet.aSpec), starting from it, as a recursive CTE would */
  int iInv;
  /* bit j: argument j may be pushed in when bound (faktRulesEvalReach):
  ** every recursive rule is linear and passes its other arguments on;
  ** mReachPlanned: its plans are compiled (on first use) */
  uint64_t mReach, mReachPlanned;
};

/* Rows of a relation for one value of its invariant argument. */
typedef struct SpecRel {
  int iRel;                /* relation, -1: slot free */
  int iArg;                /* the argument bound: iInv, or one of mReach */
  Value key;               /* the value of argument iArg (an entity) */
  Relation rel;            /* its rows; rel.bDone once computed */
} SpecRel;
#define RULE_SPEC_MAX 64

typedef struct RuleDef {
  Stmt *pStmt;             /* parsed rule (in the RuleSet arena) */
  int iRel;                /* head relation */
  int nSlot;               /* registers the body needs */
  Plan *pPlan;             /* compiled body, full */
  Plan **apDelta;          /* per recursive body literal: delta variant (or NULL) */
  int nDelta;
  /* the same plans with the head's invariant variable bound in slot iSpecSlot
  ** before they run (when the relation has one, Relation.iInv) */
  Plan *pSpecPlan;
  Plan **apSpecDelta;
  int iSpecSlot;
  /* per argument j of Relation.mReach (else NULL): the plan with head
  ** argument j bound in aiReachSlot[j]; for the recursive rule, its body
  ** without the recursive call, and apReachNext[j] the call's argument j
  ** (the next value to visit); for the others the rule's own body */
  Plan **apReach;
  int *aiReachSlot;
  ExprList **apReachNext;
  /* per argument j: a non-recursive rule's apReachAlso[j] is the next value
  ** of a recursive rule whose step is this rule's body, abReachShared[j]
  ** of that recursive rule (which then has no plan): one run, two uses */
  ExprList **apReachAlso;
  uint8_t *abReachShared;
} RuleDef;

struct RuleSet {
  Arena arena;             /* parsed rules and plans */
  int nRel;
  Relation *aRel;
  int nRule;
  RuleDef *aRule;
  uint32_t txLoaded;       /* last_tx when loaded */
  int bValid;
  /* The computed relations depend on the snapshot only, not on the query's
  ** parameters: after an execution that ended cleanly outside a write
  ** transaction they are kept for the next one with the same snapshot. */
  int bKeep;               /* aRel rows are whole for keepSnap/keepLast */
  uint32_t keepSnap;       /* Exec.txSnap they were computed for */
  uint32_t keepLast;       /* last_tx of the database then */
  SpecRel *aSpec;          /* RULE_SPEC_MAX entries, allocated on first use */
  /* The handle keeps the set a finalized statement used (fakt.pRules) for
  ** the next one compiled from the same: the committed snapshot it was
  ** compiled in (faktStoreSnapshot: any commit, by any process, changes
  ** it; a rollback does not) and the handle's session rules. */
  int bSnap;               /* compiled in a committed snapshot: may be kept */
  uint64_t aSnap[2];       /* that snapshot */
  char *zSess;             /* the session rules' texts then, each with its NUL */
  size_t nSess;            /* bytes in zSess */
};

/* ---------------------------------------------------------------- execution */
typedef struct StepState {
  StoreCursor *pCur;       /* ST_SCAN */
  /* ST_SCAN with bReadsClaims or abShows: pCur is read SCAN_AHEAD rows
  ** ahead of the rows the scan yields, into a ring of their keys */
  int bRing;               /* the scan reads through the ring */
  int rcRing;              /* FAKT_ROW while pCur has more, else how it ended */
  unsigned iRing, nRing;   /* first row in the ring (& 7), rows in it */
  uint8_t aRingKey[8][KEY_IX];
  Vis aRingVis[8];
  uint32_t aAheadId[8][2]; /* the subject and object ids of the rows read
                           ** ahead, by row number & 7, for the text's prefetch */
  unsigned nAhead;         /* rows read ahead */
  int iPos;                /* generic position / first-call flag */
  int iEnd;
  Run *pSub;               /* ST_NOT, ST_OPT */
  int bMatched;            /* ST_OPT: sub-plan produced a row */
  void *pAux;              /* built-in generator state */
  void (*xAuxFree)(void*); /* frees pAux when it owns more than itself; else free() */
  Value aKey[4];           /* scratch */
  uint8_t abSkip[3];       /* ST_SCAN: component fixed by the cursor's prefix */
  int iChain;              /* ST_DERIVED through an index: next row + 1, 0 at the end, -1 not */
  int iChainArg;           /* ST_DERIVED: the argument of that index */
  Relation *pRelUse;       /* ST_DERIVED: the relation read (the whole one, or a SpecRel's) */
  int iSpec;               /* ST_DERIVED: 0, or 1 + the RuleSet.aSpec entry read */
} StepState;

struct Run {
  Exec *pEx;
  Plan *pPlan;
  StepState *aState;
  int k;                   /* current step, -1 before start */
  int bEof;
};

/* One execution of a statement (or of a rule body). */
struct Exec {
  fakt *db;
  StoreTxn *pTxn;          /* read or write txn in use */
  uint32_t txSnap;         /* visibility: claims with txAdd <= txSnap and not retracted by then */
  uint32_t txLast;         /* last_tx of the database in this snapshot */
  int bAsOf;               /* 1: as-of query (use txSnap for retraction too) */
  Value *aReg;             /* registers */
  int nReg;
  Arena arena;             /* values made during execution */
  FaktErr *pErr;
  RuleSet *pRules;         /* rules available */
  uint64_t nWork;          /* loop iterations, for interrupt checks and limits */
  int64_t tStart;          /* start time (ms) for the time limit */
  uint32_t *aWhy;          /* why-tracking: claim ids of the current row */
  int nWhy, nWhyAlloc;
  int bWhy;                /* a why query: derived rows keep the claims
                           ** beneath them (Relation.aWhy); else they do not */
  Value *aAgg;             /* current aggregate values (group output) */
  Value *aParam;           /* bound parameters */
  int nParam;
  DictCache *pDict;        /* id -> text/kind cache of this snapshot, or NULL */
  int64_t nHeap;           /* bytes held in result sets, hash sets, relations */
  uint32_t idCached;       /* claim whose record is in recCached (0: none) */
  uint32_t idNotClaim;     /* the last id found to be an object other than a
                           ** claim (0: none): match() meets sources, and
                           ** quote(), source() ... then ask again */
  ClaimRec recCached;      /* provenance built-ins read one claim many times */
};

/* ---------------------------------------------------------------- handles */
typedef struct Cols {
  int n;
  const char **azName;     /* arena */
  Value *aVal;             /* current row */
  char **azText;           /* rendered text (malloc'd, reused) */
  int *anText;             /* length of azText[i], -1: not rendered */
  size_t *anAlloc;
} Cols;

/* The text of the source the last claim quoted, kept while more claims of
** the same transaction may quote it: in a load, or in an explicit
** transaction (write.c, claimQuote). Forgotten by a source statement that
** writes a text, at the end of a load and at the end of the transaction. */
typedef struct SrcText {
  uint32_t id;             /* the source (0: none) */
  char *z;                 /* a copy of its text (malloc'd) */
  size_t n;
  int nFind;               /* quotes searched in it so far */
  QuoteIndex *pIdx;        /* its index (built at the second search), or NULL */
} SrcText;

struct fakt {
  pthread_mutex_t mutex;   /* serialises calls on this handle (recursive) */
  FaktStore *pStore;
  FaktErr err;             /* last error */
  StoreTxn *pTxn;          /* explicit transaction (begin ... commit) */
  pthread_t txOwner;       /* the thread that opened pTxn */
  int nStmt;               /* unfinalized statements */
  fakt_stmt *pStmtList;    /* the unfinalized statements, linked by pStmtNext */
  atomic_int bInterrupt;   /* set by fakt_interrupt() from any thread or a signal
                           ** handler (lock-free, so async-signal-safe) */
  atomic_int nInterrupt;   /* calls of fakt_interrupt(), never cleared:
                           ** fakt_import() compares it with its value at the start */
  char *zOrigin;           /* file the current text came from, or NULL */
  ParseOrigin origin;      /* position of the next text's first byte */
  int64_t nChanges;
  int bReadonly;
  int64_t nMaxRows, nMaxMem, nMaxMillis;
  RuleSet *pRules;         /* the rules a finalized statement compiled, kept
                           ** for the next (RuleSet.bSnap), or NULL */
  int64_t nRuleLoad;       /* rule sets compiled for queries, and */
  int64_t nRuleRun;        /* rule plans run, both never cleared (unit_rules
                           ** counts work with them: the cache, one run per
                           ** value reached) */
  int nLoadDepth;          /* nested load statements */
  SrcText srcText;         /* the text claims quoted last (write.c) */
  int (*xProgress)(void*); /* fakt_progress_handler(): called every */
  void *pProgressArg;      /* nProgressEvery statements of a load, */
  int nProgressEvery;      /* with pProgressArg (0: never) */
  int64_t nLoadStmts;      /* statements the current load ran so far */
  int64_t nTextScan;       /* bytes load and fakt_exec() scanned to parse
                           ** and place their statements, never cleared
                           ** (tests check it grows linearly with the text) */
  size_t nLoadWindow;      /* the largest window a load read its file through (bytes) */
  int bLoadNoThread;       /* loads parse on the calling thread (tests compare) */
  int64_t nLoadThreads;    /* files a parser thread parsed, */
  int64_t nLoadThreadStmts;/* statements those threads parsed, never cleared */
  int nLoadAheadMax;       /* the most statements a load found parsed ahead */
  uint32_t nTxAdded, nTxRetracted, nTxOther;  /* changes in the explicit txn */
  char *zPath;             /* database file path */
  DictCache *pDictSpare;   /* a finalized statement's cache, for the next one */
  char zLastClaim[FAKT_MAX_IDENT + 1];  /* fakt_last_claim(), "" if none */
  int nSessRule;           /* rules defined on a read-only handle: they live */
  char **azSessName;       /* for the session (names, and their texts, each */
  char **azSessText;       /* a rule statement), never stored */
  struct BindName *aBind;  /* BIND_CACHE names fakt_bind_entity() resolved
                           ** outside a transaction, or NULL */
};

/* A name fakt_bind_entity() found in a committed snapshot, and its id: a
** name, once committed, keeps its id and is never removed, so the entry
** stays right whatever commits later. Direct-mapped by the name's hash. */
#define BIND_CACHE    1024
#define BIND_NAME_MAX 40
typedef struct BindName {
  uint64_t h;              /* faktHash64 of the name | 1; 0: empty */
  uint32_t id;
  uint8_t n;               /* bytes in z */
  char z[BIND_NAME_MAX];
} BindName;

/* The compiled parts of a find statement. */
typedef struct FindInfo {
  int nProj;
  Expr **apProj;           /* projections */
  int nOrder;
  Expr **apOrder;          /* order by keys */
  int *abDesc;
  int nAgg;
  Expr **apAgg;            /* every aggregate node, iAgg = index */
  int bAgg;                /* the query aggregates */
  int nWhy;                /* why: extra columns claim, source, by, stance, quote (5) or 0 */
  int *aParamSlot;         /* register of parameter i+1 */
  int nParam;
  uint8_t *abProjAgg;      /* per projection: it aggregates (set on first use) */
} FindInfo;

struct fakt_stmt {
  fakt *db;
  Arena arena;             /* AST, plan, names */
  char *zSql;              /* copy of the statement text */
  char *zSqlOut;           /* explain sql: the translation (malloc'd) */
  int nSql;
  Stmt *pStmt;             /* tree */
  int bReadonly;
  /* parameters */
  int nParam;
  Value *aParam;           /* bound values (texts copied into apParamMem) */
  char **azParamMem;
  /* compiled query */
  int nReg;
  Plan *pPlan;
  int nProj;
  int bAgg;                /* has aggregates */
  Cols cols;
  FindInfo *pFind;         /* S_FIND: compiled parts */
  RuleSet *pRules;         /* rules the statement was compiled against (owned) */
  /* execution state */
  int eState;              /* 0 ready, 1 running, 2 done, 3 aborted: the
                           ** transaction it read in ended (zAbort says how) */
  const char *zAbort;      /* eState 3: "committed" or "rolled back" */
  fakt_stmt *pStmtNext;    /* the handle's list of statements */
  fakt_stmt **ppStmtPrev;  /* the pointer that points at this one */
  Exec ex;
  Run *pRun;
  StoreTxn *pOwnTxn;       /* read txn this statement opened */
  Value *aOut;             /* materialised result rows (sort, agg, distinct) */
  int nOut, nOutAlloc, iOut;
  int64_t nEmitted, nSkipped, nLimit, nOffset;
  void *pDistinct;         /* hash set of emitted rows */
  /* write statements that report rows (verify, explain) */
  int bHasRows;
  int errRc;               /* the last error of a call on this statement */
  char *zErrMsg;           /* and its message (malloc'd), for fakt_stmt_errmsg */
};

/* ---------------------------------------------------------------- values (value.c) */
FAKT_PRIVATE int  faktValueCmp(Exec *ex, const Value *a, const Value *b);     /* total order */
FAKT_PRIVATE int  faktValueEq(Exec *ex, const Value *a, const Value *b);      /* same value */
FAKT_PRIVATE uint64_t faktValueHash(Exec *ex, const Value *v);
FAKT_PRIVATE int  faktValueText(Exec *ex, const Value *v, const char **pz, int *pn); /* V_STR text */
FAKT_PRIVATE int  faktValueRender(StoreTxn *t, DictCache *pC, const Value *v, char **pz, size_t *pnAlloc, int *pn);
FAKT_PRIVATE int  faktDictTextC(StoreTxn *t, DictCache *pC, uint32_t id, const char **pz, int *pn);
FAKT_PRIVATE void faktDictCacheNewSnap(DictCache *pC);
FAKT_PRIVATE void faktDictPrefetch(DictCache *pC, uint32_t id);
FAKT_PRIVATE void faktDictPrefetchText(DictCache *pC, uint32_t id);
FAKT_PRIVATE void faktDictCacheFree(DictCache *pC);
FAKT_PRIVATE int  faktObjKindC(StoreTxn *t, DictCache *pC, uint32_t id, int *pKind);
FAKT_PRIVATE void faktValueEncode(const Value *v, uint8_t *aOut);            /* 9 bytes */
FAKT_PRIVATE void faktValueDecode(const uint8_t *a, Value *v);
FAKT_PRIVATE int  faktValueColType(StoreTxn *t, DictCache *pC, const Value *v);
FAKT_PRIVATE const char *faktTypeName(int t);

/* ---------------------------------------------------------------- compile (resolve.c) */
/* State of one compilation: a body (with its sub-bodies) and what uses its variables. */
typedef struct Compile {
  fakt *db;
  StoreTxn *t;             /* for name lookups and statistics */
  Arena *a;                /* where plans go */
  RuleSet *pRules;         /* rules visible (may be NULL) */
  FaktErr *pErr;
  int nVar, nVarAlloc;     /* variables: slot i is azVar[i] (hidden ones "") */
  const char **azVar;
  unsigned char *aBound;   /* per slot: bound at this point of planning */
  const Literal *pDeltaLit;/* rules: the literal that reads the delta */
  const Expr *pPreVar;     /* rules: a head variable bound before the body runs */
  int iPreSlot;            /* its slot, set by the compile */
  int iHeldSlot;           /* rules: the pre-bound slot while some generator
                           ** that would bind it without the binding has not
                           ** run: no filter, assignment or not reads it
                           ** meanwhile (-1 none) */
  const unsigned char *aSccRel; /* rules: relations of the rule's own SCC (1) */
  int nDepth;              /* sub-body nesting */
  int nParamSlot;          /* parameters 1..n live in slots 0..n-1 */
  /* statistics the planner asked for, which it asks for again and again
  ** while it tries orders: each looked up once per compile */
  struct { const Expr *pE; int kind; double v; } aStat[16];
  int nStat;
  double rTotal;           /* faktStatGet 'T', once bTotal */
  int bTotal;
} Compile;

FAKT_PRIVATE void faktCompileInit(Compile *c, fakt *db, StoreTxn *t, Arena *a, RuleSet *pRules, FaktErr *pErr);
FAKT_PRIVATE void faktCompileFree(Compile *c);
FAKT_PRIVATE int  faktCompileSlot(Compile *c, const char *zName, int nName); /* find or add */
FAKT_PRIVATE int  faktCompileBody(Compile *c, Body *pBody, Plan **ppPlan);
FAKT_PRIVATE int  faktCompileExpr(Compile *c, Expr *pE, int bNeedBound); /* resolve vars/consts */
FAKT_PRIVATE int  faktResolveConst(Compile *c, Expr *pE, Value *pV);
FAKT_PRIVATE int  faktIsConstOp(int op);                                 /* a literal value */
FAKT_PRIVATE int  faktVarSlot(Compile *c, Expr *pE);                     /* -1: out of memory */
FAKT_PRIVATE int  faktExprVars(Compile *c, Expr *pE, int **paVar, int *pnVar); /* plan.c */
FAKT_PRIVATE int  faktCompileOom(Compile *c);                            /* FAKT_NOMEM, noted */
FAKT_PRIVATE int  faktArityErr(Compile *c, const Expr *pE, int nMin, int nMax, int nGot);
FAKT_PRIVATE int  faktResolveFind(fakt_stmt *p, StoreTxn *t);
FAKT_PRIVATE int  faktExplainRows(fakt_stmt *p);
FAKT_PRIVATE char *faktExprText(Arena *a, const Expr *pE);

/* ---------------------------------------------------------------- execution (exec.c) */
FAKT_PRIVATE Run *faktRunNew(Exec *ex, Plan *pPlan, Arena *a);
FAKT_PRIVATE int  faktRunCount(Run *r, int64_t *pn);   /* 1 counted, 0 not a simple scan, -rc */
FAKT_PRIVATE int  faktRunNext(Run *r);     /* FAKT_ROW, FAKT_DONE or error */
FAKT_PRIVATE void faktRunClose(Run *r);
FAKT_PRIVATE int  faktEval(Exec *ex, Expr *pE, Value *pOut);
FAKT_PRIVATE int  faktExecCheck(Exec *ex); /* interrupt and limits */
FAKT_PRIVATE int  faktExecClaim(Exec *ex, uint32_t id, ClaimRec *r); /* cached faktClaimGet */
/* r's quote as a string value (pointing into the map): FAKT_OK, FAKT_NOTFOUND
** when r has none, or an error, set in ex. */
FAKT_PRIVATE int  faktExecQuote(Exec *ex, const ClaimRec *r, Value *pV);
FAKT_PRIVATE int  faktFindStep(fakt_stmt *p);
FAKT_PRIVATE void faktFindReset(fakt_stmt *p);
FAKT_PRIVATE int  faktBindOut(Exec *ex, Step *pS, int i, const Value *pV); /* 1 ok, 0 mismatch */
FAKT_PRIVATE int  faktVisible(const Exec *ex, const Vis *pVis);
FAKT_PRIVATE int  faktTruthy(const Value *v);
FAKT_PRIVATE int  faktStrValue(Exec *ex, const char *z, int n, Value *pOut); /* copy into the exec arena */

/* ---------------------------------------------------------------- rules (rules.c) */
FAKT_PRIVATE int  faktSqlTranslate(fakt *db, StoreTxn *pTxn, const Stmt *pS, const char *const *azName, RuleSet *pRules,
                                   char **pzSql, char **pzErr, Pos *pPos);   /* sql.c */
FAKT_PRIVATE int  faktRulesLoad(fakt *db, StoreTxn *t, RuleSet **pp, FaktErr *pErr);
FAKT_PRIVATE void faktRulesFree(RuleSet *r);
FAKT_PRIVATE void faktRulesRelease(fakt *db, RuleSet *r);  /* a statement is done with it */
FAKT_PRIVATE int  faktRulesFind(RuleSet *r, const char *zName, int n);
FAKT_PRIVATE int  faktRulesEval(Exec *ex, int iRel);
FAKT_PRIVATE int  faktRulesWhyReady(const RuleSet *rs);
/* The rows of iRel whose invariant argument equals the entity *pKey, in
** ex->pRules->aSpec[*piSpec-1] (computed now or earlier). 1 with *piSpec,
** 0 when that cannot be done (no free entry): evaluate it whole; -rc. */
FAKT_PRIVATE int  faktRulesEvalSpec(Exec *ex, int iRel, const Value *pKey, int *piSpec);
/* The same for argument iArg of Relation.mReach bound to the entity *pKey:
** the values reachable from it through the recursive rules, then the rows
** the other rules give them (not for why: 0 then). */
FAKT_PRIVATE int  faktRulesEvalReach(Exec *ex, int iRel, int iArg, const Value *pKey, int *piSpec);
FAKT_PRIVATE void faktRulesReset(RuleSet *r);
FAKT_PRIVATE int  faktRulesHavePtr(const RuleSet *rs);  /* a computed row holds text by pointer */
FAKT_PRIVATE int  faktRelIndexFirst(Exec *ex, Relation *r, int iArg, const Value *pKey); /* row+1, 0, or -rc */
FAKT_PRIVATE int  faktRelIndexNext(const Relation *r, int iArg, int iRow);                /* row+1 or 0 */
FAKT_PRIVATE uint32_t *faktRowWhy(Exec *ex, Plan *pPlan);
FAKT_PRIVATE int  faktRulesCheck(fakt *db, StoreTxn *t, Stmt *pNew, FaktErr *pErr);
/* Session rules of a read-only handle (write.c): 1 if zName[0..n) is one. */
FAKT_PRIVATE int  faktSessionRuleHas(fakt *db, const char *zName, int n);

/* ---------------------------------------------------------------- built-ins (builtin.c) */
typedef enum BKind { B_REL = 1, B_FUNC, B_TEST } BKind;
struct Builtin {
  const char *zName;
  BKind kind;
  int nArgMin, nArgMax;
  unsigned mNeed;          /* B_REL: arguments that must be bound (bit i = arg i) */
  double est;              /* rows per call for the planner */
  /* B_REL: generator. iCall 0 = first call for these inputs. Returns 1 row, 0 end, <0 error */
  int (*xGen)(Exec *ex, Step *pStep, StepState *st, Value *aArg);
  /* B_FUNC / B_TEST: compute */
  int (*xFunc)(Exec *ex, Expr *pCall, int nArg, Value *aArg, Value *pOut);
};
FAKT_PRIVATE const Builtin *faktBuiltinFind(const char *zName, int n);
FAKT_PRIVATE int faktNextObj(Exec *ex, StepState *st, int wantKind, uint32_t *pId);
FAKT_PRIVATE int faktNamedIds(StoreTxn *t, const char *z, int n, uint32_t **paId, int *pnId);

/* ---------------------------------------------------------------- text buffers (strbuf.c) */

/* ---------------------------------------------------------------- claim layer (claims.c) */
FAKT_PRIVATE int faktGenProposition(Exec *ex, Step *pS, StepState *st, Value *aArg);
FAKT_PRIVATE int faktGenOrigin(Exec *ex, Step *pS, StepState *st, Value *aArg);
FAKT_PRIVATE int faktGenCorroboration(Exec *ex, Step *pS, StepState *st, Value *aArg);
FAKT_PRIVATE int faktGenConflict(Exec *ex, Step *pS, StepState *st, Value *aArg);
FAKT_PRIVATE int faktGenStanceChange(Exec *ex, Step *pS, StepState *st, Value *aArg);
FAKT_PRIVATE int faktGenAbout(Exec *ex, Step *pS, StepState *st, Value *aArg);
FAKT_PRIVATE int faktGenRetracted(Exec *ex, Step *pS, StepState *st, Value *aArg);
FAKT_PRIVATE int faktGenUntil(Exec *ex, Step *pS, StepState *st, Value *aArg);
FAKT_PRIVATE int faktGenSpan(Exec *ex, Step *pS, StepState *st, Value *aArg);
FAKT_PRIVATE int faktGenSentence(Exec *ex, Step *pS, StepState *st, Value *aArg);
FAKT_PRIVATE int faktFnContext(Exec *ex, Expr *pE, int nArg, Value *aArg, Value *pOut);
FAKT_PRIVATE int faktVerifyStep(fakt_stmt *p);

/* ---------------------------------------------------------------- writes (write.c) */
FAKT_PRIVATE int faktWriteStep(fakt_stmt *p);
/* Forget the source text claims kept (db->srcText): at the end of a
** transaction, and at close. */
FAKT_PRIVATE void faktWriteForgetText(fakt *db);
FAKT_PRIVATE int faktLookupName(StoreTxn *t, const char *z, int n, uint32_t *pId, int *pKind);
FAKT_PRIVATE int faktLookupLabel(StoreTxn *t, const char *z, int n, uint32_t *pId);
FAKT_PRIVATE int faktLookupLabelUnique(StoreTxn *t, const char *z, int n, uint32_t *pId);

/* ---------------------------------------------------------------- a load's file (loadfile.c) */
/* The file of a load statement, read through a window and parsed ahead
** by a thread of its own (loadfile.c says how). */
typedef struct LoadReader LoadReader;
#define LOAD_END      (-1)         /* LoadItem.rcRead: the file's end */
#define LOAD_STOPPED  (-2)         /* (inside loadfile.c: the load stopped) */
/* One statement of the file, parsed: write.c runs it, then gives it back. */
typedef struct LoadItem {
  Arena a;                 /* its tree */
  Stmt *pSub;              /* the statement; NULL: only space and comments */
  const char *zStmt;       /* its text, in the window: valid until faktLoadDone */
  int nUsed;               /* its bytes */
  int rc;                  /* FAKT_OK, or the parse error described in e */
  FaktErr e;
  int rcRead;              /* 0; LOAD_END; FAKT_NOMEM or FAKT_IOERR: the
                           ** window could not be read (no statement) */
  int64_t nScan;           /* bytes scanned for it (parsed, a cut statement
                           ** twice, and positioned): db->nTextScan */
} LoadItem;
/* What reading one file counted. */
typedef struct LoadStats {
  size_t nWindow;          /* its largest window (bytes) */
  int nThreads;            /* 1 if a parser thread parsed it */
  int64_t nThreadStmts;    /* statements that thread parsed */
  int nAheadMax;           /* the most statements parsed ahead (queued) when
                           ** the load took one */
} LoadStats;
FAKT_PRIVATE int  faktLoadOpen(FILE *f, int bNoThread, LoadReader **pp);
FAKT_PRIVATE void faktLoadNext(LoadReader *p, LoadItem *pItem);
FAKT_PRIVATE void faktLoadDone(LoadReader *p, LoadItem *pItem);
FAKT_PRIVATE void faktLoadClose(LoadReader *p, LoadStats *pStats);

/* ---------------------------------------------------------------- api.c */
FAKT_PRIVATE void faktDbError(fakt *db, int rc, const char *zFmt, ...) __attribute__((format(printf, 3, 4)));
/* Carry the error rc of a call of store s into e (faktErrSet: an error
** already in e stays), at pPos and after zPrefix (either may be NULL),
** with the store's own message when it has one for such a code (the file
** and what happened to it: full, damaged, locked ...), else fakt_errstr(rc).
** Returns rc. */
FAKT_PRIVATE int  faktStoreFail(FaktErr *e, FaktStore *s, int rc, const Pos *pPos, const char *zPrefix);
FAKT_PRIVATE int  faktRunScript(fakt *db, const char *zText, int nText, const char *zOrigin,
                                FaktErr *pErr);
FAKT_PRIVATE int64_t faktNowMillis(void);
FAKT_PRIVATE int faktTxnForeign(fakt *db);  /* 1: pTxn belongs to another thread (error set) */
/* Before the explicit transaction db->pTxn commits or rolls back: every
** statement reading in it drops its cursors and rows; one that was running
** is aborted (its next fakt_step returns FAKT_ABORT, zHow in the message). */
FAKT_PRIVATE void faktTxnEnding(fakt *db, const char *zHow);

#endif /* FAKT_INT_H */
