/* chart.h: charts drawn by the server as inline SVG, each with a text alternative, so they need
 * no script and read out to a screen reader. Internal to web/. */
#ifndef CV_WEB_CHART_H
#define CV_WEB_CHART_H

#include <jansson.h>

#include "web/web.h"

/* A horizontal bar: part of total filled; label is its text alternative. */
void cv_chart_bar(cv_html *h, long long part, long long total, const char *label);

/* Congresses held per day, cumulative, against the term's windows (cv_web_scope's "burnup")
 * up to today. */
void cv_chart_burnup(const cv_web_req *r, const json_t *burnup, const char *today, cv_html *h);

#endif
