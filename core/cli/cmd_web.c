/* cmd_web.c: `convene web page KIND ORG`, one dashboard page printed as the server renders it
 * (to look at a page, or to time its rendering without a network), in the reader's language. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "web/web.h"

static int page(cv_cli *cli, int argc, char **argv)
{
    const char *lang = NULL;
    cv_opt opts[] = {{"lang", &lang, NULL}, {NULL, NULL, NULL}};
    char *pos[2];
    int npos;
    const char *usage = "web page home|congress|held ORG [--lang vi|en]";
    if (cv_cli_parse(cli, argc, argv, opts, usage, 2, 2, pos, &npos) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s)
        return cli->err.code;
    cv_web_req r = {.store = s, .lang = cv_i18n_lang(lang), .user = "convene", .csrf = ""};
    cv_html h = {0};
    int rc;
    if (strcmp(pos[0], "home") == 0)
        rc = cv_web_home(&r, pos[1], &h, &cli->err);
    else if (strcmp(pos[0], "congress") == 0)
        rc = cv_web_congress(&r, pos[1], &h, &cli->err);
    else if (strcmp(pos[0], "held") == 0)
        rc = cv_web_held_form(&r, pos[1], NULL, &h, &cli->err);
    else
        rc = cv_err_set(&cli->err, CV_EINVAL, "usage: convene %s", usage);
    size_t len = 0;
    char *text = rc == 0 ? cv_html_take(&h, &len) : NULL;
    cv_html_free(&h);
    if (rc == 0 && !text)
        rc = cv_err_set(&cli->err, CV_ENOMEM, "out of memory rendering the page");
    if (text)
        fwrite(text, 1, len, stdout);
    free(text);
    return rc;
}

int cv_cmd_web(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command table[] = {
        {"page", page, "web page home|congress|held ORG [--lang vi|en]"},
        {NULL, NULL, NULL},
    };
    return cv_cli_dispatch(cli, table, "web", argc, argv);
}
