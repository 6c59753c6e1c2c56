/* congress_parts.c: the congress page's later sections: meetings, elections (attendance, base,
 * threshold, tallies, outcome, the minutes), the personnel scheme check and the campaign phases
 * of the Lua packages over the organisation. Every section reads through the operations layer
 * as the reader (cv_ops_call), so what a section shows is what the reader may read; it never
 * writes. */
#include <stdio.h>
#include <string.h>

#include "ops/ops.h"
#include "web/congress.h"

/* The text of key in o, or "". */
static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* The number at key in o as the reader writes it, or "–" when unknown. */
static const char *num(const cv_web_req *r, const json_t *o, const char *key, char buf[32])
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return "–";
    return cv_page_num(r, (double)json_integer_value(v), 0, buf);
}

/* Runs the reading operation op with args (stolen) as the reader; NULL on a refusal. */
static json_t *read_op(const cv_web_req *r, const char *op, json_t *args)
{
    json_t *out = NULL;
    cv_err e;
    int rc = cv_ops_call(r->store, r->actor, op, args, &out, &e);
    json_decref(args);
    if (rc < 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

static void section_begin(cv_html *h, const char *id, const char *title)
{
    cv_html_put(h, "<section class=\"card\" aria-labelledby=\"{}\"><h2 id=\"{}\">{}</h2>\n", id, id,
                title);
}

static const char *body_name(const cv_web_req *r, const char *body)
{
    static const char *const names[][2] = {
        {"standing", N_("Standing committee")},
        {"executive", N_("Executive committee")},
        {"committee", N_("Party committee")},
        {"secretary", N_("Secretary")},
        {"deputy", N_("Deputy secretary")},
        {"inspection", N_("Inspection committee")},
        {"delegates", N_("Delegates to the congress above")},
        {"alternates", N_("Alternate delegates")},
        {"subcommittee", N_("Subcommittee")},
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(body, names[i][0]) == 0)
            return _(names[i][1]);
    return body;
}

void cv_web_meetings(const cv_web_req *r, const cv_congress *c, cv_html *h)
{
    json_t *list = read_op(r, "meeting.list", json_pack("{s:s}", "org", c->org_code));
    size_t i, j;
    json_t *m, *item;
    char d[32];
    section_begin(h, "meetings", _("Meetings"));
    json_array_foreach(list, i, m)
    {
        if (i == 0)
            cv_html_raw(h, "<ul class=\"list\">\n");
        cv_html_put(h, "<li><span class=\"date\">{}</span> {} · {} ",
                    cv_page_date(r, str(m, "on"), d), body_name(r, str(m, "body")),
                    str(m, "title"));
        cv_page_status(r, str(m, "status"), h);
        json_t *agenda = json_object_get(m, "agenda");
        json_array_foreach(agenda, j, item)
        {
            if (j == 0)
                cv_html_raw(h, "<ol class=\"agenda\">");
            cv_html_put(h, "<li>{}", str(item, "title"));
            if (*str(item, "conclusion"))
                cv_html_put(h, " — <em>{}</em>", str(item, "conclusion"));
            cv_html_raw(h, "</li>");
        }
        cv_html_raw(h, json_array_size(agenda) ? "</ol></li>\n" : "</li>\n");
    }
    cv_html_put(
        h, json_array_size(list) ? "</ul></section>\n" : "<p class=\"none\">{}</p></section>\n",
        _("No meeting yet."));
    json_decref(list);
}

/* The outcome of a candidate in the reader's language. */
static const char *outcome(const cv_web_req *r, const char *o)
{
    static const char *const names[][2] = {
        {"elected", N_("Elected")},
        {"tied", N_("Tied for the last seat: vote again")},
        {"below", N_("Not elected (not more than half)")},
        {"outvoted", N_("Not elected (fewer votes)")},
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(o, names[i][0]) == 0)
            return _(names[i][1]);
    return "";
}

static void election_figures(const cv_web_req *r, const json_t *x, cv_html *h)
{
    static const struct {
        const char *key, *label;
    } att[] = {
        {"summoned", N_("Summoned")},
        {"transferred", N_("On temporary transfer")},
        {"exempt_absent", N_("Exempt and absent")},
        {"suspended", N_("Suspended or prosecuted")},
        {"excused_absent", N_("Absent with leave")},
        {"convening_absent", N_("Convening committee absent")},
        {"unreplaced_absent", N_("Absent with no alternate")},
        {"alternates_in", N_("Alternates replacing")},
        {"attending", N_("Attending")},
    };
    static const struct {
        const char *key, *label;
    } tally[] = {
        {"base", N_("Base")},
        {"threshold", N_("Votes needed (more than half)")},
        {"issued", N_("Ballots issued")},
        {"returned", N_("Ballots returned")},
        {"valid", N_("Valid ballots")},
        {"invalid", N_("Invalid ballots")},
    };
    char n[32];
    json_t *a = json_object_get(x, "attendance");
    cv_html_raw(h, "<dl class=\"facts\">");
    for (size_t i = 0; i < sizeof att / sizeof *att; i++) {
        json_t *v = json_object_get(a, att[i].key);
        if (i == 0 || i == 8 || json_integer_value(v) > 0)
            cv_html_put(h, "<dt>{}</dt><dd>{}</dd>", _(att[i].label), num(r, a, att[i].key, n));
    }
    for (size_t i = 0; i < sizeof tally / sizeof *tally; i++)
        cv_html_put(h, "<dt>{}</dt><dd>{}</dd>", _(tally[i].label), num(r, x, tally[i].key, n));
    cv_html_raw(h, "</dl>\n");
}

static void election_candidates(const cv_web_req *r, const json_t *x, cv_html *h)
{
    json_t *cands = json_object_get(x, "candidates"), *c;
    size_t i;
    char n[32], p[32];
    int64_t base = json_integer_value(json_object_get(x, "base"));
    cv_html_put(h,
                "<div class=\"scroll\"><table><thead><tr><th scope=\"col\">{}</th>"
                "<th scope=\"col\" class=\"num\">{}</th><th scope=\"col\" class=\"num\">{}</th>"
                "<th scope=\"col\">{}</th></tr></thead><tbody>\n",
                _("Candidate"), _("Votes"), _("Share of the base"), _("Outcome"));
    json_array_foreach(cands, i, c)
    {
        json_t *v = json_object_get(c, "votes");
        p[0] = '\0';
        if (json_is_integer(v) && base > 0)
            cv_i18n_fmt(p, sizeof p, "%s%%",
                        cv_page_num(r, 100.0 * (double)json_integer_value(v) / (double)base, 1, n));
        cv_html_put(h,
                    "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td>"
                    "<td class=\"num\">{}</td><td>{}</td></tr>\n",
                    str(c, "name"), num(r, c, "votes", n), p, outcome(r, str(c, "outcome")));
    }
    cv_html_raw(h, "</tbody></table></div>\n");
}

/* The outcome explained, one sentence per figure and candidate (election.count), once counted. */
static void explain(const cv_web_req *r, const json_t *x, cv_html *h)
{
    if (!json_is_integer(json_object_get(x, "valid")))
        return;
    json_t *lines =
        read_op(r, "election.count", json_pack("{s:O}", "id", json_object_get(x, "id")));
    json_t *list = json_is_array(lines) ? lines : json_object_get(lines, "lines"), *l;
    size_t i;
    json_array_foreach(list, i, l)
    {
        if (i == 0)
            cv_html_put(h, "<details><summary>{}</summary>", _("How the outcome was reached"));
        cv_html_put(h, "<p>{}</p>", json_string_value(l));
    }
    if (json_array_size(list))
        cv_html_raw(h, "</details>\n");
    json_decref(lines);
}

static const char *election_status(const cv_web_req *r, const char *s)
{
    static const char *const names[][2] = {
        {"created", N_("List being drawn up")},
        {"open", N_("Voting")},
        {"counted", N_("Counted")},
        {"announced", N_("Announced")},
        {"approved", N_("Approved")},
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(s, names[i][0]) == 0)
            return _(names[i][1]);
    return s;
}

void cv_web_election_title(const cv_web_req *r, const json_t *x, cv_html *h)
{
    char seats[32], round[32];
    cv_html_say(h, _("%s, round %s: %s seats"), body_name(r, str(x, "body")),
                num(r, x, "round", round), num(r, x, "seats", seats));
}

/* Whether an election of list is a further round of x. */
static int followed(const json_t *list, const json_t *x)
{
    size_t i;
    json_t *y;
    json_int_t id = json_integer_value(json_object_get(x, "id"));
    json_array_foreach(list, i, y)
    {
        if (json_integer_value(json_object_get(y, "previous")) == id)
            return 1;
    }
    return 0;
}

void cv_web_elections(const cv_web_req *r, const cv_congress *c, cv_html *h)
{
    json_t *list = read_op(r, "election.list", json_pack("{s:s}", "org", c->org_code)), *x;
    size_t i;
    char id[24];
    section_begin(h, "elections", _("Elections"));
    json_array_foreach(list, i, x)
    {
        snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(x, "id")));
        cv_html_put(h, "<h3 id=\"election-{}\">", id);
        cv_web_election_title(r, x, h);
        cv_html_put(h, " <span class=\"badge\">{}</span></h3>\n",
                    election_status(r, str(x, "status")));
        election_figures(r, x, h);
        election_candidates(r, x, h);
        explain(r, x, h);
        cv_web_election_actions(r, c, x, followed(list, x), h);
        if (json_is_integer(json_object_get(x, "base")))
            cv_html_put(h,
                        "<p class=\"actions no-print\">"
                        "<a href=\"/api/v1/reports/minutes/{}?arg={}&amp;format=html\">{}</a> "
                        "<a href=\"/api/v1/reports/minutes/{}?arg={}&amp;format=xlsx\">{}</a>"
                        "</p>\n",
                        c->org_code, id, _("Counting minutes (HTML)"), c->org_code, id,
                        _("Minutes (XLSX)"));
    }
    cv_html_put(h, json_array_size(list) ? "</section>\n" : "<p class=\"none\">{}</p></section>\n",
                _("No election yet."));
    json_decref(list);
}

static const char *target_name(const cv_web_req *r, const char *t)
{
    static const char *const names[][2] = {
        {"women", N_("Women")},
        {"minorities", N_("Ethnic minorities")},
        {"under40", N_("Under 40")},
        {"renewal", N_("Newcomers")},
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(t, names[i][0]) == 0)
            return _(names[i][1]);
    return t;
}

void cv_web_scheme(const cv_web_req *r, const cv_congress *c, cv_html *h)
{
    json_t *chk = read_op(r, "scheme.check", json_pack("{s:s}", "org", c->org_code)), *t;
    size_t i;
    char a[32], b[32], pct[32];
    section_begin(h, "scheme", _("Personnel scheme check"));
    if (!chk) {
        cv_html_put(h, "<p class=\"none\">{}</p></section>\n", _("No list to check yet."));
        return;
    }
    cv_html_raw(h, "<p>");
    cv_html_say(h, _("%s: %s candidates for %s seats (at most %s)."),
                body_name(r, str(chk, "body")), num(r, chk, "candidates", a),
                num(r, chk, "seats", b), num(r, chk, "max_candidates", pct));
    cv_html_put(h,
                "</p>\n<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\" "
                "class=\"num\">{}</th><th scope=\"col\" class=\"num\">{}</th>"
                "<th scope=\"col\">{}</th></tr></thead><tbody>\n",
                _("Structure target"), _("At least"), _("On the list"), _("Met"));
    json_array_foreach(json_object_get(chk, "targets"), i, t)
    {
        cv_i18n_fmt(a, sizeof a, "%s%%", num(r, t, "min_pct", b));
        char share[32];
        cv_i18n_fmt(share, sizeof share, "%s%%",
                    cv_page_num(r, json_number_value(json_object_get(t, "pct")), 1, pct));
        int met = json_is_true(json_object_get(t, "met"));
        cv_html_put(h,
                    "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td class=\"num\">{} "
                    "({})</td><td>",
                    target_name(r, str(t, "target")), a, num(r, t, "count", b), share);
        cv_page_status(r, met ? "met" : "unmet", h);
        cv_html_raw(h, "</td></tr>\n");
    }
    cv_html_raw(h, "</tbody></table>\n");
    size_t open = json_array_size(json_object_get(chk, "unsettled_complaints"));
    if (open) {
        char n[32];
        cv_html_raw(h, "<p class=\"warn\">");
        cv_html_say(h, _("Complaints about candidates not settled yet: %s."),
                    cv_page_num(r, (double)open, 0, n));
        cv_html_raw(h, "</p>\n");
    }
    cv_html_raw(h, "</section>\n");
    json_decref(chk);
}

/* The campaigns of the packages bound at org or above it, with their phases. Packages' own
 * tables; the page is already permitted over org, and nothing here names another organisation. */
int cv_web_phases(const cv_web_req *r, const cv_congress *c, cv_html *h, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        r->store,
        "WITH RECURSIVE up(id, depth) AS (SELECT ?1, 0 UNION ALL SELECT o.parent_id, up.depth + 1 "
        "  FROM orgs o JOIN up ON o.id = up.id WHERE o.parent_id IS NOT NULL AND up.depth < 64) "
        "SELECT k.title, k.name, p.ordinal, p.title, p.name, p.state, p.started_on, p.ended_on "
        "FROM lua_campaigns k JOIN up ON k.org_id = up.id "
        "JOIN lua_phases p ON p.campaign_id = k.id ORDER BY k.id, p.ordinal LIMIT 500",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, c->org_id);
    section_begin(h, "phases", _("Campaign phases"));
    char last[CV_NAME_MAX] = "", d1[32], d2[32];
    int rc, n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *camp = (const char *)sqlite3_column_text(st, 0);
        const char *ptitle = (const char *)sqlite3_column_text(st, 3);
        const char *state = (const char *)sqlite3_column_text(st, 5);
        const char *from = (const char *)sqlite3_column_text(st, 6);
        const char *to = (const char *)sqlite3_column_text(st, 7);
        if (!*camp)
            camp = (const char *)sqlite3_column_text(st, 1);
        if (!*ptitle)
            ptitle = (const char *)sqlite3_column_text(st, 4);
        if (n++ == 0 || strcmp(last, camp) != 0) {
            cv_html_put(h, "{}<h3>{}</h3><ol class=\"phases\">", n > 1 ? "</ol>" : "", camp);
            snprintf(last, sizeof last, "%s", camp);
        }
        cv_html_put(h, "<li>{} ", ptitle);
        cv_page_status(r, state, h); /* pending, active or done */
        if (from)
            cv_html_put(h, " <span class=\"meta\">{} – {}</span>", cv_page_date(r, from, d1),
                        to ? cv_page_date(r, to, d2) : "");
        cv_html_raw(h, "</li>\n");
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return cv_store_fail(r->store, "reading the campaign phases", e);
    cv_html_put(h, n ? "</ol></section>\n" : "<p class=\"none\">{}</p></section>\n",
                _("No campaign over this organisation."));
    return 0;
}

/* One version of a document: its number, who made it and when, and its download. */
static void version_item(const cv_web_req *r, const cv_congress *c, int64_t doc, const json_t *v,
                         cv_html *h)
{
    char n[24], d[32], id[24], size[32];
    snprintf(id, sizeof id, "%lld", (long long)doc);
    snprintf(n, sizeof n, "%lld", (long long)json_integer_value(json_object_get(v, "n")));
    cv_html_put(h, "<li>v{} · {} · <span class=\"date\">{}</span>", n, str(v, "by"),
                cv_page_date(r, str(v, "on"), d));
    if (*str(v, "note"))
        cv_html_put(h, " · {}", str(v, "note"));
    if (json_is_integer(json_object_get(v, "size")))
        cv_html_put(h, " · <a href=\"/congress/{}/file?doc={}&amp;version={}\">{} ({} B)</a>",
                    c->org_code, id, n, _("Download"), num(r, v, "size", size));
    cv_html_raw(h, "</li>\n");
}

/* One round of a document: its progress, who has not answered while it is open. */
static void round_item(const cv_web_req *r, const cv_congress *c, const json_t *k, cv_html *h)
{
    char d[32], a[32], b[32], m[32];
    json_t *who = read_op(r, "round.show",
                          json_pack("{s:I}", "id", json_integer_value(json_object_get(k, "id"))));
    cv_html_raw(h, "<li>");
    cv_html_say(h, _("Round sent %s, due %s: %s of %s organisations have answered"),
                cv_page_date(r, str(k, "opened_on"), d), cv_page_date(r, str(k, "deadline"), a),
                num(r, k, "orgs_answered", b), num(r, k, "orgs", m));
    cv_html_raw(h, " ");
    cv_page_status(r, strcmp(str(k, "status"), "open") == 0 ? "open" : "done", h);
    size_t i, n = 0;
    json_t *x;
    json_array_foreach(json_object_get(who, "recipients"), i, x)
    {
        if (strcmp(str(k, "status"), "open") != 0 ||
            json_is_string(json_object_get(x, "responded_on")))
            continue;
        if (n++ == 0) {
            cv_html_raw(h, "<br><span class=\"meta\">");
            cv_html_say(h, _("Not yet answered: %s"), "");
        } else {
            cv_html_raw(h, "; ");
        }
        cv_html_text(h, str(x, "name"));
    }
    if (n)
        cv_html_raw(h, "</span>");
    if (strcmp(str(k, "status"), "open") == 0) {
        cv_html_raw(h, "<br>");
        cv_web_round_actions(r, c, json_integer_value(json_object_get(k, "id")), h);
    }
    cv_html_raw(h, "</li>\n");
    json_decref(who);
}

void cv_web_documents(const cv_web_req *r, const cv_congress *c, cv_html *h)
{
    json_t *list = read_op(r, "doc.list", json_pack("{s:s}", "org", c->org_code)), *d;
    size_t i, j;
    json_t *v;
    section_begin(h, "docs", _("Documents"));
    json_array_foreach(list, i, d)
    {
        int64_t id = json_integer_value(json_object_get(d, "id"));
        json_t *doc = read_op(r, "doc.show", json_pack("{s:I}", "id", (json_int_t)id));
        cv_html_put(h, "<h3>{} ", str(d, "title"));
        cv_page_status(r, str(d, "status"), h);
        cv_html_raw(h, "</h3>\n<ul class=\"list\">\n");
        json_array_foreach(json_object_get(doc, "version_list"), j, v) version_item(r, c, id, v, h);
        json_array_foreach(json_object_get(doc, "rounds"), j, v) round_item(r, c, v, h);
        cv_html_raw(h, "</ul>\n");
        cv_web_document_actions(r, c, id, str(d, "status"), h);
        json_decref(doc);
    }
    if (!json_array_size(list))
        cv_html_put(h, "<p class=\"none\">{}</p>", _("No document yet."));
    cv_html_raw(h, "</section>\n");
    json_decref(list);
}

/* The open comment rounds sent to this organisation that it has not answered, each with the
 * form to answer it when the reader may. The page is permitted over the organisation; these
 * rows are what was sent to it. */
int cv_web_rounds_to_answer(const cv_web_req *r, const cv_congress *c, cv_html *h, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        r->store,
        "SELECT k.id, d.title, k.deadline, x.key FROM round_recipients x "
        "JOIN comment_rounds k ON k.id = x.round_id JOIN documents d ON d.id = k.document_id "
        "WHERE x.org_id = ?1 AND k.status = 'open' AND x.responded_on IS NULL "
        "ORDER BY k.deadline, k.id LIMIT 200",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, c->org_id);
    int rc, n = 0, may = cv_web_may(r, "round.respond", c->org_id);
    char d[32];
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n++ == 0)
            cv_html_put(h,
                        "<section class=\"card\" aria-labelledby=\"to-answer\"><h2 "
                        "id=\"to-answer\">{}</h2><ul class=\"list\">\n",
                        _("Comment rounds waiting for our answer"));
        const char *id = (const char *)sqlite3_column_text(st, 0);
        cv_html_put(h, "<li>{} <span class=\"meta\">", (const char *)sqlite3_column_text(st, 1));
        cv_html_say(h, _("due %s"), cv_page_date(r, (const char *)sqlite3_column_text(st, 2), d));
        cv_html_raw(h, "</span>");
        if (may)
            cv_html_put(h,
                        " <a class=\"button small\" href=\"/congress/{}/round-respond?id={}&amp;"
                        "recipient={}\">{}</a>",
                        c->org_code, id, (const char *)sqlite3_column_text(st, 3), _("Answer"));
        cv_html_raw(h, "</li>\n");
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return cv_store_fail(r->store, "reading the rounds to answer", e);
    if (n)
        cv_html_raw(h, "</ul></section>\n");
    return 0;
}

void cv_web_scenarios(const cv_web_req *r, const cv_congress *c, cv_html *h)
{
    json_t *list = read_op(r, "scenario.show", json_pack("{s:s}", "org", c->org_code)), *x;
    json_t *items = json_is_array(list) ? list : json_object_get(list, "scenarios");
    size_t i;
    int may = cv_web_may(r, "scenario.use", c->org_id);
    section_begin(h, "scenarios", _("Scenarios"));
    json_array_foreach(items, i, x)
    {
        int active = json_is_true(json_object_get(x, "active"));
        if (i == 0)
            cv_html_raw(h, "<ul class=\"list\">\n");
        cv_html_put(h, "<li>{} · {} ", str(x, "code"), str(x, "name"));
        if (active)
            cv_html_put(h,
                        "<span class=\"badge done\"><span aria-hidden=\"true\">✓</span> {}</span>",
                        _("Active"));
        else if (may)
            cv_html_put(h,
                        "<form method=\"post\" action=\"/congress/{}/scenario\" class=\"inline\">"
                        "<input type=\"hidden\" name=\"csrf\" value=\"{}\"><input type=\"hidden\" "
                        "name=\"code\" value=\"{}\"><button type=\"submit\" class=\"small\">{} {}"
                        "</button></form>",
                        c->org_code, r->csrf, str(x, "code"), _("Make active:"), str(x, "code"));
        cv_html_raw(h, "</li>\n");
    }
    cv_html_put(
        h, json_array_size(items) ? "</ul></section>\n" : "<p class=\"none\">{}</p></section>\n",
        _("No scenario yet."));
    json_decref(list);
}
