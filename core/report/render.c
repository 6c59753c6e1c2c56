/* render.c: a report document rendered to a file through the enabled reporter plugin of a
 * format. The one path every front end (the CLI, the HTTP API) uses; it never formats itself. */
#include <stdlib.h>

#include "plugin/loader.h"
#include "report/report.h"

int cv_report_render(cv_store *s, json_t *doc, const char *format, const char *path, cv_err *e)
{
    cv_plugin *p = NULL;
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!text)
        return cv_err_set(e, CV_ENOMEM, "out of memory rendering the report");
    int rc = cv_plugin_load_for(s, NULL, CV_PLUGIN_KIND_REPORT, format, &p, e);
    if (rc == 0)
        rc = cv_plugin_render(p, text, path, e);
    cv_plugin_close(p);
    free(text);
    return rc;
}
