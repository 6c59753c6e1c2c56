/* contact.c: the contacts table. Owns its rows; it never sends anything (the outbox does). */
#include "sched/contact.h"

#include <string.h>

#include "base/text.h"
#include "store/journal.h"
#include "store/outbox.h"

static int check(const char *name, const char *channel, const char *address, char nfc[], cv_err *e)
{
    if (cv_text_nfc(name, nfc, CV_NAME_MAX, "contact name", e) < 0 ||
        cv_outbox_check_address(channel, address, e) < 0)
        return e->code;
    return 0;
}

static int change(cv_store *s, const char *sql, const char *event, const char *name,
                  const char *channel, const char *address, cv_err *e)
{
    char nfc[CV_NAME_MAX];
    sqlite3_stmt *st;
    if (check(name, channel, address, nfc, e) < 0 || cv_store_require_tx(s, event, e) < 0)
        return e->code;
    if (!(st = cv_store_prepare(s, sql, e)))
        return e->code;
    sqlite3_bind_text(st, 1, nfc, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, channel, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, address, -1, SQLITE_STATIC);
    if (cv_store_exec(s, st, e) < 0)
        return e->code;
    if (sqlite3_changes(cv_store_db(s)) == 0)
        return cv_err_set(e, strcmp(event, "contact.added") ? CV_ENOTFOUND : CV_ECONFLICT,
                          "%s %s %s %s", nfc, channel, address,
                          strcmp(event, "contact.added") ? "is not a contact"
                                                         : "is already a contact");
    if (cv_journal_emit(
            s, event, 0,
            json_pack("{s:s, s:s, s:s}", "name", nfc, "channel", channel, "address", address), NULL,
            e) < 0)
        return e->code;
    return 0;
}

int cv_contact_add(cv_store *s, const char *name, const char *channel, const char *address,
                   cv_err *e)
{
    return change(s,
                  "INSERT INTO contacts(name, channel, address) VALUES (?1, ?2, ?3) "
                  "ON CONFLICT DO NOTHING",
                  "contact.added", name, channel, address, e);
}

int cv_contact_remove(cv_store *s, const char *name, const char *channel, const char *address,
                      cv_err *e)
{
    return change(s, "DELETE FROM contacts WHERE name = ?1 AND channel = ?2 AND address = ?3",
                  "contact.removed", name, channel, address, e);
}

int cv_contact_list(cv_store *s, const char *name, json_t **out, cv_err *e)
{
    char nfc[CV_NAME_MAX] = "";
    if (name && cv_text_nfc(name, nfc, sizeof nfc, "contact name", e) < 0)
        return e->code;
    sqlite3_stmt *st = cv_store_prepare(s,
                                        "SELECT name, channel, address FROM contacts "
                                        "WHERE ?1 IS NULL OR name = ?1 ORDER BY 1, 2, 3",
                                        e);
    if (!st)
        return e->code;
    if (name)
        sqlite3_bind_text(st, 1, nfc, -1, SQLITE_STATIC);
    json_t *a = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "name", sqlite3_column_text(st, 0),
                                           "channel", sqlite3_column_text(st, 1), "address",
                                           sqlite3_column_text(st, 2)));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(a);
        return cv_store_fail(s, "reading contacts", e);
    }
    *out = a;
    return 0;
}

int cv_contact_resolve(cv_store *s, const char *name, cv_contact_visit visit, void *ctx, cv_err *e)
{
    json_t *a;
    if (cv_contact_list(s, name, &a, e) < 0)
        return e->code;
    size_t i;
    json_t *c;
    int rc = 0;
    json_array_foreach(a, i, c)
    {
        rc = visit(json_string_value(json_object_get(c, "channel")),
                   json_string_value(json_object_get(c, "address")), ctx, e);
        if (rc < 0)
            break;
    }
    if (rc == 0 && json_array_size(a) == 0)
        rc = visit("log", name, ctx, e);
    json_decref(a);
    return rc;
}
