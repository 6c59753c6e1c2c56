/* main.c: the `convene` executable. Reads the global options, runs one command, prints its
 * error as one line on stderr and exits with the sysexits(3) status of that error. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "i18n/i18n.h"
#include "store/store.h"

#define CONVENE_VERSION "0.1.0"

static const cv_cli_command commands[] = {
    {"init", cv_cmd_init, "init"},
    {"org", cv_cmd_org, "org add|set|move|show|tree ..."},
    {"term", cv_cmd_term, "term show|use|window ..."},
    {"congress", cv_cmd_congress, "congress plan|set|prepare|held|show ..."},
    {"subcommittee", cv_cmd_subcommittee, "subcommittee add ORG CODE NAME [--term T]"},
    {"work", cv_cmd_work, "work add|assign|done|list ..."},
    {"status", cv_cmd_status, "status [ORG]"},
    {"check", cv_cmd_check, "check rollups [ORG]"},
    {"journal", cv_cmd_journal, "journal [--after ID] [--type TYPE] [--limit N]"},
    {"clock", cv_cmd_clock, "clock [set TIME|real]"},
    {"script", cv_cmd_script, "script add|list|status|check|test|reload|resume|limits ..."},
    {"run", cv_cmd_run, "run [--listen HOST:PORT|unix:PATH] ..."},
    {"jobs", cv_cmd_jobs, "jobs list|set|pause|resume|run-now|zone|simulate ..."},
    {"contact", cv_cmd_contact, "contact add|list|remove NAME ..."},
    {"holiday", cv_cmd_holiday, "holiday add|list|remove ..."},
    {"notify", cv_cmd_notify, "notify ADDRESS --channel C --subject S --body B | notify config"},
    {"outbox", cv_cmd_outbox, "outbox list [--state S] | outbox retry ID"},
    {"person", cv_cmd_person, "person add|set|show|list ..."},
    {"scheme", cv_cmd_scheme, "scheme seats|target|contents|appoint|show|check ORG ..."},
    {"election", cv_cmd_election,
     "election create|open|candidates|attendance|tally|count|announce|approve|correct|round|"
     "show|list|minutes ..."},
    {"allocate", cv_cmd_allocate, "allocate ORG --total N [--ex-officio N] [--minimum N]"},
    {"complaint", cv_cmd_complaint, "complaint add|list|settle ..."},
    {"plugin", cv_cmd_plugin, "plugin list|enable|disable|config|info ..."},
    {"doc", cv_cmd_doc, "doc add|version|get|status|show|list ..."},
    {"round", cv_cmd_round, "round open|respond|close|show|list ..."},
    {"plan", cv_cmd_plan, "plan add|list|show|cite ..."},
    {"scenario", cv_cmd_scenario, "scenario add|use|assign|show ..."},
    {"meeting", cv_cmd_meeting, "meeting add|agenda|conclude|list ..."},
    {"inspection", cv_cmd_inspection, "inspection add|request|list ..."},
    {"report", cv_cmd_report, "report NAME [ORG] [--format F] [--output FILE] | report list"},
    {"check", cv_cmd_check, "check [store]"},
    {"store", cv_cmd_store, "store limit [MB|none]"},
    {"import", cv_cmd_import, "import FILE --as orgs|members|work-items|people [--dry-run] ..."},
    {"backup", cv_cmd_backup, "backup DEST | backup verify FILE | backup config [--dir D] ..."},
    {"restore", cv_cmd_restore, "restore SRC"},
    {"account", cv_cmd_account, "account add|set|disable|list|show|passwd|token ..."},
    {"grant", cv_cmd_grant, "grant add|end|list ..."},
    {"ops", cv_cmd_ops, "ops [matrix]"},
    {"audit", cv_cmd_audit,
     "audit [--org O] [--actor A] [--since T] [--type T] [--format csv|xlsx --output F]"},
    {"web", cv_cmd_web, "web page home|congress|held ORG [--lang vi|en]"},
    {NULL, NULL, NULL},
};

static void usage(FILE *out)
{
    fprintf(out,
            "convene %s: prepare and hold the congresses of a party organisation tree\n\n"
            "usage: convene [--db PATH] [--json] [--now TIME] [--as ACCOUNT] COMMAND "
            "...\n\ncommands:\n",
            CONVENE_VERSION);
    for (const cv_cli_command *c = commands; c->name; c++)
        fprintf(out, "  convene %s\n", c->usage);
    fprintf(out, "\nThe store is --db PATH, else $CONVENE_DB, else ./convene.db. See README.md.\n");
}

/* Takes the global options that stand before the command; returns the command's index. */
static int global_options(cv_cli *cli, int argc, char **argv)
{
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--json") == 0)
            cli->json = 1;
        else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
            cli->db_path = argv[++i];
        else if (strcmp(argv[i], "--now") == 0 && i + 1 < argc)
            cli->now = argv[++i];
        else if (strcmp(argv[i], "--as") == 0 && i + 1 < argc)
            cli->as = argv[++i];
        else
            break;
    }
    return i;
}

int main(int argc, char **argv)
{
    /* A reader of stderr (or of a report on stdout) that went away must not kill the process:
     * writes then fail with EPIPE, which is handled where it matters. */
    signal(SIGPIPE, SIG_IGN);
    cv_cli cli = {0};
    int first = global_options(&cli, argc, argv);
    if (first >= argc || strcmp(argv[first], "help") == 0 || strcmp(argv[first], "--help") == 0) {
        usage(stdout);
        return first >= argc ? 64 : 0;
    }
    if (strcmp(argv[first], "version") == 0 || strcmp(argv[first], "--version") == 0) {
        printf("convene %s (store schema %d)\n", CONVENE_VERSION, cv_store_schema_version());
        return 0;
    }
    cv_err ignored; /* without its catalogue the CLI speaks English, the catalogue's ids */
    if (cv_i18n_load(NULL, &ignored) == 0)
        cv_i18n_use(cv_i18n_env_lang()); /* refusals in the locale's language */
    cli.command = argv[first];
    int rc = cv_cli_dispatch(&cli, commands, "", argc - first + 1, argv + first - 1);
    cv_store_close(cli.store);
    cv_i18n_unload();
    if (rc < 0) {
        fprintf(stderr, "convene: %s\n", cli.err.msg[0] ? cli.err.msg : cv_strerror(rc));
        return cv_err_exit_status(rc);
    }
    return 0;
}
