/* template.c: the default Vietnamese notification texts and their rendering. It owns the
 * {{name}} syntax; it never queues or sends anything. */
#include "notify/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIGNATURE "\n\n--\nThông báo tự động của convene. Xin đừng trả lời thư này."
#define TEXT_MAX  65536

typedef struct template
{
    const char *name, *subject, *body;
}
template;

static const template templates[] = {
    {"message", "[convene] {{subject}}", "{{body}}" SIGNATURE},
    {"reminder", "[convene] Nhắc việc: {{title}}",
     "Kính gửi: {{recipient}}.\n\nViệc \"{{title}}\" của {{org}} đến hạn ngày {{due}}."
     "\nĐề nghị đồng chí hoàn thành đúng hạn và cập nhật kết quả." SIGNATURE},
    {"overdue", "[convene] Quá hạn: {{title}}",
     "Kính gửi: {{recipient}}.\n\nViệc \"{{title}}\" của {{org}} đã quá hạn từ ngày "
     "{{due}}.\nĐề nghị đồng chí báo cáo tiến độ và thời gian hoàn thành." SIGNATURE},
    {"congress", "[convene] Đại hội {{org}}",
     "Kính gửi: {{recipient}}.\n\nĐại hội {{org}} dự kiến tổ chức ngày {{date}}."
     "\nĐề nghị đồng chí rà soát các việc chuẩn bị còn lại." SIGNATURE},
};
enum { TEMPLATES = sizeof templates / sizeof templates[0] };

const char *const cv_template_names[] = {"message", "reminder", "overdue", "congress", NULL};

static const template *find(const char *name)
{
    for (int i = 0; i < TEMPLATES; i++)
        if (strcmp(templates[i].name, name) == 0)
            return &templates[i];
    return NULL;
}

static const char *var(const char *const *vars, const char *name, size_t len)
{
    for (; vars && vars[0] && vars[1]; vars += 2)
        if (strlen(vars[0]) == len && strncmp(vars[0], name, len) == 0)
            return vars[1];
    return NULL;
}

/* Appends n bytes of s to the buffer *out of length *len (capacity TEXT_MAX + 1). */
static int append(char *out, size_t *len, const char *s, size_t n, cv_err *e)
{
    if (*len + n > TEXT_MAX)
        return cv_err_set(e, CV_ELIMIT, N_("a rendered notification is longer than %d bytes"),
                          TEXT_MAX);
    memcpy(out + *len, s, n);
    *len += n;
    out[*len] = '\0';
    return 0;
}

int cv_template_expand(const char *tmpl, const char *const *vars, char **out, cv_err *e)
{
    char *buf = malloc(TEXT_MAX + 1);
    size_t len = 0;
    if (!buf)
        return cv_err_set(e, CV_ENOMEM, N_("out of memory"));
    buf[0] = '\0';
    const char *p = tmpl;
    while (*p) {
        const char *open = strstr(p, "{{"), *close = open ? strstr(open + 2, "}}") : NULL;
        if (!close) {
            if (append(buf, &len, p, strlen(p), e) < 0)
                goto fail;
            break;
        }
        const char *v = var(vars, open + 2, (size_t)(close - open - 2));
        if (!v) {
            cv_err_set(e, CV_EINVAL, N_("the template needs a value for {{%.*s}}"),
                       (int)(close - open - 2), open + 2);
            goto fail;
        }
        if (append(buf, &len, p, (size_t)(open - p), e) < 0 ||
            append(buf, &len, v, strlen(v), e) < 0)
            goto fail;
        p = close + 2;
    }
    *out = buf;
    return 0;
fail:
    free(buf);
    return e->code;
}

/* The text of one part of a template: the admins' override if set, else the default. */
static const char *text_of(cv_store *s, const template *t, const char *part, char *buf, size_t cap)
{
    char key[96];
    cv_err unset;
    snprintf(key, sizeof key, "notify.template.%s.%s", t->name, part);
    if (cv_store_setting_get(s, key, buf, cap, &unset) == 0)
        return buf;
    return strcmp(part, "subject") == 0 ? t->subject : t->body;
}

int cv_template_render(cv_store *s, const char *name, const char *const *vars, char **subject,
                       char **body, cv_err *e)
{
    const template *t = find(name);
    if (!t)
        return cv_err_set(e, CV_ENOTFOUND,
                          N_("no template '%s' (message, reminder, overdue, congress)"), name);
    char *buf = malloc(TEXT_MAX + 1);
    if (!buf)
        return cv_err_set(e, CV_ENOMEM, N_("out of memory"));
    *subject = *body = NULL;
    int rc = cv_template_expand(text_of(s, t, "subject", buf, TEXT_MAX + 1), vars, subject, e);
    if (rc == 0)
        rc = cv_template_expand(text_of(s, t, "body", buf, TEXT_MAX + 1), vars, body, e);
    free(buf);
    if (rc < 0) {
        free(*subject);
        *subject = NULL;
    }
    return rc;
}

int cv_template_set(cv_store *s, const char *key, const char *text, cv_err *e)
{
    const char *name = key + strlen("notify.template."), *dot = strrchr(name, '.');
    char n[32];
    if (!dot || (size_t)(dot - name) >= sizeof n ||
        (strcmp(dot, ".subject") != 0 && strcmp(dot, ".body") != 0))
        return cv_err_set(e, CV_EINVAL,
                          N_("a template setting is notify.template.NAME.subject|body"));
    memcpy(n, name, (size_t)(dot - name));
    n[dot - name] = '\0';
    if (!find(n))
        return cv_err_set(e, CV_ENOTFOUND,
                          N_("no template '%s' (message, reminder, overdue, congress)"), n);
    if (strlen(text) > TEXT_MAX / 4)
        return cv_err_set(e, CV_ELIMIT, N_("a template is at most %d bytes"), TEXT_MAX / 4);
    return cv_store_setting_set(s, key, text, e);
}
