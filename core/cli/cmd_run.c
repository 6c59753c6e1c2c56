/* cmd_run.c: `convene run`, the daemon. */
#include "cli/cli.h"
#include "daemon/daemon.h"

int cv_cmd_run(cv_cli *cli, int argc, char **argv)
{
    const char *poll = NULL;
    cv_opt opts[] = {{"poll-ms", &poll, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    int64_t poll_ms = 200;
    if (cv_cli_parse(cli, argc, argv, opts, "run [--poll-ms N]", 0, 0, pos, &npos) < 0 ||
        cv_cli_count(cli, poll, "--poll-ms", &poll_ms) < 0)
        return cli->err.code;
    if (poll_ms < 1 || poll_ms > 60000)
        return cv_err_set(&cli->err, CV_EINVAL, "--poll-ms must be between 1 and 60000");
    cv_daemon_options opt = {.db_path = cv_store_default_path(cli->db_path),
                             .poll_ms = (int)poll_ms,
                             .clock_given = cli->now != NULL};
    return cv_daemon_run(&opt, &cli->err);
}
