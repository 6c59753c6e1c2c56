/* reporter.h: the one shape of every reporter plugin. RD_REPORTER(name, format, extension,
 * description, write) defines the descriptor, the entry and a render() that parses and checks
 * the document, calls write(doc, path, err, cap), and reports its error through the host. A
 * reporter file then holds only its format's writer. */
#ifndef REPORTER_H
#define REPORTER_H

#include <convene/plugin.h>
#include <stdio.h>

#include "docread.h"

typedef int (*rd_write_fn)(json_t *doc, const char *path, char *err, size_t cap);

/* The host table and the plugin's context, kept by the entry and init. */
extern const cv_host_api *rd_host;

int rd_init(cv_plugin_ctx *ctx, const cv_host_api *host, void **state);
void rd_fini(void *state);
int rd_render(void *state, const char *doc_json, const char *path, rd_write_fn write);

/* fopen/fclose for writers, with the reason in err. */
FILE *rd_fopen(const char *path, char *err, size_t cap);
int rd_fclose(FILE *f, const char *path, char *err, size_t cap);

#define RD_REPORTER(NAME, FORMAT, EXT, DESC, WRITE)                                                \
    static int render_##WRITE(void *state, const char *doc_json, const char *path)                 \
    {                                                                                              \
        return rd_render(state, doc_json, path, WRITE);                                            \
    }                                                                                              \
    static const cv_plugin_descriptor descriptor = {                                               \
        .abi_version = CV_PLUGIN_ABI_VERSION,                                                      \
        .size = sizeof(cv_plugin_descriptor),                                                      \
        .kinds = CV_PLUGIN_KIND_REPORT,                                                            \
        .name = NAME,                                                                              \
        .version = "1.0.0",                                                                        \
        .description = DESC,                                                                       \
        .init = rd_init,                                                                           \
        .fini = rd_fini,                                                                           \
        .format = FORMAT,                                                                          \
        .extension = EXT,                                                                          \
        .render = render_##WRITE,                                                                  \
    };                                                                                             \
    CV_PLUGIN_EXPORT const cv_plugin_descriptor *convene_plugin_entry(const cv_host_api *h)        \
    {                                                                                              \
        rd_host = h;                                                                               \
        return &descriptor;                                                                        \
    }

#endif
