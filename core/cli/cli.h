/* cli.h: the admin command line. One table of commands; each command parses its options from a
 * declarative list (cv_opt), opens the store through cv_cli_store, and prints through
 * cv_cli_print so that every command has the same human and --json forms. Commands return 0 or a
 * CV_E* code with cli->err set; main turns that into one line on stderr and a sysexits status. */
#ifndef CV_CLI_H
#define CV_CLI_H

#include <jansson.h>
#include <stdio.h>

#include "base/error.h"
#include "store/store.h"

typedef struct cv_cli {
    const char *db_path; /* --db, else $CONVENE_DB, else ./convene.db */
    const char *now;     /* --now, else $CONVENE_NOW */
    int json;            /* --json */
    const char *as;      /* --as, else $CONVENE_ACCOUNT: the account to act as */
    const char *command; /* the command group run ("org"), for the permission of groups not yet
                            mapped onto operations */
    cv_store *store;     /* opened on first use, closed by main */
    cv_actor actor;      /* who the command acts as, found when the store opens */
    cv_err err;
} cv_cli;

typedef int (*cv_cli_fn)(cv_cli *cli, int argc, char **argv);

typedef struct cv_cli_command {
    const char *name;
    cv_cli_fn run;
    const char *usage; /* "org add CODE NAME --level L [--parent P] ..." */
} cv_cli_command;

/* One option of a command: --name VALUE stores into *value; a flag (value NULL) sets *flag. */
typedef struct cv_opt {
    const char *name;
    const char **value;
    int *flag;
} cv_opt;

/* Parses argv (argv[0] is the command's name) against opts plus the global options (--db,
 * --json, --now), leaving the positional arguments in pos[0..*npos). Refuses unknown options and
 * a positional count outside [min_pos, max_pos] with the command's usage line. */
int cv_cli_parse(cv_cli *cli, int argc, char **argv, const cv_opt *opts, const char *usage,
                 int min_pos, int max_pos, char **pos, int *npos);

/* Runs the entry of table named argv[1] with argv+1; usage lists the table. */
int cv_cli_dispatch(cv_cli *cli, const cv_cli_command *table, const char *group, int argc,
                    char **argv);

/* The store, opened (and migrated) on first use; applies the store's demo clock if the command
 * line did not fix one. NULL on error with cli->err set. */
cv_store *cv_cli_store(cv_cli *cli);

/* Finds who the command acts as (cli->actor) on the open store: --as NAME or $CONVENE_ACCOUNT,
 * else the account mapped to the Unix user running it, else, while the store has no admin yet,
 * its owner as the bootstrap admin. Only the store file's owner (or root) may name another
 * account than its own. Refusals are CV_EPERM. */
int cv_cli_identify(cv_cli *cli);

/* Runs operation op with args (stolen) as cli->actor; *result receives the answer. */
int cv_cli_op(cv_cli *cli, const char *op, json_t *args, json_t **result);

/* Runs op with args (stolen) and prints its answer through human (NULL: nothing but --json). */
int cv_cli_op_print(cv_cli *cli, const char *op, json_t *args, void (*human)(json_t *j, FILE *out));

/* Puts each given (not NULL) values[i] into args (returned) as the text named names[i]. */
json_t *cv_cli_texts(json_t *args, const char *const *names, const char *const *values, int n);

/* Reads a password from path ("-": standard input), else from the terminal with echo off, and
 * puts it into args as "password". */
int cv_cli_read_password(cv_cli *cli, const char *path, json_t *args);

/* Renders a report document (core/report) with the enabled reporter plugin of format into
 * output, or to stdout when output is NULL. */
int cv_cli_render(cv_cli *cli, cv_store *s, json_t *doc, const char *format, const char *output);

/* Prints j (stolen) as JSON with --json, else through human(j, stdout). */
int cv_cli_print(cv_cli *cli, json_t *j, void (*human)(json_t *j, FILE *out));

/* Reads a count option ("--budget 1500000") into *out when given; -1 stays otherwise. */
int cv_cli_count(cv_cli *cli, const char *value, const char *what, int64_t *out);

/* Reads "yes"/"no" into *out (1/0) when given. */
int cv_cli_yes_no(cv_cli *cli, const char *value, const char *what, int *out);

/* Prints s left-aligned in width columns, counting UTF-8 characters rather than bytes, so that
 * Vietnamese names line up in human output. */
void cv_cli_pad(FILE *out, const char *s, int width);

/* Applies --now / $CONVENE_NOW to the clock; refuses an empty --now or --db. */
int cv_cli_apply_clock(cv_cli *cli);

/* The command groups, each in its own file. */
int cv_cmd_init(cv_cli *cli, int argc, char **argv);
int cv_cmd_org(cv_cli *cli, int argc, char **argv);
int cv_cmd_term(cv_cli *cli, int argc, char **argv);
int cv_cmd_clock(cv_cli *cli, int argc, char **argv);
int cv_cmd_journal(cv_cli *cli, int argc, char **argv);
int cv_cmd_congress(cv_cli *cli, int argc, char **argv);
int cv_cmd_subcommittee(cv_cli *cli, int argc, char **argv);
int cv_cmd_work(cv_cli *cli, int argc, char **argv);
int cv_cmd_status(cv_cli *cli, int argc, char **argv);
int cv_cmd_check(cv_cli *cli, int argc, char **argv);
int cv_cmd_web(cv_cli *cli, int argc, char **argv);
int cv_cmd_run(cv_cli *cli, int argc, char **argv);
int cv_cmd_jobs(cv_cli *cli, int argc, char **argv);
int cv_cmd_contact(cv_cli *cli, int argc, char **argv);
int cv_cmd_holiday(cv_cli *cli, int argc, char **argv);
int cv_cmd_notify(cv_cli *cli, int argc, char **argv);
int cv_cmd_outbox(cv_cli *cli, int argc, char **argv);
int cv_cmd_person(cv_cli *cli, int argc, char **argv);
int cv_cmd_scheme(cv_cli *cli, int argc, char **argv);
int cv_cmd_election(cv_cli *cli, int argc, char **argv);
int cv_cmd_allocate(cv_cli *cli, int argc, char **argv);
int cv_cmd_complaint(cv_cli *cli, int argc, char **argv);
int cv_cmd_plugin(cv_cli *cli, int argc, char **argv);
int cv_cmd_doc(cv_cli *cli, int argc, char **argv);
int cv_cmd_round(cv_cli *cli, int argc, char **argv);
int cv_cmd_plan(cv_cli *cli, int argc, char **argv);
int cv_cmd_scenario(cv_cli *cli, int argc, char **argv);
int cv_cmd_meeting(cv_cli *cli, int argc, char **argv);
int cv_cmd_inspection(cv_cli *cli, int argc, char **argv);
int cv_cmd_script(cv_cli *cli, int argc, char **argv);
int cv_cmd_import(cv_cli *cli, int argc, char **argv);
int cv_cmd_report(cv_cli *cli, int argc, char **argv);
int cv_cmd_backup(cv_cli *cli, int argc, char **argv);
int cv_cmd_restore(cv_cli *cli, int argc, char **argv);
int cv_cmd_check(cv_cli *cli, int argc, char **argv);
int cv_cmd_store(cv_cli *cli, int argc, char **argv);
int cv_cmd_account(cv_cli *cli, int argc, char **argv);
int cv_cmd_grant(cv_cli *cli, int argc, char **argv);
int cv_cmd_audit(cv_cli *cli, int argc, char **argv);
int cv_cmd_ops(cv_cli *cli, int argc, char **argv);

#endif
