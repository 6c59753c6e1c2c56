/* remind.c: the built-in reminders a party office expects (work items due and overdue, a
 * congress a week away with open work, the opening date announced 30 working days ahead, phase
 * changes) and the generic "notify" action, each in Vietnamese. Each runs inside its job's
 * transaction (run.c) and only queues outbox rows; it never sends and never commits. Fan-outs
 * cover the days since the job's previous run, so a catch-up run after downtime misses none. */
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/date.h"
#include "base/text.h"
#include "sched/calendar.h"
#include "sched/run.h"
#include "store/journal.h"

#define WINDOW_MAX_DAYS 31 /* a catch-up never reaches further back than a month */

static int64_t local_day(const cv_sched_ctx *c, int64_t ms)
{
    int64_t local = ms + (int64_t)c->offset_min * 60000;
    return local >= 0 ? local / 86400000 : (local - 86399999) / 86400000;
}

/* The days (from, to as day numbers) a fan-out covers, shifted by `shift` days: from the day
 * after the previous run's to the day this one runs (overlaps are harmless: keys dedupe). */
static void window(const cv_sched_ctx *c, int shift, int64_t *from, int64_t *to)
{
    int64_t now = cv_clock_now();
    *to = local_day(c, now > c->due_at ? now : c->due_at) + shift; /* a late run covers today */
    /* A first run looks back as far as a catch-up may: what fell due just before the job
     * existed is still worth one reminder. */
    *from = c->prev_due_at >= 0 ? local_day(c, c->prev_due_at) + shift + 1 : *to - WINDOW_MAX_DAYS;
    if (*from > *to)
        *from = *to; /* run again on the same day (run-now): the keys keep it once */
    if (*to - *from > WINDOW_MAX_DAYS)
        *from = *to - WINDOW_MAX_DAYS;
}

static void vn_date(const char *ymd, char out[11])
{
    snprintf(out, 11, "%.2s/%.2s/%.4s", ymd + 8, ymd + 5, ymd);
}

static int arg_int(const cv_sched_ctx *c, const char *key, int dflt, int lo, int hi, int *out,
                   cv_err *e)
{
    json_t *v = json_object_get(c->job->args, key);
    *out = v ? (int)json_integer_value(v) : dflt;
    if (v && (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi))
        return cv_err_set(e, CV_EINVAL, "job %s: args.%s must be an integer in %d..%d",
                          c->job->name, key, lo, hi);
    return 0;
}

int cv_remind_notify(cv_sched_ctx *c, void *data, cv_err *e)
{
    (void)data;
    const char *to = json_string_value(json_object_get(c->job->args, "to"));
    const char *subject = json_string_value(json_object_get(c->job->args, "subject"));
    const char *body = json_string_value(json_object_get(c->job->args, "body"));
    if (!to || !subject)
        return cv_err_set(e, CV_EINVAL, "job %s: a notify job needs args.to and args.subject",
                          c->job->name);
    char cause[700];
    snprintf(cause, sizeof cause, "%s:%lld", c->job->name, (long long)c->due_at);
    return cv_sched_notify(c, to, cause, subject, body ? body : subject, e);
}

/* The responsible unit and person of an item, as one phrase. */
static void who_phrase(const char *unit, const char *person, char *out, size_t cap)
{
    snprintf(out, cap, "%s%s%s", unit, *unit && *person ? ", " : "", *person ? person : "");
    if (!*out)
        snprintf(out, cap, "(chưa phân công)");
}

static int notify_item(cv_sched_ctx *c, sqlite3_stmt *st, int days, int64_t today, cv_err *e)
{
    const char *title = (const char *)sqlite3_column_text(st, 1);
    const char *unit = (const char *)sqlite3_column_text(st, 2);
    const char *person = (const char *)sqlite3_column_text(st, 3);
    const char *due = (const char *)sqlite3_column_text(st, 4);
    const char *org = (const char *)sqlite3_column_text(st, 5);
    char cause[800], subject[700], body[2400], who[1100], when[11];
    snprintf(cause, sizeof cause, "%s:%lld:%s", c->job->name,
             (long long)sqlite3_column_int64(st, 0), due);
    who_phrase(unit, person, who, sizeof who);
    vn_date(due, when);
    if (days >= 0) {
        long long left = (long long)(cv_date_days(due) - today);
        snprintf(subject, sizeof subject, "Nhắc việc: còn %lld ngày đến hạn – %s", left, title);
        snprintf(body, sizeof body,
                 "Công việc \"%s\" chuẩn bị Đại hội %s do %s phụ trách có hạn hoàn thành ngày %s "
                 "(còn %lld ngày). Đề nghị hoàn thành đúng hạn và báo cáo kết quả.",
                 title, org, who, when, left);
    } else {
        snprintf(subject, sizeof subject, "Quá hạn: %s", title);
        snprintf(body, sizeof body,
                 "Công việc \"%s\" chuẩn bị Đại hội %s do %s phụ trách đã quá hạn hoàn thành "
                 "(ngày %s) mà chưa hoàn thành. Đề nghị khẩn trương thực hiện và báo cáo.",
                 title, org, who, when);
    }
    int before = c->queued;
    if (cv_sched_notify(c, unit, cause, subject, body, e) < 0 ||
        (strcmp(unit, person) && cv_sched_notify(c, person, cause, subject, body, e) < 0))
        return e->code;
    if (days >= 0 || c->queued == before)
        return 0;
    /* Newly overdue (its reminder's key was new): say so in the journal, once, for Lua hooks. */
    return cv_journal_emit(c->s, "work_item.overdue", sqlite3_column_int64(st, 6),
                           json_pack("{s:I, s:s, s:s, s:s, s:s}", "id",
                                     (json_int_t)sqlite3_column_int64(st, 0), "title", title, "due",
                                     due, "unit", unit, "person", person),
                           NULL, e) < 0
               ? e->code
               : 0;
}

/* args.days >= 0: open items due that many days ahead; < 0: open items that many days overdue. */
int cv_remind_work_due(cv_sched_ctx *c, void *data, cv_err *e)
{
    (void)data;
    int days;
    int64_t from, to, today = local_day(c, cv_clock_now());
    if (arg_int(c, "days", 3, -366, 366, &days, e) < 0)
        return e->code;
    window(c, days, &from, &to);
    if (days >= 0 && from < today)
        from = today; /* items already past due get the overdue reminder instead */
    char lo[11], hi[11];
    cv_date_from_days(from, lo);
    cv_date_from_days(to, hi);
    sqlite3_stmt *st = cv_store_prepare(
        c->s,
        "SELECT w.id, w.title, w.unit, w.person, w.due, o.name, o.id FROM work_items w "
        "JOIN congresses k ON k.id = w.congress_id JOIN orgs o ON o.id = k.org_id "
        "WHERE w.status = 'open' AND w.due BETWEEN ?1 AND ?2 ORDER BY w.due, w.id",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, lo, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, hi, -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (notify_item(c, st, days, today, e) < 0) {
            sqlite3_reset(st);
            return e->code;
        }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : cv_store_fail(c->s, "reading work items", e);
}

/* Notifies the organisation and every unit and person with open work for the congress. */
static int notify_congress(cv_sched_ctx *c, int64_t congress, const char *org, const char *cause,
                           const char *subject, const char *body, int with_units, cv_err *e)
{
    if (cv_sched_notify(c, org, cause, subject, body, e) < 0)
        return e->code;
    if (!with_units)
        return 0;
    sqlite3_stmt *st = cv_store_prepare(c->s,
                                        "SELECT unit FROM work_items WHERE congress_id = ?1 AND "
                                        "status = 'open' AND unit <> '' UNION "
                                        "SELECT person FROM work_items WHERE congress_id = ?1 AND "
                                        "status = 'open' AND person <> '' ORDER BY 1",
                                        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, congress);
    json_t *names = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(names, json_string((const char *)sqlite3_column_text(st, 0)));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(names);
        return cv_store_fail(c->s, "reading units", e);
    }
    size_t i;
    json_t *n;
    json_array_foreach(names, i, n)
    {
        if (cv_sched_notify(c, json_string_value(n), cause, subject, body, e) < 0) {
            json_decref(names);
            return e->code;
        }
    }
    json_decref(names);
    return 0;
}

/* The congresses not yet held that open between from and to (day numbers), in id order. */
static sqlite3_stmt *congresses_opening(cv_sched_ctx *c, int64_t from, int64_t to, cv_err *e)
{
    char lo[11], hi[11];
    cv_date_from_days(from, lo);
    cv_date_from_days(to, hi);
    sqlite3_stmt *st = cv_store_prepare(
        c->s,
        "SELECT k.id, o.code, o.name, k.ordinal, coalesce(k.actual_start, k.planned_start) AS d, "
        "(SELECT count(*) FROM work_items w WHERE w.congress_id = k.id AND w.status = 'open') "
        "FROM congresses k JOIN orgs o ON o.id = k.org_id "
        "WHERE coalesce(k.actual_start, k.planned_start) BETWEEN ?1 AND ?2 AND k.status <> 'held' "
        "ORDER BY k.id",
        e);
    if (st) {
        sqlite3_bind_text(st, 1, lo, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, hi, -1, SQLITE_TRANSIENT);
    }
    return st;
}

int cv_remind_congress_soon(cv_sched_ctx *c, void *data, cv_err *e)
{
    (void)data;
    int days, rc;
    int64_t from, to;
    if (arg_int(c, "days", 7, 0, 366, &days, e) < 0)
        return e->code;
    window(c, days, &from, &to);
    int64_t today = local_day(c, cv_clock_now());
    if (from < today)
        from = today; /* a congress whose day has come is past reminding */
    sqlite3_stmt *st = congresses_opening(c, from, to, e);
    if (!st)
        return e->code;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        long long open = sqlite3_column_int64(st, 5);
        if (open == 0)
            continue;
        const char *name = (const char *)sqlite3_column_text(st, 2);
        const char *start = (const char *)sqlite3_column_text(st, 4);
        char cause[700], subject[700], body[1600], when[11], roman[16];
        cv_text_roman(sqlite3_column_int(st, 3), roman);
        vn_date(start, when);
        snprintf(cause, sizeof cause, "%s:%lld:%s", c->job->name,
                 (long long)sqlite3_column_int64(st, 0), start);
        snprintf(subject, sizeof subject, "Còn %d ngày đến Đại hội %s: %lld công việc chưa xong",
                 days, name, open);
        snprintf(body, sizeof body,
                 "Đại hội %s lần thứ %s khai mạc ngày %s. Còn %lld công việc chuẩn bị chưa hoàn "
                 "thành; đề nghị các đơn vị, cá nhân phụ trách khẩn trương hoàn thành.",
                 name, roman, when, open);
        if (notify_congress(c, sqlite3_column_int64(st, 0),
                            (const char *)sqlite3_column_text(st, 1), cause, subject, body, 1,
                            e) < 0)
            break;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return e->code;
    return rc == SQLITE_DONE ? 0 : cv_store_fail(c->s, "reading congresses", e);
}

/* The day number n working days before day number d. */
static int announce_day(cv_sched_ctx *c, int64_t d, int n, int64_t *out, cv_err *e)
{
    char ymd[11], back[11];
    cv_date_from_days(d, ymd);
    if (cv_calendar_working_days_before(c->s, ymd, n, back, e) < 0)
        return e->code;
    *out = cv_date_days(back);
    return 0;
}

/* The first opening day in [lo, hi] whose announcement day is >= limit (hi + 1 if none). The
 * announcement day never decreases as the opening day grows, so a binary search finds it. */
static int first_opening(cv_sched_ctx *c, int64_t lo, int64_t hi, int64_t limit, int n,
                         int64_t *out, cv_err *e)
{
    hi++;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2, a = 0;
        if (announce_day(c, mid, n, &a, e) < 0)
            return e->code;
        if (a >= limit)
            hi = mid;
        else
            lo = mid + 1;
    }
    *out = lo;
    return 0;
}

/* Announces each congress whose opening day lies args.working_days working days after a day
 * of the window (holidays from the calendar; Saturdays and Sundays are not working days). */
int cv_remind_congress_announce(cv_sched_ctx *c, void *data, cv_err *e)
{
    (void)data;
    int n, rc;
    int64_t from, to;
    if (arg_int(c, "working_days", 30, 1, 250, &n, e) < 0)
        return e->code;
    window(c, 0, &from, &to);
    /* n working days span at most n/5 weeks plus the holidays between: 3n + 30 days is ample.
     * The congresses to announce are exactly those opening in [lo, hi). */
    int64_t lo, hi, top = to + 3 * (int64_t)n + 30;
    if (first_opening(c, from + n, top, from, n, &lo, e) < 0 ||
        first_opening(c, lo, top, to + 1, n, &hi, e) < 0)
        return e->code;
    if (hi <= lo)
        return 0;
    json_t *due = json_array();
    sqlite3_stmt *st = congresses_opening(c, lo, hi - 1, e);
    if (!st) {
        json_decref(due);
        return e->code;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(
            due,
            json_pack("{s:I, s:s, s:s, s:i, s:s}", "id", (json_int_t)sqlite3_column_int64(st, 0),
                      "org", sqlite3_column_text(st, 1), "name", sqlite3_column_text(st, 2),
                      "ordinal", sqlite3_column_int(st, 3), "start", sqlite3_column_text(st, 4)));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(due);
        return cv_store_fail(c->s, "reading congresses", e);
    }
    size_t i;
    json_t *k;
    rc = 0;
    json_array_foreach(due, i, k)
    {
        const char *start = json_string_value(json_object_get(k, "start"));
        const char *name = json_string_value(json_object_get(k, "name"));
        char day[11], cause[700], subject[700], body[1600], when[11], roman[16];
        if ((rc = cv_calendar_working_days_before(c->s, start, n, day, e)) < 0)
            break;
        if (cv_date_days(day) < from || cv_date_days(day) > to)
            continue;
        cv_text_roman((int)json_integer_value(json_object_get(k, "ordinal")), roman);
        vn_date(start, when);
        snprintf(cause, sizeof cause, "%s:%lld:%s", c->job->name,
                 (long long)json_integer_value(json_object_get(k, "id")), start);
        snprintf(subject, sizeof subject, "Thông báo: Đại hội %s khai mạc ngày %s", name, when);
        snprintf(body, sizeof body,
                 "Theo kế hoạch, Đại hội %s lần thứ %s khai mạc ngày %s. Thông báo này gửi trước "
                 "%d ngày làm việc (không kể thứ Bảy, Chủ nhật và ngày nghỉ lễ).",
                 name, roman, when, n);
        if ((rc = notify_congress(c, 0, json_string_value(json_object_get(k, "org")), cause,
                                  subject, body, 0, e)) < 0)
            break;
    }
    json_decref(due);
    return rc;
}

int cv_remind_phase_changed(cv_sched_ctx *c, void *data, cv_err *e)
{
    (void)data;
    if (!c->event)
        return 0; /* run-now of an event job has nothing to announce */
    json_t *d = c->event->data;
    /* A campaign's phase (core/lua) carries its title; other emitters may give a name. */
    const char *phase = json_string_value(json_object_get(d, "title"));
    if (!phase || !*phase)
        phase = json_string_value(json_object_get(d, "phase"));
    if (!phase)
        phase = json_string_value(json_object_get(d, "name"));
    if (!phase)
        phase = "(không tên)";
    int started = strcmp(c->event->type, "phase.started") == 0;
    char org[CV_CODE_MAX] = "", name[CV_NAME_MAX] = "", cause[700], subject[700], body[1600];
    sqlite3_stmt *st = cv_store_prepare(c->s, "SELECT code, name FROM orgs WHERE id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, c->event->org_id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(org, sizeof org, "%s", sqlite3_column_text(st, 0));
        snprintf(name, sizeof name, "%s", sqlite3_column_text(st, 1));
    }
    sqlite3_reset(st);
    char day[11], when[11];
    cv_clock_date(c->event->at, c->offset_min, day);
    vn_date(day, when);
    snprintf(cause, sizeof cause, "%s:event:%lld", c->job->name, (long long)c->event->id);
    snprintf(subject, sizeof subject, "%s giai đoạn: %.400s", started ? "Bắt đầu" : "Kết thúc",
             phase);
    snprintf(body, sizeof body, "%s%sGiai đoạn \"%.400s\" %s từ ngày %s.", name, *name ? ": " : "",
             phase, started ? "bắt đầu" : "kết thúc", when);
    const char *extra = json_string_value(json_object_get(d, "notify"));
    if ((*org && cv_sched_notify(c, org, cause, subject, body, e) < 0) ||
        (extra && cv_sched_notify(c, extra, cause, subject, body, e) < 0))
        return e->code;
    return 0;
}

/* Comment rounds (core/docs) whose deadline is args.days ahead: each recipient that has not
 * answered yet (an organisation by its code, others by their key). */
int cv_remind_document_deadline(cv_sched_ctx *c, void *data, cv_err *e)
{
    (void)data;
    int days, rc;
    int64_t from, to, today = local_day(c, cv_clock_now());
    if (arg_int(c, "days", 2, 0, 366, &days, e) < 0)
        return e->code;
    window(c, days, &from, &to);
    if (from < today)
        from = today;
    char lo[11], hi[11];
    cv_date_from_days(from, lo);
    cv_date_from_days(to, hi);
    sqlite3_stmt *st = cv_store_prepare(
        c->s,
        "SELECT r.id, r.deadline, d.title, o.name, rr.key, rr.name FROM comment_rounds r "
        "JOIN documents d ON d.id = r.document_id JOIN congresses k ON k.id = d.congress_id "
        "JOIN orgs o ON o.id = k.org_id JOIN round_recipients rr ON rr.round_id = r.id "
        "WHERE r.status = 'open' AND rr.responded_on IS NULL AND r.deadline BETWEEN ?1 AND ?2 "
        "ORDER BY r.id, rr.id",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, lo, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, hi, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *deadline = (const char *)sqlite3_column_text(st, 1);
        const char *title = (const char *)sqlite3_column_text(st, 2);
        const char *key = (const char *)sqlite3_column_text(st, 4);
        char cause[1200], subject[700], body[2400], when[11];
        long long left = (long long)(cv_date_days(deadline) - today);
        vn_date(deadline, when);
        snprintf(cause, sizeof cause, "%s:%lld:%s:%s", c->job->name,
                 (long long)sqlite3_column_int64(st, 0), deadline, key);
        snprintf(subject, sizeof subject, "Sắp hết hạn góp ý: %s", title);
        snprintf(body, sizeof body,
                 "Đề nghị %s gửi ý kiến góp ý dự thảo \"%s\" (Đại hội %s) trước ngày %s "
                 "(còn %lld ngày).",
                 sqlite3_column_text(st, 5), title, sqlite3_column_text(st, 3), when, left);
        if (cv_sched_notify(c, key, cause, subject, body, e) < 0)
            break;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return e->code;
    return rc == SQLITE_DONE ? 0 : cv_store_fail(c->s, "reading comment rounds", e);
}

/* Congresses opening args.days ahead with complaints or denunciations (core/elect) still open. */
int cv_remind_complaints(cv_sched_ctx *c, void *data, cv_err *e)
{
    (void)data;
    int days, rc;
    int64_t from, to, today = local_day(c, cv_clock_now());
    if (arg_int(c, "days", 10, 0, 366, &days, e) < 0)
        return e->code;
    window(c, days, &from, &to);
    if (from < today)
        from = today;
    sqlite3_stmt *st = congresses_opening(c, from, to, e);
    if (!st)
        return e->code;
    sqlite3_stmt *count = cv_store_prepare(
        c->s, "SELECT count(*) FROM complaints WHERE congress_id = ?1 AND status = 'open'", e);
    if (!count) {
        sqlite3_reset(st);
        return e->code;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite3_bind_int64(count, 1, sqlite3_column_int64(st, 0));
        long long open = sqlite3_step(count) == SQLITE_ROW ? sqlite3_column_int64(count, 0) : 0;
        sqlite3_reset(count);
        if (open == 0)
            continue;
        const char *name = (const char *)sqlite3_column_text(st, 2);
        const char *start = (const char *)sqlite3_column_text(st, 4);
        char cause[700], subject[700], body[1600], when[11];
        vn_date(start, when);
        snprintf(cause, sizeof cause, "%s:%lld:%s", c->job->name,
                 (long long)sqlite3_column_int64(st, 0), start);
        snprintf(subject, sizeof subject, "Còn %lld đơn thư chưa giải quyết trước Đại hội %s", open,
                 name);
        snprintf(body, sizeof body,
                 "Đại hội %s khai mạc ngày %s; còn %lld đơn khiếu nại, tố cáo chưa giải quyết "
                 "xong. Đề nghị giải quyết dứt điểm trước Đại hội.",
                 name, when, open);
        if (cv_sched_notify(c, (const char *)sqlite3_column_text(st, 1), cause, subject, body, e) <
            0)
            break;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return e->code;
    return rc == SQLITE_DONE ? 0 : cv_store_fail(c->s, "reading congresses", e);
}
