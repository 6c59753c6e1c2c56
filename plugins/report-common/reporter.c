/* reporter.c: the part every reporter plugin shares (see reporter.h). It never formats. */
#include "reporter.h"

#include <errno.h>
#include <string.h>

const cv_host_api *rd_host;

int rd_init(cv_plugin_ctx *ctx, const cv_host_api *host, void **state)
{
    (void)host;
    *state = ctx;
    return 0;
}

void rd_fini(void *state)
{
    (void)state;
}

int rd_render(void *state, const char *doc_json, const char *path, rd_write_fn write)
{
    cv_plugin_ctx *ctx = state;
    char err[400] = "";
    json_t *doc = rd_parse(doc_json, err, sizeof err);
    if (!doc)
        return rd_host->error(ctx, CV_PLUGIN_EINVAL, "%s", err);
    int rc = write(doc, path, err, sizeof err);
    json_decref(doc);
    return rc < 0 ? rd_host->error(ctx, CV_PLUGIN_EIO, "%s", err) : 0;
}

FILE *rd_fopen(const char *path, char *err, size_t cap)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        snprintf(err, cap, "cannot write %s: %s", path, strerror(errno));
    return f;
}

int rd_fclose(FILE *f, const char *path, char *err, size_t cap)
{
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        snprintf(err, cap, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}
