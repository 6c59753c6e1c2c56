/* producers.c: the report producers `convene report NAME` knows, one line each. Nothing else. */
#include "report/report.h"

#include <string.h>

const cv_report_producer cv_report_producers[] = {
    {"progress", "congresses held, preparing, planned and late in a subtree, per level",
     cv_report_progress},
    {"work-items", "work items by group and subcommittee, with the overdue ones", cv_report_work},
    {"readiness", "one congress's readiness sheet", cv_report_readiness},
    {"documents", "one congress's documents, their status and comment rounds", cv_report_documents},
    {"minutes", "the counting minutes of one election (--arg ID)", cv_report_minutes},
    {NULL, NULL, NULL},
};

const cv_report_producer *cv_report_find(const char *name)
{
    for (const cv_report_producer *p = cv_report_producers; p->name; p++)
        if (strcmp(p->name, name) == 0)
            return p;
    return NULL;
}
