/* org.h: the organisation tree (hệ thống tổ chức đảng): national > province > district >
 * grassroots > cell. A child's level is always below its parent's, and the tree has no cycles.
 * Every change emits its event (org.added, org.moved, org.updated) in the same transaction. */
#ifndef CV_ORG_H
#define CV_ORG_H

#include <jansson.h>
#include <stdint.h>

#include "base/text.h"
#include "store/store.h"

#define CV_LEVEL_MAX 16
/* The deepest walk of the tree: five levels make a sound tree at most 4 deep, so a walk that goes
 * further is in a parent cycle written behind convene's back, and stops there with an error. */
#define CV_ORG_DEPTH_MAX 8

typedef struct cv_org {
    int64_t id;
    char code[CV_CODE_MAX];
    char name[CV_NAME_MAX];
    char level[CV_LEVEL_MAX]; /* national, province, district, grassroots, cell */
    char kind[CV_CODE_MAX];   /* free word: ward, commune, enterprise, agency, city, block, ... */
    int64_t parent_id;        /* 0 for a root */
    char parent_code[CV_CODE_MAX];
    int64_t members;
} cv_org;

/* The rank of a level (national 0 ... cell 4), or -1 for an unknown word. */
int cv_org_level_rank(const char *level);

/* Checks that level is one of the five words (exactly, no abbreviation) into *rank. */
int cv_org_level_check(const char *level, int *rank, cv_err *e);

/* Adds the organisation described by in (code, name, level, kind, parent_code or "", members),
 * normalising its name to NFC. *id (if not NULL) receives its id. */
int cv_org_add(cv_store *s, const cv_org *in, int64_t *id, cv_err *e);

/* Reads one organisation by code or by id. */
int cv_org_get(cv_store *s, const char *code, cv_org *out, cv_err *e);
int cv_org_get_by_id(cv_store *s, int64_t id, cv_org *out, cv_err *e);

/* Moves code under new_parent_code, refusing cycles and level inversions. */
int cv_org_move(cv_store *s, const char *code, const char *new_parent_code, cv_err *e);

/* Changes the name (if not NULL), kind (if not NULL) and member count (if >= 0). */
int cv_org_update(cv_store *s, const char *code, const char *name, const char *kind,
                  int64_t members, cv_err *e);

/* Sets *yes to whether id is root_id or lies below it. */
int cv_org_in_subtree(cv_store *s, int64_t root_id, int64_t id, int *yes, cv_err *e);

/* Calls visit for every organisation of the subtree of root_code (every tree when NULL), parents
 * before children, siblings by code, down to max_depth levels below the root (-1: all). A
 * non-zero return from visit stops the walk and is returned. */
typedef int (*cv_org_visit)(const cv_org *o, int depth, void *ctx);
int cv_org_walk(cv_store *s, const char *root_code, int max_depth, cv_org_visit visit, void *ctx,
                cv_err *e);

/* The error of a walk that went CV_ORG_DEPTH_MAX levels deep (where: "under X", ...). */
int cv_org_too_deep(const char *where, cv_err *e);

/* The edges of the tree that do not go down a level, as a JSON array (new reference) of
 * {org, level, parent, parent_level, cycle}: empty for a sound tree. */
int cv_org_check_tree(cv_store *s, json_t **problems, cv_err *e);

/* The organisation as a JSON object (new reference). */
json_t *cv_org_json(const cv_org *o);

#endif
