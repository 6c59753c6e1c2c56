/* congress_page.c: one congress: its status, dates, kind and pilot flags, its work items by
 * group and subcommittee, its documents with their comment rounds and who has not answered, then
 * the later sections (congress_parts.c); and the secretary's form "our congress was held". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"

#include "base/text.h"
#include "domain/congress.h"
#include "domain/work.h"
#include "i18n/collate.h"
#include "web/congress.h"

static void facts(const cv_web_req *r, const cv_congress *c, cv_html *h)
{
    char d1[32], d2[32], n[32];
    cv_html_put(h, "<dl class=\"facts card\"><dt>{}</dt><dd>", _("Status"));
    cv_page_status(r, c->status, h);
    cv_html_put(h, "</dd><dt>{}</dt><dd>{}</dd>", _("Kind"),
                strcmp(c->kind, "delegates") == 0 ? _("Delegates' congress")
                                                  : _("All-members congress"));
    if (c->planned_start[0])
        cv_html_put(h, "<dt>{}</dt><dd>{} – {}</dd>", _("Planned"),
                    cv_page_date(r, c->planned_start, d1),
                    cv_page_date(r, c->planned_end[0] ? c->planned_end : c->planned_start, d2));
    if (c->actual_start[0])
        cv_html_put(h, "<dt>{}</dt><dd>{} – {}</dd>", _("Held"),
                    cv_page_date(r, c->actual_start, d1),
                    cv_page_date(r, c->actual_end[0] ? c->actual_end : c->actual_start, d2));
    cv_html_put(h, "<dt>{}</dt><dd>{}</dd>", _("Pilot congress"), c->pilot ? _("Yes") : _("No"));
    cv_html_put(h, "<dt>{}</dt><dd>{}</dd>", _("Pilot of directly electing the secretary"),
                c->direct_secretary ? _("Yes") : _("No"));
    if (c->delegates_summoned >= 0)
        cv_html_put(h, "<dt>{}</dt><dd>{}</dd>", _("Summoned"),
                    cv_page_num(r, (double)c->delegates_summoned, 0, n));
    if (c->delegates_present >= 0)
        cv_html_put(h, "<dt>{}</dt><dd>{}</dd>", _("Present"),
                    cv_page_num(r, (double)c->delegates_present, 0, n));
    cv_html_raw(h, "</dl>\n");
}

#define ITEMS_MAX 2000 /* work items a congress page lists */

struct items {
    cv_work_item *list;
    size_t n, cap;
};

/* Keeps the items, up to ITEMS_MAX. */
static int keep_item(const cv_work_item *w, void *ctx)
{
    struct items *it = ctx;
    if (it->n == ITEMS_MAX)
        return 0;
    if (it->n == it->cap) {
        size_t cap = it->cap ? it->cap * 2 : 64;
        cv_work_item *l = realloc(it->list, cap * sizeof *l);
        if (!l)
            return CV_ENOMEM;
        it->list = l;
        it->cap = cap;
    }
    it->list[it->n++] = *w;
    return 0;
}

/* By group in Vietnamese order, then subcommittee, then by due date (undated last), then by
 * id. */
static int by_group(const void *pa, const void *pb)
{
    const cv_work_item *a = pa, *b = pb;
    int c = cv_collate_cmp(a->group, b->group);
    if (c == 0)
        c = strcmp(a->subcommittee, b->subcommittee);
    if (c == 0)
        c = strcmp(a->due[0] ? a->due : "9999", b->due[0] ? b->due : "9999");
    return c ? c : (a->id > b->id) - (a->id < b->id);
}

static void item_row(const cv_web_req *r, const cv_congress *c, const cv_work_item *w,
                     const char *today, cv_html *h)
{
    char d[32], b[32], id[24];
    int done = strcmp(w->status, "done") == 0;
    int overdue = !done && w->due[0] && strcmp(w->due, today) < 0;
    snprintf(id, sizeof id, "%lld", (long long)w->id);
    cv_html_put(h,
                "<tr><td id=\"work-{}\">{}</td><td>{}{}{}</td><td>{}</td><td class=\"num\">{}"
                "</td><td>",
                id, w->title, w->unit, w->person[0] ? ", " : "", w->person,
                w->due[0] ? cv_page_date(r, w->due, d) : "",
                cv_page_num(r, (double)w->budget, 0, b));
    cv_page_status(r, done ? "done" : overdue ? "overdue" : "open", h);
    cv_html_raw(h, "</td><td class=\"no-print\">");
    cv_web_work_actions(r, c, w->id, done, h);
    cv_html_raw(h, "</td></tr>\n");
}

/* The header row of a group of work, with its subcommittee when it has one. */
static void group_row(const cv_web_req *r, const cv_work_item *w, cv_html *h)
{
    cv_html_put(h, "<tr class=\"group\"><th colspan=\"6\" scope=\"colgroup\">{}", w->group);
    if (w->subcommittee[0])
        cv_html_put(h, " · {} {}", _("Subcommittee"), w->subcommittee);
    cv_html_raw(h, "</th></tr>\n");
}

static int work(const cv_web_req *r, const cv_congress *c, cv_html *h, cv_err *e)
{
    struct items it = {0};
    cv_work_filter f = {.org = c->org_code, .term = c->term, .own_only = 1};
    char today[11];
    cv_err_clear(e);
    if (cv_work_list(r->store, &f, keep_item, &it, e) < 0) {
        free(it.list);
        return e->code ? e->code : cv_err_set(e, CV_ENOMEM, "out of memory listing work items");
    }
    if (it.n > 1)
        qsort(it.list, it.n, sizeof *it.list, by_group);
    cv_clock_today(today);
    cv_html_put(
        h,
        "<section class=\"card\" aria-labelledby=\"work\"><h2 id=\"work\">{}</h2>\n"
        "<table class=\"work\"><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th>"
        "<th scope=\"col\">{}</th><th scope=\"col\" class=\"num\">{}</th>"
        "<th scope=\"col\">{}</th><th scope=\"col\" class=\"no-print\">{}</th></tr>"
        "</thead><tbody>\n",
        _("Work items"), _("Work item"), _("Responsible"), _("Due"), _("Budget (VND)"), _("Status"),
        _("Actions"));
    for (size_t i = 0; i < it.n; i++) {
        if (i == 0 || strcmp(it.list[i].group, it.list[i - 1].group) != 0 ||
            strcmp(it.list[i].subcommittee, it.list[i - 1].subcommittee) != 0)
            group_row(r, &it.list[i], h);
        item_row(r, c, &it.list[i], today, h);
    }
    cv_html_raw(h, "</tbody></table>\n");
    if (it.n == 0)
        cv_html_put(h, "<p class=\"none\">{}</p>", _("No work item yet."));
    cv_html_raw(h, "</section>\n");
    free(it.list);
    return 0;
}

int cv_web_congress(const cv_web_req *r, const char *org, cv_html *h, cv_err *e)
{
    cv_congress c;
    char roman[16], title[CV_NAME_MAX + 64];
    if (cv_congress_get(r->store, org, NULL, &c, e) < 0)
        return e->code;
    cv_text_roman(c.ordinal, roman);
    cv_i18n_fmt(title, sizeof title, _("Congress %s of %s"), roman, c.org_name);
    cv_page_begin(r, title, 1, h);
    cv_html_put(h,
                "<p class=\"actions no-print\"><a href=\"/org/{}\">{}</a> "
                "<a href=\"/api/v1/reports/readiness/{}?format=xlsx\">{}</a>",
                c.org_code, _("Progress of its subtree"), c.org_code, _("Readiness sheet (XLSX)"));
    cv_web_congress_actions(r, &c, h);
    cv_html_raw(h, "</p>\n");
    facts(r, &c, h);
    if (work(r, &c, h, e) < 0 || cv_web_rounds_to_answer(r, &c, h, e) < 0)
        return e->code;
    cv_web_documents(r, &c, h);
    cv_web_meetings(r, &c, h);
    cv_web_elections(r, &c, h);
    cv_web_scheme(r, &c, h);
    cv_web_scenarios(r, &c, h);
    if (cv_web_phases(r, &c, h, e) < 0)
        return e->code;
    cv_page_end(r, h);
    return 0;
}

/* One labelled input, with the value typed and the refusal that concerns it. */
static void input(const cv_web_req *r, const cv_web_form *f, const char *name, const char *label,
                  const char *type, const char *value, cv_html *h)
{
    int refused = f && f->error_field && strcmp(f->error_field, name) == 0;
    cv_html_put(h,
                "<div class=\"field\"><label for=\"{}\">{}</label><input id=\"{}\" name=\"{}\" "
                "type=\"{}\" value=\"{}\"",
                name, label, name, name, type, value);
    if (strcmp(type, "number") == 0)
        cv_html_raw(h, " min=\"0\" max=\"1000000\" inputmode=\"numeric\"");
    if (refused)
        cv_html_put(h, " aria-invalid=\"true\" aria-describedby=\"{}-error\"", name);
    cv_html_raw(h, ">");
    cv_page_field_error(r, f, name, h);
    cv_html_raw(h, "</div>\n");
}

int cv_web_held_form(const cv_web_req *r, const char *org, const cv_web_form *f, cv_html *h,
                     cv_err *e)
{
    cv_congress c;
    char roman[16], title[CV_NAME_MAX + 64], sn[24] = "", pn[24] = "";
    if (cv_congress_get(r->store, org, NULL, &c, e) < 0)
        return e->code;
    cv_text_roman(c.ordinal, roman);
    cv_i18n_fmt(title, sizeof title, _("Congress %s of %s was held"), roman, c.org_name);
    if (c.delegates_summoned >= 0)
        snprintf(sn, sizeof sn, "%lld", (long long)c.delegates_summoned);
    if (c.delegates_present >= 0)
        snprintf(pn, sizeof pn, "%lld", (long long)c.delegates_present);
    cv_page_begin(r, title, 0, h);
    if (f && f->error && !f->error_field)
        cv_html_put(h, "<p class=\"error\" role=\"alert\">{}</p>\n", f->error);
    cv_html_put(h,
                "<form method=\"post\" action=\"/congress/{}/held\" class=\"card narrow\" "
                "novalidate data-check=\"held\">\n<input type=\"hidden\" name=\"csrf\" "
                "value=\"{}\">\n",
                c.org_code, r->csrf);
    input(r, f, "start", _("First day (dd/mm/yyyy or yyyy-mm-dd)"), "text",
          f ? cv_web_form_get(f, "start") : c.actual_start, h);
    input(r, f, "end", _("Last day (empty: one day)"), "text",
          f ? cv_web_form_get(f, "end") : c.actual_end, h);
    input(r, f, "summoned", _("Summoned"), "number", f ? cv_web_form_get(f, "summoned") : sn, h);
    input(r, f, "present", _("Present"), "number", f ? cv_web_form_get(f, "present") : pn, h);
    cv_html_put(h,
                "<p><button type=\"submit\">{}</button> <a href=\"/congress/{}\">{}</a></p>\n"
                "</form>\n",
                _("Report the congress held"), c.org_code, _("Cancel"));
    cv_page_end(r, h);
    return 0;
}
