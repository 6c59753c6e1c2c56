/* admin_ops.c: the administration page's sections on what runs beside the store: plugins (enable,
 * configure; a secret is write-only, shown only as set or not), Lua packages (state, last error
 * with its file:line, campaign phases, lag; resume), the scheduler's jobs (next run; pause,
 * resume, run now) and the outbox's failed deliveries (retry). Each reads through an operation
 * as its reader; the forms name the page's actions (admin.c). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/json.h"
#include "ops/ops.h"
#include "web/admin.h"

/* An instant (ms) as the reader writes a day and a time, Vietnam time. */
static const char *when(const cv_web_req *r, const json_t *ms, char buf[48])
{
    if (!json_is_integer(ms) || json_integer_value(ms) <= 0)
        return "";
    time_t t = (time_t)(json_integer_value(ms) / 1000 + CV_TZ_VIETNAM_MIN * 60);
    struct tm tm;
    char iso[16], day[32];
    gmtime_r(&t, &tm);
    strftime(iso, sizeof iso, "%Y-%m-%d", &tm);
    snprintf(buf, 48, "%s %02d:%02d", cv_page_date(r, iso, day), tm.tm_hour, tm.tm_min);
    return buf;
}

/* A button that runs action on the thing called name (a hidden field), labelled for a screen
 * reader with what it acts on. */
static void button(const cv_web_req *r, const char *action, const char *field, const char *name,
                   const char *label, cv_html *h)
{
    cv_web_admin_form(r, action, "inline", h);
    cv_html_put(h,
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">"
                "<button type=\"submit\" class=\"small\" aria-label=\"{} {}\">{}</button></form> ",
                field, name, label, name, label);
}

/* Opens section id and reads its rows through op (args taken); NULL when the read failed (the
 * refusal is shown and the section closed). */
static json_t *section_rows(const cv_web_req *r, const cv_web_form *f, const char *id,
                            const char *title, const char *op, json_t *args, cv_html *h)
{
    cv_err e;
    cv_web_admin_section(f, id, title, h);
    json_t *rows = cv_web_admin_read(r, op, args, &e);
    if (!rows)
        cv_html_put(h, "<p class=\"error\">{}</p></section>\n", e.msg);
    return rows;
}

/* Closes the table and the section, and releases its rows. */
static void section_end(json_t *rows, cv_html *h)
{
    cv_web_admin_table_end(h);
    cv_html_raw(h, "</section>\n");
    json_decref(rows);
}

/* One setting of a plugin: its value (a secret only as set or not) and a form to change it. */
static void plugin_setting(const cv_web_req *r, const char *plugin, const json_t *c, cv_html *h)
{
    const char *key = cv_json_text(c, "key");
    int secret = strcmp(cv_json_text(c, "type"), "secret") == 0;
    const json_t *value = json_object_get(c, "value");
    char id[160];
    snprintf(id, sizeof id, "cfg-%s-%s", plugin, key);
    cv_html_put(h, "<tr><td>{}</td><td>", key);
    if (secret)
        cv_html_text(h, json_is_string(value) ? _("set") : _("not set"));
    else
        cv_html_text(h, json_is_string(value) ? json_string_value(value) : "");
    cv_html_raw(h, "</td><td>");
    cv_web_admin_form(r, "plugin-config", "inline", h);
    cv_html_put(h,
                "<input type=\"hidden\" name=\"name\" value=\"{}\">"
                "<input type=\"hidden\" name=\"key\" value=\"{}\">"
                "<label class=\"visually-hidden\" for=\"{}\">{} {}</label>"
                "<input id=\"{}\" name=\"value\" type=\"{}\" autocomplete=\"off\"> "
                "<button type=\"submit\" class=\"small\">{}</button></form></td></tr>\n",
                plugin, key, id, plugin, key, id, secret ? "password" : "text", _("Save"));
}

static void plugin_settings(const cv_web_req *r, const char *name, cv_html *h)
{
    cv_err e;
    json_t *info = cv_web_admin_read(r, "plugin.info", json_pack("{s:s}", "name", name), &e);
    const json_t *config = json_object_get(info, "config");
    if (json_array_size(config) > 0) {
        const char *heads[] = {_("Setting"), _("Value"), _("New value"), NULL};
        cv_html_put(h, "<details><summary>{} {}</summary>", _("Settings of"), name);
        cv_web_admin_table(_("Settings"), heads, h);
        size_t i;
        json_t *c;
        json_array_foreach(config, i, c) plugin_setting(r, name, c, h);
        cv_web_admin_table_end(h);
        cv_html_raw(h, "</details>");
    }
    json_decref(info);
}

void cv_web_admin_plugins(const cv_web_req *r, const cv_web_form *f, cv_html *h)
{
    json_t *list = section_rows(r, f, "plugins", _("Plugins"), "plugin.list", json_object(), h);
    if (!list)
        return;
    const char *heads[] = {_("Plugin"), _("Kind"), _("State"), _("Last error"), "", NULL};
    cv_web_admin_table(_("Plugins"), heads, h);
    size_t i;
    json_t *p;
    json_array_foreach(list, i, p)
    {
        const char *name = cv_json_text(p, "name");
        int on = json_is_true(json_object_get(p, "enabled"));
        cv_html_put(h, "<tr><td>{}<br><span class=\"meta\">{}</span></td><td>{}</td><td>", name,
                    cv_json_text(p, "description"), cv_json_text(p, "kind"));
        cv_page_status(r, on ? "enabled" : "disabled", h);
        cv_html_put(h, "</td><td>{}</td><td>", cv_json_text(p, "last_error"));
        button(r, on ? "plugin-disable" : "plugin-enable", "name", name,
               on ? _("Disable") : _("Enable"), h);
        plugin_settings(r, name, h);
        cv_html_raw(h, "</td></tr>\n");
    }
    section_end(list, h);
}

static void package_phases(const cv_web_req *r, const json_t *pkg, cv_html *h)
{
    size_t i;
    json_t *ph;
    cv_html_raw(h, "<ul class=\"list\">");
    json_array_foreach(json_object_get(pkg, "phases"), i, ph)
    {
        cv_html_put(h, "<li>{}: {} ", cv_json_text(ph, "campaign"), cv_json_text(ph, "phase"));
        cv_page_status(r, cv_json_text(ph, "state"), h);
        cv_html_raw(h, "</li>");
    }
    cv_html_raw(h, "</ul>");
}

void cv_web_admin_packages(const cv_web_req *r, const cv_web_form *f, cv_html *h)
{
    char lag[32];
    json_t *list =
        section_rows(r, f, "packages", _("Lua packages"), "script.status", json_object(), h);
    if (!list)
        return;
    const char *heads[] = {_("Package"),      _("Organisation"),    _("State"), _("Last error"),
                           _("Lag (events)"), _("Campaign phases"), "",         NULL};
    cv_web_admin_table(_("Lua packages"), heads, h);
    size_t i;
    json_t *p;
    json_array_foreach(list, i, p)
    {
        const char *name = cv_json_text(p, "name");
        cv_html_put(h, "<tr><td>{}</td><td>{}</td><td>", name, cv_json_text(p, "org"));
        cv_page_status(r, cv_json_text(p, "state"), h);
        cv_html_put(h,
                    " <span class=\"meta\">{}</span></td><td class=\"data\">{}</td><td "
                    "class=\"num\">{}</td><td>",
                    cv_json_text(p, "suspended"), cv_json_text(p, "last_error"),
                    cv_page_num(r, (double)json_integer_value(json_object_get(p, "lag")), 0, lag));
        package_phases(r, p, h);
        cv_html_raw(h, "</td><td>");
        if (strcmp(cv_json_text(p, "state"), "suspended") == 0)
            button(r, "script-resume", "name", name, _("Resume"), h);
        cv_html_raw(h, "</td></tr>\n");
    }
    if (json_array_size(list) == 0)
        cv_html_put(h, "<tr><td colspan=\"7\">{}</td></tr>\n", _("No package is registered."));
    section_end(list, h);
}

void cv_web_admin_jobs(const cv_web_req *r, const cv_web_form *f, cv_html *h)
{
    char next[48], last[48];
    json_t *list = section_rows(r, f, "jobs", _("Jobs"), "jobs.list", json_object(), h);
    if (!list)
        return;
    const char *heads[] = {_("Job"),      _("When"),       _("State"), _("Next run"),
                           _("Last run"), _("Last error"), "",         NULL};
    cv_web_admin_table(_("Jobs"), heads, h);
    size_t i;
    json_t *j;
    json_array_foreach(list, i, j)
    {
        const char *name = cv_json_text(j, "name");
        int paused = strcmp(cv_json_text(j, "state"), "paused") == 0;
        cv_html_put(h, "<tr><td>{}</td><td>{}</td><td>", name, cv_json_text(j, "spec"));
        cv_page_status(r, cv_json_text(j, "state"), h);
        cv_html_put(h, "</td><td>{}</td><td>{}</td><td class=\"data\">{}</td><td>",
                    when(r, json_object_get(j, "next_at"), next),
                    when(r, json_object_get(j, "last_run_at"), last),
                    cv_json_text(j, "last_error"));
        button(r, paused ? "job-resume" : "job-pause", "name", name,
               paused ? _("Resume") : _("Pause"), h);
        button(r, "job-run", "name", name, _("Run now"), h);
        cv_html_raw(h, "</td></tr>\n");
    }
    section_end(list, h);
}

void cv_web_admin_outbox(const cv_web_req *r, const cv_web_form *f, cv_html *h)
{
    char at[48];
    json_t *list = section_rows(r, f, "outbox", _("Failed deliveries"), "outbox.list",
                                json_pack("{s:s}", "state", "failed"), h);
    if (!list)
        return;
    if (json_array_size(list) == 0) {
        cv_html_put(h, "<p class=\"none\">{}</p></section>\n", _("No delivery has failed."));
        json_decref(list);
        return;
    }
    const char *heads[] = {"#",          _("Channel"), _("Recipient"),
                           _("Subject"), _("Tries"),   _("Last error"),
                           _("Queued"),  "",           NULL};
    cv_web_admin_table(_("Failed deliveries"), heads, h);
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o)
    {
        char id[32], tries[32];
        snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(o, "id")));
        snprintf(tries, sizeof tries, "%lld",
                 (long long)json_integer_value(json_object_get(o, "tries")));
        cv_html_put(h,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td>"
                    "<td class=\"data\">{}</td><td>{}</td><td>",
                    id, cv_json_text(o, "channel"), cv_json_text(o, "recipient"),
                    cv_json_text(o, "subject"), tries, cv_json_text(o, "last_error"),
                    when(r, json_object_get(o, "created_at"), at));
        button(r, "outbox-retry", "id", id, _("Retry"), h);
        cv_html_raw(h, "</td></tr>\n");
    }
    section_end(list, h);
}
