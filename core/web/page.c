/* page.c: the frame of every page and the shared words (see page.h). */
#include "page.h"

#include <string.h>

#include "domain/org.h"
#include "ops/ops.h"

const char *cv_page_date(const cv_web_req *r, const char *iso, char buf[32])
{
    cv_i18n_date(r->lang, iso, buf, 32);
    return buf;
}

const char *cv_page_num(const cv_web_req *r, double n, int decimals, char buf[32])
{
    cv_i18n_number(r->lang, n, decimals, buf, 32);
    return buf;
}

void cv_page_begin(const cv_web_req *r, const char *title, int live, cv_html *h)
{
    cv_html_put(h,
                "<!doctype html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<title>{} · convene</title>\n"
                "<link rel=\"stylesheet\" href=\"/static/app.css\">\n"
                "<script src=\"/static/app.js\" defer></script>\n</head>\n",
                cv_i18n_lang_code(r->lang), title);
    cv_html_raw(h, live ? "<body data-live=\"/api/v1/events\">\n" : "<body>\n");
    cv_html_put(h, "<a class=\"skip\" href=\"#main\">{}</a>\n", _("Skip to content"));
    cv_html_put(h, "<header class=\"top\"><a class=\"brand\" href=\"/\">convene</a>\n");
    if (r->user) {
        cv_html_put(h, "<nav aria-label=\"{}\"><a href=\"/\">{}</a>", _("Main"), _("Home"));
        if (r->admin)
            cv_html_put(h, "<a href=\"/admin\">{}</a>", _("Administration"));
        if (r->csrf && *r->csrf) {
            int en = r->lang == CV_LANG_EN;
            cv_html_put(h,
                        "<form method=\"post\" action=\"/language\" class=\"inline\">"
                        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">"
                        "<input type=\"hidden\" name=\"back\" value=\"{}\">"
                        "<button type=\"submit\" name=\"lang\" value=\"{}\" lang=\"{}\">{}</button>"
                        "</form>",
                        r->csrf, r->path ? r->path : "/", en ? "vi" : "en", en ? "vi" : "en",
                        en ? "Tiếng Việt" : "English");
        }
        cv_html_put(h,
                    "<span class=\"who\">{}</span>"
                    "<form method=\"post\" action=\"/logout\" class=\"inline\">"
                    "<input type=\"hidden\" name=\"csrf\" value=\"{}\">"
                    "<button type=\"submit\">{}</button></form></nav>\n",
                    r->user, r->csrf, _("Log out"));
    }
    cv_html_put(h,
                "</header>\n<p id=\"live-status\" class=\"live\" role=\"status\" "
                "aria-live=\"polite\"></p>\n<main id=\"main\" tabindex=\"-1\">\n<h1>{}</h1>\n",
                title);
}

void cv_page_end(const cv_web_req *r, cv_html *h)
{
    cv_html_put(h, "</main>\n<footer><p>{}</p></footer>\n</body>\n</html>\n",
                _("convene: preparing the congresses of the party organisations"));
}

static const struct {
    const char *status, *symbol, *label;
} statuses[] = {
    {"held", "✓", N_("Held")},         {"preparing", "◐", N_("Preparing")},
    {"planned", "○", N_("Planned")},   {"unplanned", "–", N_("Not planned")},
    {"late", "!", N_("Late")},         {"done", "✓", N_("Done")},
    {"open", "○", N_("Open")},         {"overdue", "!", N_("Overdue")},
    {"drafting", "○", N_("Drafting")}, {"consultation", "◐", N_("In consultation")},
    {"revising", "◐", N_("Revising")}, {"submitted", "◑", N_("Submitted")},
    {"adopted", "✓", N_("Adopted")},   {"scheduled", "○", N_("Scheduled")},
    {"met", "✓", N_("Met")},           {"unmet", "!", N_("Not met")},
    {"active", "◐", N_("Active")},     {"pending", "○", N_("Pending")},
    {"enabled", "✓", N_("Enabled")},   {"disabled", "–", N_("Disabled")},
    {"paused", "Ⅱ", N_("Paused")},     {"suspended", "!", N_("Suspended")},
    {"loaded", "✓", N_("Loaded")},
};

void cv_page_status(const cv_web_req *r, const char *status, cv_html *h)
{
    for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++)
        if (strcmp(status, statuses[i].status) == 0) {
            cv_html_put(h,
                        "<span class=\"badge {}\"><span aria-hidden=\"true\">{}</span> {}</span>",
                        status, statuses[i].symbol, _(statuses[i].label));
            return;
        }
    cv_html_put(h, "<span class=\"badge\">{}</span>", status);
}

const char *cv_page_level(const cv_web_req *r, const char *level)
{
    static const char *const names[][2] = {
        {"national", N_("National")},
        {"province", N_("Province")},
        {"district", N_("District level")},
        {"grassroots", N_("Grassroots")},
        {"cell", N_("Cell")},
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(level, names[i][0]) == 0)
            return _(names[i][1]);
    return level;
}

void cv_page_link(const cv_web_req *r, const char *prefix, const char *code, const char *text,
                  cv_html *h)
{
    cv_org o;
    cv_err e;
    if (r->actor && (cv_org_get(r->store, code, &o, &e) < 0 ||
                     cv_ops_permit(r->store, r->actor, CV_ROLES_ALL, o.id, "read", &e) < 0)) {
        cv_html_text(h, text);
        return;
    }
    cv_html_put(h, "<a href=\"{}{}\">{}</a>", prefix, code, text);
}

void cv_page_field_error(const cv_web_req *r, const cv_web_form *f, const char *field, cv_html *h)
{
    (void)r;
    if (f && f->error && f->error_field && strcmp(f->error_field, field) == 0)
        cv_html_put(h, "<p class=\"error\" id=\"{}-error\" role=\"alert\">{}</p>", field, f->error);
}

const char *cv_web_form_get(const cv_web_form *f, const char *name)
{
    for (int i = 0; f && i < CV_WEB_FIELDS && f->names[i]; i++)
        if (strcmp(f->names[i], name) == 0)
            return f->values[i] ? f->values[i] : "";
    return "";
}

void cv_web_message(const cv_web_req *r, const char *title, const char *msg, cv_html *h)
{
    cv_page_begin(r, title, 0, h);
    cv_html_put(h, "<p>{}</p>\n<p><a href=\"/\">{}</a></p>\n", msg, _("Back to the home page"));
    cv_page_end(r, h);
}

void cv_web_login(const cv_web_req *r, const char *name, const char *error, cv_html *h)
{
    cv_page_begin(r, _("Log in"), 0, h);
    cv_html_raw(h, "<form method=\"post\" action=\"/login\" class=\"card narrow\">\n");
    if (r->csrf)
        cv_html_put(h, "<input type=\"hidden\" name=\"csrf\" value=\"{}\">\n", r->csrf);
    if (error)
        cv_html_put(h, "<p class=\"error\" id=\"login-error\" role=\"alert\">{}</p>\n", error);
    const char *described = error ? " aria-describedby=\"login-error\"" : "";
    cv_html_put(h,
                "<div class=\"field\"><label for=\"name\">{}</label>"
                "<input id=\"name\" name=\"name\" autocomplete=\"username\" required "
                "value=\"{}\"",
                _("Login name"), name ? name : "");
    cv_html_raw(h, described);
    cv_html_put(h,
                "></div>\n<div class=\"field\"><label for=\"password\">{}</label>"
                "<input id=\"password\" name=\"password\" type=\"password\" "
                "autocomplete=\"current-password\" required",
                _("Password"));
    cv_html_raw(h, described);
    cv_html_put(h, "></div>\n<p><button type=\"submit\">{}</button></p>\n</form>\n", _("Log in"));
    cv_page_end(r, h);
}
