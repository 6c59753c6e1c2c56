/* ops.h: the operations layer (DESIGN.md principle 9), in the manner of Redis's command table.
 * Every read or change of the store that a front end offers is one entry: a name
 * ("congress.held"), its arguments with types and bounds, the roles that may run it, how the
 * organisation it acts on is found from its arguments, and a handler that returns JSON. The CLI,
 * the HTTP API and generated documents (the README's role matrix, an OpenAPI file) are thin
 * mappings onto this table; cv_ops_call checks the arguments and the permission in this one
 * place, then runs a writing handler inside one transaction that commits whole or not at all. */
#ifndef CV_OPS_H
#define CV_OPS_H

#include <jansson.h>
#include <stdint.h>

#include "auth/grant.h"
#include "store/store.h"

enum cv_op_type {
    CV_ARG_TEXT = 1, /* a string of at most max bytes (NFC is the handler's business) */
    CV_ARG_CODE,     /* an organisation, term or other code (cv_text_code) */
    CV_ARG_INT,      /* an integer in [min, max] */
    CV_ARG_BOOL,     /* true or false */
    CV_ARG_DATE,     /* YYYY-MM-DD */
    CV_ARG_LIST,     /* an array of at most max strings of at most 511 bytes each */
    CV_ARG_FILE,     /* a path to a file the FRONT END provides (the CLI: the user's path; HTTP:
                        an uploaded body in a private temp file, or where to write an answer's
                        bytes); never taken from a client's JSON (core/http refuses it) */
};

typedef struct cv_op_arg {
    const char *name;
    int type; /* enum cv_op_type */
    int required;
    int64_t min, max; /* CV_ARG_INT: the range; TEXT and LIST: max bytes or items */
    const char *help;
} cv_op_arg;

/* How the organisation an operation acts on is found: from an argument naming an organisation
 * by code, or a congress, work item, subcommittee... by id; CV_AT_STORE acts on no one
 * organisation (admin's store-wide business, or a read any holder of the roles may make). An
 * optional argument that is absent means the store as a whole. */
enum cv_op_at {
    CV_AT_STORE = 0,
    CV_AT_ORG,          /* arg is an organisation's code */
    CV_AT_CONGRESS,     /* arg is a congress id */
    CV_AT_SUBCOMMITTEE, /* arg is a subcommittee id */
    CV_AT_WORK,         /* arg is a work item id */
    CV_AT_ELECTION,     /* arg is an election id */
    CV_AT_ACCOUNT,      /* arg is a login: store-wide (accounts are admin's) */
    CV_AT_PERSON,       /* arg is a person's code (someone of no organisation: the store) */
    CV_AT_COMPLAINT,    /* arg is a complaint id */
    CV_AT_INSPECTION,   /* arg is an inspection visit's id */
    CV_AT_DOCUMENT,     /* arg is a congress document's id */
    CV_AT_ROUND,        /* arg is a comment round's id */
    CV_AT_RECIPIENT,    /* arg is a comment round's id, and "recipient" one of its recipients:
                           the recipient organisation, or the document's for a recipient outside
                           the tree (a predecessor, a board, the level above) */
    CV_AT_SELF,         /* arg is a login: that account itself may, anyone else needs the roles */
};

typedef struct cv_op_ctx {
    cv_store *s;
    const cv_actor *actor;
    int64_t org_id; /* the organisation found (0 for the store) */
} cv_op_ctx;

/* A handler: reads its checked arguments, changes the store, leaves its answer in *result (a new
 * reference, NULL for none). Returns 0 or a CV_E* code with e set. */
typedef int (*cv_op_fn)(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e);

typedef struct cv_op {
    const char *name;      /* group.verb */
    const char *summary;   /* one line for --help, the README and OpenAPI */
    const cv_op_arg *args; /* terminated by a NULL name */
    unsigned roles;        /* who may: CV_ROLE_* bits (admin may do everything) */
    int at;                /* enum cv_op_at */
    const char *at_arg;    /* the argument it is found from */
    int at2;               /* a second organisation that must also be permitted (org.move) */
    const char *at2_arg;
    int writes; /* 1: runs in a transaction that commits whole or not at all; CV_OP_OWN_TX: writes
                   in transactions of its own (backup.run: no write lock while it copies) */
    cv_op_fn run;
    /* Arguments that succeed in the tests' world, with placeholders $ORG (the organisation acted
     * on), $CELL (a cell under $ORG), $WORK, $ELECTION, $PERSON, $COMPLAINT, $INSPECTION, $GRANT,
     * $SCRIPT (a package folder), $PACKAGE (a registered, suspended package), $OUTBOX (a failed
     * notification), $N (a fresh number), $DOC (a document with a version), $ROUND (an open
     * comment round on it sent to $ORG), $PLAN (a plan of $ORG), $OPEN, $COUNTED, $ANNOUNCED
     * (elections in those states), $IMPORT (a file of organisations), $BACKUP (a folder): the role
     * matrix test runs every operation with them, and they are the documents' examples. */
    const char *example;
} cv_op;

#define CV_OP_OWN_TX 2 /* cv_op.writes: a writing operation that manages its own transactions */

/* For writing the tables (ops_*.c). */
#define CV_OP_CODE(n, req, help)                                                                   \
    {                                                                                              \
        n, CV_ARG_CODE, req, 0, 0, help                                                            \
    }
#define CV_OP_DATE(n, req, help)                                                                   \
    {                                                                                              \
        n, CV_ARG_DATE, req, 0, 0, help                                                            \
    }
#define CV_OP_ARGS_END                                                                             \
    {                                                                                              \
        NULL, 0, 0, 0, 0, NULL                                                                     \
    }
#define CV_OPS_END                                                                                 \
    {                                                                                              \
        NULL, NULL, NULL, 0, 0, NULL, 0, NULL, 0, NULL, NULL                                       \
    }

/* The table: n entries, in groups. */
int cv_ops_count(void);
const cv_op *cv_ops_at(int i);
const cv_op *cv_ops_find(const char *name);

/* Runs operation name for actor with args (borrowed; NULL for {}). Checks the arguments against
 * the table, finds the organisation, checks the permission (refusal: CV_EPERM with one line
 * naming the actor, the operation and the organisation), and runs the handler with actor set on
 * the store, in one transaction when it writes. A refused or failed operation changes nothing.
 * *result (if not NULL) receives the handler's answer. */
int cv_ops_call(cv_store *s, const cv_actor *actor, const char *name, json_t *args, json_t **result,
                cv_err *e);

/* The one permission check: does actor hold one of roles over org_id (0: the store as a whole)?
 * what names the operation in the refusal. Admin passes everywhere; a store-wide operation open
 * to other roles passes for an actor holding one of them anywhere. Returns 0 or CV_EPERM. */
int cv_ops_permit(cv_store *s, const cv_actor *actor, unsigned roles, int64_t org_id,
                  const char *what, cv_err *e);

/* The roles actor holds over org_id now (0: anywhere-roles are not counted, only admin). */
int cv_ops_actor_roles(cv_store *s, const cv_actor *actor, int64_t org_id, unsigned *roles,
                       cv_err *e);

/* The organisation an operation would act on for args (0 for the store as a whole). */
int cv_ops_resolve(cv_store *s, int at, const char *arg, json_t *args, int64_t *org_id, cv_err *e);

/* The role matrix as a Markdown table (new string, free()): one row per operation, one column
 * per role, "✓" where the role may run it. The README carries it verbatim. */
char *cv_ops_matrix_markdown(void);

/* Argument accessors for handlers: the checked value, or def / NULL when absent. */
const char *cv_op_text(json_t *args, const char *name);
int64_t cv_op_int(json_t *args, const char *name, int64_t def);
int cv_op_bool(json_t *args, const char *name, int def);

/* The tables of each group (ops_*.c), each terminated by a NULL name. */
extern const cv_op cv_ops_tree[];
extern const cv_op cv_ops_congress[];
extern const cv_op cv_ops_auth[];
extern const cv_op cv_ops_elect[];
extern const cv_op cv_ops_people[];
extern const cv_op cv_ops_complaints[];
extern const cv_op cv_ops_scheme[];
extern const cv_op cv_ops_allocate[];
extern const cv_op cv_ops_docs[];
extern const cv_op cv_ops_documents[];
extern const cv_op cv_ops_admin[];
extern const cv_op cv_ops_notify[];
extern const cv_op cv_ops_sched[];
extern const cv_op cv_ops_plugin[];
extern const cv_op cv_ops_report[];
extern const cv_op cv_ops_store[];

#endif
