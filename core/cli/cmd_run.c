/* cmd_run.c: `convene run`, the daemon. The HTTP options (--listen, the bounds) are the
 * server's settings; given here they win over the store's settings table. */
#include "cli/cli.h"
#include "daemon/daemon.h"
#include "http/server.h"

#define HTTP_OPTIONS 8

int cv_cmd_run(cv_cli *cli, int argc, char **argv)
{
    const char *poll = NULL, *vals[HTTP_OPTIONS] = {0}, *settings[2 * HTTP_OPTIONS + 1] = {0};
    cv_opt opts[HTTP_OPTIONS + 2] = {{"poll-ms", &poll, NULL}};
    int n = 0;
    for (; cv_http_settings[n].key && n < HTTP_OPTIONS; n++)
        opts[n + 1] = (cv_opt){cv_http_settings[n].option, &vals[n], NULL};
    char *pos[1];
    int npos, ns = 0;
    int64_t poll_ms = 200;
    if (cv_cli_parse(cli, argc, argv, opts,
                     "run [--poll-ms N] [--listen HOST:PORT|unix:PATH] [--max-connections N] "
                     "[--max-per-ip N] [--header-timeout S] [--request-timeout S] "
                     "[--idle-timeout S] [--header-bytes N] [--request-deadline-ms MS]",
                     0, 0, pos, &npos) < 0 ||
        cv_cli_count(cli, poll, "--poll-ms", &poll_ms) < 0)
        return cli->err.code;
    if (poll_ms < 1 || poll_ms > 60000)
        return cv_err_set(&cli->err, CV_EINVAL, "--poll-ms must be between 1 and 60000");
    for (int i = 0; i < n; i++)
        if (vals[i]) {
            settings[ns++] = cv_http_settings[i].key;
            settings[ns++] = vals[i];
        }
    cv_daemon_options opt = {.db_path = cv_store_default_path(cli->db_path),
                             .poll_ms = (int)poll_ms,
                             .clock_given = cli->now != NULL,
                             .settings = settings};
    return cv_daemon_run(&opt, &cli->err);
}
