/* import_csv.c: the import-csv plugin: `convene import FILE --as orgs|members|work-items|people`.
 * Reads the whole file, decodes it, checks every row and writes them in one transaction, so an
 * import lands whole or not at all; --dry-run rolls that transaction back. It must never write
 * a row it did not check, and never print anything but the progress bar it was allowed. */
#include <convene/plugin.h>
#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csvread.h"
#include "rows.h"

#define BAR_MIN_BYTES (1024 * 1024)
#define MAX_MB_LIMIT  1048576 /* max_mb: 1 TiB at most, so max_mb x 1 MiB fits in 64 bits */

static const cv_host_api *host;

static const cv_plugin_config_entry config[] = {
    {"max_mb", CV_PLUGIN_CONFIG_INT, "1024", "the largest file imported, in MiB"},
    {NULL, 0, NULL, NULL},
};

struct state {
    cv_plugin_ctx *ctx;
};

/* max_mb is 1 to MAX_MB_LIMIT: checked when an admin sets it and again at start. */
static int check_max_mb(cv_plugin_ctx *ctx, const cv_host_api *h, int64_t mb)
{
    if (mb < 1 || mb > MAX_MB_LIMIT)
        return h->error(ctx, CV_PLUGIN_EINVAL, "max_mb must be 1 to %d (MiB), not %lld",
                        MAX_MB_LIMIT, (long long)mb);
    return 0;
}

static int config_check(cv_plugin_ctx *ctx, const cv_host_api *h, const char *name,
                        const char *value)
{
    return strcmp(name, "max_mb") == 0 ? check_max_mb(ctx, h, strtoll(value, NULL, 10)) : 0;
}

static int init(cv_plugin_ctx *ctx, const cv_host_api *h, void **state)
{
    if (check_max_mb(ctx, h, h->config_int(ctx, "max_mb")) < 0)
        return CV_PLUGIN_EINVAL;
    if (sodium_init() < 0)
        return h->error(ctx, CV_PLUGIN_EFAILED, "libsodium cannot start");
    struct state *s = calloc(1, sizeof *s);
    if (!s)
        return h->error(ctx, CV_PLUGIN_ENOMEM, "out of memory");
    s->ctx = ctx;
    *state = s;
    return 0;
}

static void fini(void *state)
{
    free(state);
}

/* Opens path for reading if it is a regular file within the configured size. */
static int open_file(struct state *s, const char *path, FILE **f, size_t *size, size_t *limit)
{
    struct stat st;
    *limit = (size_t)host->config_int(s->ctx, "max_mb") << 20; /* bounded by init */
    if (!(*f = fopen(path, "rb")))
        return host->error(s->ctx, CV_PLUGIN_ENOTFOUND, "cannot read %s", path);
    if (fstat(fileno(*f), &st) < 0 || !S_ISREG(st.st_mode)) {
        fclose(*f);
        return host->error(s->ctx, CV_PLUGIN_EINVAL, "%s is not a regular file", path);
    }
    if ((size_t)st.st_size > *limit) {
        fclose(*f);
        return host->error(s->ctx, CV_PLUGIN_ELIMIT, "%s is larger than max_mb (%zu MiB)", path,
                           *limit >> 20);
    }
    *size = (size_t)st.st_size;
    return 0;
}

static void progress(void *arg, size_t done, size_t total)
{
    struct importer *im = arg;
    if (!im->req->progress || total < BAR_MIN_BYTES)
        return;
    im->bar = done < total;
    int pct = (int)(done * 100 / total), width = 40, fill = pct * width / 100;
    fprintf(stderr, "\rimporting %s [%.*s%*s] %3d%% %lld rows", im->kind->as, fill,
            "########################################", width - fill, "", pct,
            (long long)im->req->rows);
    if (done == total)
        fputc('\n', stderr);
}

static int on_record(void *arg, int64_t record, const csvr_field *f, int n)
{
    struct importer *im = arg;
    im->record = record;
    if (record == 1) {
        im->ncols = n;
        return rows_header(im, f, n) < 0 ? 1 : 0;
    }
    if (n == 1 && f[0].len == 0)
        return 0;
    im->req->rows++;
    return rows_record(im, f, n) < 0 ? 1 : 0;
}

/* Keeps a one-integer result. */
static int int_row(void *arg, const cv_plugin_value *cols, int n)
{
    if (n == 1 && cols[0].type == CV_PLUGIN_INT)
        *(int64_t *)arg = cols[0].i;
    return 0;
}

/* Checks that the kind's table exists and reads its largest id (rows above it are inserted). */
static int prepare(struct importer *im)
{
    int64_t exists = 0;
    cv_plugin_value t = {CV_PLUGIN_TEXT, 0, im->kind->table};
    if (host->store_exec(im->ctx,
                         "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                         "name = ?1",
                         &t, 1, int_row, &exists) < 0)
        return CV_PLUGIN_ESTORE;
    if (!exists)
        return host->error(im->ctx, CV_PLUGIN_ENOTFOUND,
                           "this store has no %s table yet, so it cannot import %s",
                           im->kind->table, im->kind->as);
    if (host->store_exec(im->ctx, im->kind->max_id_sql, NULL, 0, int_row, &im->max_id) < 0)
        return CV_PLUGIN_ESTORE;
    /* The engine's current term (its rule: the setting, else the term holding today). */
    if (strcmp(im->kind->as, "work-items") == 0 &&
        host->check(im->ctx, "term", "", &im->term_id) < 0)
        return host->error(im->ctx, CV_PLUGIN_EINVAL, "%s: %s", im->req->path,
                           host->last_error(im->ctx));
    return 0;
}

/* Splits the rows changed into inserted (ids above the old largest) and updated. */
static int tally(struct importer *im)
{
    cv_plugin_import *r = im->req;
    cv_plugin_value max = {CV_PLUGIN_INT, im->max_id, NULL};
    if (host->store_exec(im->ctx, im->kind->inserted_sql, &max, 1, int_row, &r->inserted) < 0)
        return CV_PLUGIN_ESTORE;
    r->updated = im->changed - r->inserted;
    r->unchanged = r->rows - im->changed;
    return 0;
}

static int finish(struct importer *im)
{
    cv_plugin_import *r = im->req;
    char data[1400];
    char path[1024];
    size_t j = 0;
    for (const char *p = r->path; *p && j < sizeof path - 2; p++) {
        if (*p == '"' || *p == '\\')
            path[j++] = '\\';
        if ((unsigned char)*p >= 0x20)
            path[j++] = *p;
    }
    path[j] = '\0';
    snprintf(data, sizeof data,
             "{\"file\": \"%s\", \"as\": \"%s\", \"rows\": %lld, \"inserted\": %lld, "
             "\"updated\": %lld, \"unchanged\": %lld}",
             path, im->kind->as, (long long)r->rows, (long long)r->inserted, (long long)r->updated,
             (long long)r->unchanged);
    return host->emit(im->ctx, "import.completed", 0, data);
}

static int run(struct importer *im, FILE *f, size_t size, size_t limit)
{
    char err[300];
    if (prepare(im) < 0 || host->store_begin(im->ctx) < 0)
        return CV_PLUGIN_EFAILED;
    int rc = csvr_read(f, size, limit, im->req->encoding, on_record, progress, im, err, sizeof err);
    if (im->bar)
        fputc('\n', stderr); /* the bar stopped short: the error goes on its own line */
    if (rc < 0)
        host->error(im->ctx, CV_PLUGIN_EINVAL, "%s: %s", im->req->path, err);
    else if (rc == 0 && im->record < 1)
        rc = host->error(im->ctx, CV_PLUGIN_EINVAL, "%s: the file is empty (no header row)",
                         im->req->path);
    if (rc == 0 && (rows_flush(im) < 0 || tally(im) < 0))
        rc = -1;
    if (rc == 0 && !im->req->dry_run && (finish(im) < 0 || host->store_commit(im->ctx) < 0))
        rc = -1;
    if (rc != 0 || im->req->dry_run)
        host->store_rollback(im->ctx);
    return rc == 0 ? 0 : CV_PLUGIN_EINVAL;
}

static int import(void *state, cv_plugin_import *req)
{
    struct state *s = state;
    struct importer im = {.host = host, .ctx = s->ctx, .req = req};
    im.jnl = (journal){.host = host, .ctx = s->ctx, .org_of = rows_org_of, .arg = &im};
    if (!(im.kind = rows_kind(req->as)))
        return host->error(s->ctx, CV_PLUGIN_EINVAL,
                           "--as must be orgs, members, work-items or people, not '%s'", req->as);
    FILE *f = NULL;
    size_t size = 0, limit = 0;
    int rc = open_file(s, req->path, &f, &size, &limit);
    if (rc < 0)
        return rc;
    rc = run(&im, f, size, limit);
    rows_free(&im);
    fclose(f);
    return rc;
}

static const cv_plugin_descriptor descriptor = {
    .abi_version = CV_PLUGIN_ABI_VERSION,
    .size = sizeof(cv_plugin_descriptor),
    .kinds = CV_PLUGIN_KIND_IMPORT,
    .name = "import-csv",
    .version = "1.0.0",
    .description = "CSV files (UTF-8 or Windows-1258) of orgs, members, work items, people",
    .config = config,
    .init = init,
    .fini = fini,
    .import_format = "csv",
    .import = import,
    .config_check = config_check,
};

CV_PLUGIN_EXPORT const cv_plugin_descriptor *convene_plugin_entry(const cv_host_api *h)
{
    if (!CV_HOST_HAS(h, journal)) /* 1.3: rows journaled as the account importing */
        return NULL;
    host = h;
    return &descriptor;
}
