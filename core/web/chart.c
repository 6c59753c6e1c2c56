/* chart.c: bars and the burn-up chart as SVG (see chart.h). Coordinates are integers in a fixed
 * viewBox; the SVG scales to its container's width. */
#include "chart.h"

#include <string.h>

#include "base/date.h"
#include "base/json.h"
#include "web/page.h"

void cv_chart_bar(cv_html *h, long long part, long long total, const char *label)
{
    long long w = total > 0 ? (part * 1000 + total / 2) / total : 0;
    cv_html_put(h,
                "<svg class=\"bar\" viewBox=\"0 0 1000 20\" preserveAspectRatio=\"none\" "
                "role=\"img\" aria-label=\"{}\"><rect class=\"bar-bg\" width=\"1000\" "
                "height=\"20\"/><rect class=\"bar-fill\" height=\"20\" width=\"",
                label);
    cv_html_int(h, w);
    cv_html_raw(h, "\"/></svg>");
}

enum { W = 720, H = 260, LEFT = 44, RIGHT = 12, TOP = 12, BOTTOM = 40 };

struct axes {
    long long d0, d1, total;
};

static long long x_of(const struct axes *a, long long day)
{
    long long span = a->d1 > a->d0 ? a->d1 - a->d0 : 1;
    return LEFT + (day - a->d0) * (W - LEFT - RIGHT) / span;
}

static long long y_of(const struct axes *a, long long n)
{
    long long t = a->total > 0 ? a->total : 1;
    return H - BOTTOM - n * (H - TOP - BOTTOM) / t;
}

/* The days the chart spans: every window and every held day, and today. */
static void span(const json_t *burnup, const char *today, struct axes *a)
{
    a->d0 = a->d1 = cv_date_days(today);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(burnup, "windows"), i, v)
    {
        long long o = cv_date_days(cv_json_text(v, "opens")),
                  c = cv_date_days(cv_json_text(v, "closes"));
        a->d0 = o < a->d0 ? o : a->d0;
        a->d1 = c > a->d1 ? c : a->d1;
    }
    json_array_foreach(json_object_get(burnup, "held"), i, v)
    {
        long long d = cv_date_days(json_string_value(json_array_get(v, 0)));
        a->d0 = d < a->d0 ? d : a->d0;
    }
    a->total = json_integer_value(json_object_get(burnup, "total"));
}

static void windows(const cv_web_req *r, const json_t *burnup, const struct axes *a, cv_html *h)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(burnup, "windows"), i, v)
    {
        long long x0 = x_of(a, cv_date_days(cv_json_text(v, "opens")));
        long long x1 = x_of(a, cv_date_days(cv_json_text(v, "closes")));
        cv_html_raw(h, "<rect class=\"window\" x=\"");
        cv_html_int(h, x0);
        cv_html_raw(h, "\" y=\"");
        cv_html_int(h, TOP + (long long)(i % 3) * 4);
        cv_html_raw(h, "\" width=\"");
        cv_html_int(h, x1 - x0 > 1 ? x1 - x0 : 1);
        cv_html_raw(h, "\" height=\"");
        cv_html_int(h, H - TOP - BOTTOM - (long long)(i % 3) * 4);
        cv_html_raw(h, "\"/><text class=\"window-label\" x=\"");
        cv_html_int(h, x0 + 4);
        cv_html_raw(h, "\" y=\"");
        cv_html_int(h, TOP + 14 + (long long)i * 14);
        cv_html_put(h, "\">{}</text>", cv_page_level(r, cv_json_text(v, "level")));
    }
}

static void line(const json_t *burnup, const struct axes *a, long long today, cv_html *h)
{
    cv_html_raw(h, "<polyline class=\"held\" points=\"");
    long long prev = 0;
    cv_html_int(h, x_of(a, a->d0));
    cv_html_raw(h, ",");
    cv_html_int(h, y_of(a, 0));
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(burnup, "held"), i, v)
    {
        long long x = x_of(a, cv_date_days(json_string_value(json_array_get(v, 0))));
        long long n = json_integer_value(json_array_get(v, 1));
        cv_html_raw(h, " ");
        cv_html_int(h, x);
        cv_html_raw(h, ",");
        cv_html_int(h, y_of(a, prev));
        cv_html_raw(h, " ");
        cv_html_int(h, x);
        cv_html_raw(h, ",");
        cv_html_int(h, y_of(a, n));
        prev = n;
    }
    cv_html_raw(h, " ");
    cv_html_int(h, x_of(a, today));
    cv_html_raw(h, ",");
    cv_html_int(h, y_of(a, prev));
    cv_html_raw(h, "\"/>");
}

/* The axes: the total as a dashed line, the first and last day and today as labels. */
static void frame(const cv_web_req *r, const struct axes *a, long long today, cv_html *h)
{
    char d[11], buf[32];
    cv_html_raw(h, "<line class=\"axis\" x1=\"");
    cv_html_int(h, LEFT);
    cv_html_raw(h, "\" x2=\"");
    cv_html_int(h, W - RIGHT);
    cv_html_raw(h, "\" y1=\"");
    cv_html_int(h, H - BOTTOM);
    cv_html_raw(h, "\" y2=\"");
    cv_html_int(h, H - BOTTOM);
    cv_html_raw(h, "\"/><line class=\"total\" x1=\"");
    cv_html_int(h, LEFT);
    cv_html_raw(h, "\" x2=\"");
    cv_html_int(h, W - RIGHT);
    cv_html_raw(h, "\" y1=\"");
    cv_html_int(h, y_of(a, a->total));
    cv_html_raw(h, "\" y2=\"");
    cv_html_int(h, y_of(a, a->total));
    cv_html_put(h, "\"/><text class=\"tick\" x=\"4\" y=\"");
    cv_html_int(h, y_of(a, a->total) + 4);
    cv_html_put(h, "\">{}</text><text class=\"tick\" x=\"4\" y=\"",
                cv_page_num(r, (double)a->total, 0, buf));
    cv_html_int(h, H - BOTTOM + 4);
    cv_html_raw(h, "\">0</text>");
    long long days[3] = {a->d0, today, a->d1};
    const char *anchor[3] = {"start", "middle", "end"};
    long long xt = x_of(a, today);
    for (int i = 0; i < 3; i++) {
        /* Today's label only where it does not run into the first or last day's. */
        if (i == 1 && (xt - LEFT < 120 || W - RIGHT - xt < 120))
            continue;
        cv_date_from_days(days[i], d);
        cv_html_raw(h, "<text class=\"tick\" y=\"");
        cv_html_int(h, H - BOTTOM + 18 + (i == 1) * 14);
        cv_html_raw(h, "\" x=\"");
        cv_html_int(h, x_of(a, days[i]));
        cv_html_put(h, "\" text-anchor=\"{}\">{}</text>", anchor[i], cv_page_date(r, d, buf));
    }
    cv_html_raw(h, "<line class=\"today\" y1=\"");
    cv_html_int(h, TOP);
    cv_html_raw(h, "\" y2=\"");
    cv_html_int(h, H - BOTTOM);
    cv_html_raw(h, "\" x1=\"");
    cv_html_int(h, x_of(a, today));
    cv_html_raw(h, "\" x2=\"");
    cv_html_int(h, x_of(a, today));
    cv_html_raw(h, "\"/>");
}

void cv_chart_burnup(const cv_web_req *r, const json_t *burnup, const char *today, cv_html *h)
{
    struct axes a;
    char n1[32], n2[32], d[32];
    span(burnup, today, &a);
    json_t *held = json_object_get(burnup, "held");
    long long done =
        json_array_size(held)
            ? json_integer_value(json_array_get(json_array_get(held, json_array_size(held) - 1), 1))
            : 0;
    cv_html_raw(h, "<figure class=\"burnup\"><svg viewBox=\"0 0 720 260\" role=\"img\" "
                   "aria-labelledby=\"burnup-caption\">");
    windows(r, burnup, &a, h);
    frame(r, &a, cv_date_days(today), h);
    line(burnup, &a, cv_date_days(today), h);
    cv_html_raw(h, "</svg><figcaption id=\"burnup-caption\">");
    cv_html_say(h,
                _("Congresses held per day in this subtree: %s of %s by %s; shaded: the "
                  "windows of the term"),
                cv_page_num(r, (double)done, 0, n1), cv_page_num(r, (double)a.total, 0, n2),
                cv_page_date(r, today, d));
    cv_html_raw(h, "</figcaption></figure>\n");
}
