/* fuzz_journal.c: libFuzzer target for import-csv's journal (plugins/import-csv/journal.c), the
 * JSON text of the rows an import adds and changes. While the store's checks stand aside
 * (store_trust_checks) the plugin vouches for that text, so every event it hands the host must
 * be what the events table's CHECK asks: json_valid, by the store's own SQLite. The input is cut
 * at NUL bytes into rows of values (any bytes but NUL, as a CSV cell may hold after its checks,
 * and more), with new rows journaled in batches and every fourth row as a change. */
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"

static sqlite3 *db;
static sqlite3_stmt *valid;

static int host_journal(cv_plugin_ctx *ctx, const char *type, int64_t org_id, const char *data)
{
    (void)ctx, (void)type, (void)org_id;
    sqlite3_bind_text(valid, 1, data, -1, SQLITE_STATIC);
    if (sqlite3_step(valid) != SQLITE_ROW || sqlite3_column_int(valid, 0) != 1)
        abort(); /* the journal wrote text the store would refuse */
    sqlite3_reset(valid);
    return 0;
}

static int host_error(cv_plugin_ctx *ctx, int code, const char *fmt, ...)
{
    (void)ctx, (void)fmt;
    return code;
}

static int64_t org_of(void *arg, const char *code)
{
    (void)arg;
    return (int64_t)strlen(code);
}

static const char *const columns[] = {"code", "name", "born", "org", "members", NULL};
static const journal_kind kind = {"person", columns};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static cv_host_api host;
    if (!db) {
        if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
            sqlite3_prepare_v2(db, "SELECT json_valid(?1)", -1, &valid, NULL) != SQLITE_OK)
            abort();
        host.journal = host_journal;
        host.error = host_error;
    }
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    journal j = {.host = &host, .org_of = org_of};
    char *cell = text, *end = text + size;
    for (int row = 0; cell <= end && row < 64; row++) {
        cv_plugin_value v[5];
        for (int i = 0; i < 5; i++) {
            v[i] = i == 4 ? (cv_plugin_value){CV_PLUGIN_INT, (int64_t)row * 7919 - 3, NULL}
                          : (cv_plugin_value){CV_PLUGIN_TEXT, 0, cell <= end ? cell : NULL};
            if (i < 4 && cell <= end)
                cell += strlen(cell) + 1;
        }
        const char *path = row % 3 ? "/P01/D001/" : "/P01/";
        if (row % 4 == 3)
            journal_updated(&j, "person.updated", 1, v[0].s ? v[0].s : "", "{\"a\":1}",
                            "{\"a\":2}");
        else
            journal_added(&j, &kind, v, path);
    }
    journal_flush(&j);
    journal_free(&j);
    free(text);
    return 0;
}
