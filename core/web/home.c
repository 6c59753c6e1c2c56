/* home.c: the home page of a scope, "how many have held theirs, which are late, which work
 * items are overdue", with a bar per level and per child organisation that drills down. */
#include <string.h>

#include "base/json.h"
#include "domain/org.h"
#include "web/congress.h"
#include "web/chart.h"
#include "web/page.h"
#include "web/scope.h"

/* The link to plan code's congress, for a reader who may (congress.plan); an organisation with
 * no congress in the term has no congress page to find the form on. */
static void plan_link(const cv_web_req *r, const char *code, cv_html *h)
{
    cv_org o;
    cv_err e;
    if (cv_org_get(r->store, code, &o, &e) == 0 && cv_web_may(r, "congress.plan", o.id))
        cv_html_put(h, " <a href=\"/congress/{}/plan\">{}</a>", code, _("Plan its congress"));
}

static long long num(const json_t *j, const char *key)
{
    return (long long)json_integer_value(json_object_get(j, key));
}

/* "held of total (x%)" as text, for a cell and a bar's label. */
static const char *ratio(const cv_web_req *r, long long held, long long total, char out[96])
{
    char a[32], b[32], p[32];
    cv_page_num(r, (double)held, 0, a);
    cv_page_num(r, (double)total, 0, b);
    cv_page_num(r, total ? 100.0 * (double)held / (double)total : 0.0, 1, p);
    cv_i18n_fmt(out, 96, _("%s of %s (%s%%)"), a, b, p);
    return out;
}

static void headline(const cv_web_req *r, const json_t *st, cv_html *h)
{
    const json_t *sub = json_object_get(st, "subordinates"), *c = json_object_get(st, "congress");
    char a[32], b[32], p[32], d1[32], d2[32];
    cv_html_raw(h, "<section aria-labelledby=\"progress\" class=\"card\">"
                   "<h2 id=\"progress\">");
    cv_html_text(h, _("Progress"));
    cv_html_raw(h, "</h2>\n<p class=\"headline\" id=\"headline\">");
    cv_html_say(h, _("%s of %s directly subordinate organisations have held their congress"),
                cv_page_num(r, (double)num(sub, "held"), 0, a),
                cv_page_num(r, (double)num(sub, "total"), 0, b));
    cv_html_say(h, " (%s%%)",
                cv_page_num(r, json_real_value(json_object_get(sub, "percent")), 1, p));
    cv_html_raw(h, "</p>\n<p>");
    if (json_is_object(c)) {
        const char *code = cv_json_text(json_object_get(st, "org"), "code");
        cv_html_put(h, "<a href=\"/congress/{}\">", code);
        cv_html_say(h, _("Congress %s"), cv_json_text(c, "numeral"));
        cv_html_raw(h, "</a>: ");
        cv_page_status(r, cv_json_text(c, "status"), h);
        const char *s = cv_json_text(c, "actual_start");
        const char *e = cv_json_text(c, "actual_end");
        if (!*s) {
            s = cv_json_text(c, "planned_start");
            e = cv_json_text(c, "planned_end");
        }
        if (*s)
            cv_html_say(h, " %s – %s", cv_page_date(r, s, d1), cv_page_date(r, *e ? e : s, d2));
    } else {
        cv_html_text(h, _("No congress planned in this term"));
        plan_link(r, cv_json_text(json_object_get(st, "org"), "code"), h);
    }
    cv_html_raw(h, "</p>\n");
}

static void levels(const cv_web_req *r, const json_t *st, cv_html *h)
{
    char buf[96];
    cv_html_put(h,
                "<h3>{}</h3>\n<table class=\"bars\"><thead><tr><th scope=\"col\">{}</th>"
                "<th scope=\"col\">{}</th><th scope=\"col\" class=\"num\">{}</th>"
                "<th scope=\"col\" class=\"num\">{}</th></tr></thead><tbody>\n",
                _("By level"), _("Level"), _("Held"), _("Late"), _("Not planned"));
    size_t i;
    json_t *lv;
    json_array_foreach(json_object_get(st, "levels"), i, lv)
    {
        ratio(r, num(lv, "held"), num(lv, "total"), buf);
        cv_html_put(h, "<tr><th scope=\"row\">{}</th><td>",
                    cv_page_level(r, cv_json_text(lv, "level")));
        cv_chart_bar(h, num(lv, "held"), num(lv, "total"), buf);
        cv_html_put(h, "<span class=\"ratio\">{}</span></td><td class=\"num\">", buf);
        cv_html_int(h, num(lv, "late"));
        cv_html_raw(h, "</td><td class=\"num\">");
        cv_html_int(h, num(lv, "unplanned"));
        cv_html_raw(h, "</td></tr>\n");
    }
    cv_html_raw(h, "</tbody></table>\n");
}

static void children(const cv_web_req *r, const json_t *scope, cv_html *h)
{
    const json_t *list = json_object_get(scope, "children");
    if (json_array_size(list) == 0)
        return;
    char buf[96];
    cv_html_put(h,
                "<h3>{}</h3>\n<table class=\"bars\" id=\"children\"><thead><tr>"
                "<th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>"
                "</tr></thead><tbody>\n",
                _("Directly subordinate organisations"), _("Organisation"), _("Its congress"),
                _("Held in its subtree"));
    size_t i;
    json_t *c;
    json_array_foreach(list, i, c)
    {
        ratio(r, num(c, "held"), num(c, "total"), buf);
        cv_html_raw(h, "<tr><th scope=\"row\">");
        cv_page_link(r, "/org/", cv_json_text(c, "code"), cv_json_text(c, "name"), h);
        cv_html_raw(h, "</th><td>");
        cv_page_status(r, cv_json_text(c, "status"), h);
        cv_html_raw(h, "</td><td>");
        cv_chart_bar(h, num(c, "held"), num(c, "total"), buf);
        cv_html_put(h, "<span class=\"ratio\">{}</span></td></tr>\n", buf);
    }
    cv_html_raw(h, "</tbody></table>\n");
}

/* Opens a section with a heading and the count of its rows; returns 0 when the list is empty
 * (the section then says so and is closed). */
static int section(const cv_web_req *r, const char *id, const char *title, long long count,
                   const char *empty, cv_html *h)
{
    char n[32];
    cv_html_put(h, "<section class=\"card\" aria-labelledby=\"{}\"><h2 id=\"{}\">{} ", id, id,
                title);
    cv_html_put(h, "<span class=\"count\">({})</span></h2>\n", cv_page_num(r, (double)count, 0, n));
    if (count > 0)
        return 1;
    cv_html_put(h, "<p class=\"none\">{}</p></section>\n", empty);
    return 0;
}

static void late(const cv_web_req *r, const json_t *st, cv_html *h)
{
    long long count = 0;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(st, "levels"), i, v) count += num(v, "late");
    if (!section(r, "late", _("Late against the directive's windows"), count,
                 _("No congress is late."), h))
        return;
    char d[32];
    cv_html_raw(h, "<ul class=\"list\">\n");
    json_array_foreach(json_object_get(st, "late"), i, v)
    {
        if (i == CV_SCOPE_LIST_MAX)
            break;
        cv_html_raw(h, "<li>");
        cv_page_link(r, "/org/", cv_json_text(v, "org"), cv_json_text(v, "name"), h);
        cv_html_raw(h, " ");
        cv_page_status(r, "late", h);
        cv_html_raw(h, " ");
        cv_page_status(r, cv_json_text(v, "status"), h);
        cv_html_raw(h, " <span class=\"meta\">");
        cv_html_say(h, _("window closed %s"), cv_page_date(r, cv_json_text(v, "window_closes"), d));
        cv_html_raw(h, "</span></li>\n");
    }
    cv_html_raw(h, "</ul></section>\n");
}

static void soon(const cv_web_req *r, const json_t *scope, cv_html *h)
{
    const json_t *list = json_object_get(scope, "soon");
    if (!section(r, "soon", _("Congresses in the next 14 days"), (long long)json_array_size(list),
                 _("No congress in the next 14 days."), h))
        return;
    char d[32];
    size_t i;
    json_t *v;
    cv_html_raw(h, "<ul class=\"list\">\n");
    json_array_foreach(list, i, v)
    {
        cv_html_put(h, "<li><span class=\"date\">{}</span> ",
                    cv_page_date(r, cv_json_text(v, "planned_start"), d));
        cv_page_link(r, "/congress/", cv_json_text(v, "code"), cv_json_text(v, "name"), h);
        cv_html_raw(h, " ");
        cv_page_status(r, cv_json_text(v, "status"), h);
        cv_html_raw(h, "</li>\n");
    }
    cv_html_raw(h, "</ul></section>\n");
}

static void overdue(const cv_web_req *r, const json_t *st, cv_html *h)
{
    const json_t *w = json_object_get(st, "work_items");
    if (!section(r, "overdue", _("Overdue work items"), num(w, "overdue"),
                 _("No work item is overdue."), h))
        return;
    char d[32];
    size_t i;
    json_t *v;
    cv_html_put(h,
                "<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th>"
                "<th scope=\"col\">{}</th></tr></thead><tbody>\n",
                _("Work item"), _("Due"), _("Responsible"));
    json_array_foreach(json_object_get(w, "overdue_items"), i, v)
    {
        if (i == CV_SCOPE_LIST_MAX)
            break;
        cv_html_put(h, "<tr><td>{}</td><td>{}</td><td>{}{}{}</td></tr>\n", cv_json_text(v, "title"),
                    cv_page_date(r, cv_json_text(v, "due"), d), cv_json_text(v, "unit"),
                    *cv_json_text(v, "person") ? ", " : "", cv_json_text(v, "person"));
    }
    cv_html_raw(h, "</tbody></table></section>\n");
}

static void rounds(const cv_web_req *r, const json_t *scope, cv_html *h)
{
    const json_t *list = json_object_get(scope, "rounds");
    if (!section(r, "rounds", _("Open comment rounds"), (long long)json_array_size(list),
                 _("No comment round is open."), h))
        return;
    char d[32], a[32], b[32];
    size_t i;
    json_t *v;
    cv_html_raw(h, "<ul class=\"list\">\n");
    json_array_foreach(list, i, v)
    {
        cv_html_put(h, "<li>{} <span class=\"meta\">", cv_json_text(v, "document"));
        cv_html_say(h, _("%s of %s have answered; due %s"),
                    cv_page_num(r, (double)num(v, "answered"), 0, a),
                    cv_page_num(r, (double)num(v, "total"), 0, b),
                    cv_page_date(r, cv_json_text(v, "deadline"), d));
        cv_html_raw(h, "</span></li>\n");
    }
    cv_html_raw(h, "</ul></section>\n");
}

static void complaints(const cv_web_req *r, const json_t *scope, cv_html *h)
{
    const json_t *list = json_object_get(scope, "complaints");
    if (!section(r, "complaints", _("Unsettled complaints about candidates"),
                 (long long)json_array_size(list), _("No complaint about a candidate is open."), h))
        return;
    char d[32];
    size_t i;
    json_t *v;
    cv_html_raw(h, "<ul class=\"list\">\n");
    json_array_foreach(list, i, v)
    {
        cv_html_raw(h, "<li>");
        cv_page_link(r, "/congress/", cv_json_text(v, "org"), cv_json_text(v, "org"), h);
        cv_html_put(h, ": {} <span class=\"meta\">{}", cv_json_text(v, "person"),
                    cv_json_text(v, "summary"));
        if (*cv_json_text(v, "deadline")) {
            cv_html_raw(h, " · ");
            cv_html_say(h, _("settle by %s"), cv_page_date(r, cv_json_text(v, "deadline"), d));
        }
        cv_html_raw(h, "</span></li>\n");
    }
    cv_html_raw(h, "</ul></section>\n");
}

int cv_web_home(const cv_web_req *r, const char *org, cv_html *h, cv_err *e)
{
    json_t *scope;
    if (cv_web_scope(r->store, org, NULL, &scope, e) < 0)
        return e->code;
    const json_t *st = json_object_get(scope, "status");
    const json_t *o = json_object_get(st, "org");
    char d[32];
    cv_page_begin(r, cv_json_text(o, "name"), 1, h);
    cv_html_raw(h, "<p class=\"lead\">");
    cv_html_say(h, _("Term %s, as of %s"), cv_json_text(scope, "term"),
                cv_page_date(r, cv_json_text(scope, "today"), d));
    const json_t *sc = json_object_get(scope, "scenario");
    if (json_is_object(sc)) {
        cv_html_raw(h, " · ");
        cv_html_say(h, _("Active scenario: %s"), cv_json_text(sc, "name"));
    }
    cv_html_raw(h, "</p>\n");
    headline(r, st, h);
    levels(r, st, h);
    children(r, scope, h);
    cv_html_raw(h, "</section>\n");
    cv_html_put(h, "<section class=\"card\" aria-labelledby=\"burnup\"><h2 id=\"burnup\">{}</h2>\n",
                _("Congresses held, day by day"));
    cv_chart_burnup(r, json_object_get(scope, "burnup"), cv_json_text(scope, "today"), h);
    cv_html_raw(h, "</section>\n");
    late(r, st, h);
    soon(r, scope, h);
    overdue(r, st, h);
    rounds(r, scope, h);
    complaints(r, scope, h);
    cv_page_end(r, h);
    json_decref(scope);
    return 0;
}
