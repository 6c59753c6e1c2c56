/* limit.c: an open-addressed table of failure counts keyed by "p:ADDRESS" and "n:NAME". A full
 * table evicts the slot whose last failure is oldest, so a flood of fresh names cannot grow it;
 * the worst such a flood can do is make the table forget old, idle entries. */
#include "http/limit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 80

typedef struct slot {
    char key[KEY_MAX];
    int failures;
    int64_t last;  /* the last failure */
    int64_t until; /* the door is closed until then */
} slot;

struct cv_limit {
    slot slots[CV_LIMIT_SLOTS];
};

cv_limit *cv_limit_new(void)
{
    return calloc(1, sizeof(cv_limit));
}

void cv_limit_free(cv_limit *l)
{
    free(l);
}

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The slot of key (its own or, when create, a free or the stalest one; NULL otherwise). Probes a
 * bounded run of slots so a lookup costs the same however full the table is. */
static slot *find(cv_limit *l, char kind, const char *name, int create, int64_t now)
{
    char key[KEY_MAX];
    snprintf(key, sizeof key, "%c:%s", kind, name);
    uint32_t h = hash(key);
    slot *victim = NULL;
    for (int i = 0; i < 32; i++) {
        slot *s = &l->slots[(h + (uint32_t)i) % CV_LIMIT_SLOTS];
        if (s->key[0] && strcmp(s->key, key) == 0) {
            if (now - s->last <= CV_LIMIT_FORGET * 1000)
                return s;
            memset(s, 0, sizeof *s); /* forgotten */
            return create ? (snprintf(s->key, sizeof s->key, "%s", key), s) : NULL;
        }
        if (!victim || !s->key[0] || (victim->key[0] && s->last < victim->last))
            victim = s;
    }
    if (!create)
        return NULL;
    memset(victim, 0, sizeof *victim);
    snprintf(victim->key, sizeof victim->key, "%s", key);
    return victim;
}

static int64_t wait_of(slot *s, int64_t now)
{
    return s && s->until > now ? s->until - now : 0;
}

int64_t cv_limit_wait(cv_limit *l, const char *peer, const char *name, int64_t now)
{
    int64_t a = wait_of(find(l, 'p', peer, 0, now), now);
    int64_t b = wait_of(find(l, 'n', name, 0, now), now);
    return a > b ? a : b;
}

static void fail(slot *s, int free_failures, int64_t now)
{
    s->failures++;
    s->last = now;
    if (s->failures <= free_failures)
        return;
    int64_t delay = 1000, cap = CV_LIMIT_MAX_DELAY * 1000;
    for (int i = free_failures + 1; i < s->failures && delay < cap; i++)
        delay *= 2;
    s->until = now + (delay < cap ? delay : cap);
}

void cv_limit_record(cv_limit *l, const char *peer, const char *name, int ok, int64_t now)
{
    if (ok) {
        slot *s = find(l, 'n', name, 0, now);
        if (s)
            memset(s, 0, sizeof *s);
        return;
    }
    fail(find(l, 'p', peer, 1, now), CV_LIMIT_FREE_PEER, now);
    fail(find(l, 'n', name, 1, now), CV_LIMIT_FREE_LOGIN, now);
}
