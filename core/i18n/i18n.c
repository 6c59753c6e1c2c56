/* i18n.c: reads the catalogues msgfmt compiled from web/po/<lang>.po (the GNU .mo format: a
 * header, then two tables of (length, offset) pairs, originals sorted by msgfmt, so a lookup is
 * a binary search) and writes dates and numbers the way each language does. glibc's gettext
 * chooses a catalogue by the process's locale; a server answers accounts of both languages at
 * once and cannot rely on the machine having vi_VN generated, hence this small reader. */
#include "i18n.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MO_MAGIC    0x950412deu
#define MO_MAX_SIZE (8u << 20) /* a catalogue larger than 8 MB is refused */

typedef struct catalogue {
    char *data;
    size_t size;
    uint32_t n, originals, translations;
} catalogue;

static catalogue cats[2]; /* indexed by cv_lang; English stays empty */
static _Thread_local cv_lang thread_lang = CV_LANG_EN;

cv_lang cv_i18n_lang(const char *name)
{
    return name && strncmp(name, "en", 2) == 0 ? CV_LANG_EN : CV_LANG_VI;
}

const char *cv_i18n_lang_code(cv_lang lang)
{
    return lang == CV_LANG_EN ? "en" : "vi";
}

cv_lang cv_i18n_env_lang(void)
{
    static const char *const vars[] = {"CONVENE_LANG", "LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return strncmp(v, "vi", 2) == 0 ? CV_LANG_VI : CV_LANG_EN;
    }
    return CV_LANG_EN;
}

static uint32_t u32(const catalogue *c, size_t off)
{
    uint32_t v;
    memcpy(&v, c->data + off, sizeof v);
    return v;
}

/* The i-th string of the table at tab; NULL if its bounds are not inside the file or it is not
 * NUL-terminated where its length says. */
static const char *entry(const catalogue *c, uint32_t tab, uint32_t i)
{
    uint64_t at = (uint64_t)tab + 8u * (uint64_t)i;
    if (at + 8 > c->size)
        return NULL;
    uint64_t len = u32(c, (size_t)at), off = u32(c, (size_t)at + 4);
    if (off + len >= c->size || c->data[off + len] != '\0')
        return NULL;
    return c->data + off;
}

/* Checks the header and every entry once, so lookups need no checks. */
static int validate(catalogue *c, const char *path, cv_err *e)
{
    if (c->size < 28 || u32(c, 0) != MO_MAGIC)
        return cv_err_set(e, CV_EINVAL, "%s: not a compiled gettext catalogue (.mo)", path);
    c->n = u32(c, 8);
    c->originals = u32(c, 12);
    c->translations = u32(c, 16);
    const char *prev = NULL;
    for (uint32_t i = 0; i < c->n; i++) {
        const char *o = entry(c, c->originals, i), *t = entry(c, c->translations, i);
        if (!o || !t)
            return cv_err_set(e, CV_EINVAL, "%s: entry %u lies outside the file", path, i);
        if (prev && strcmp(prev, o) >= 0)
            return cv_err_set(e, CV_EINVAL, "%s: entries are not sorted at %u", path, i);
        prev = o;
    }
    return 0;
}

static int load_one(const char *path, catalogue *out, cv_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return cv_err_set(e, CV_EIO, "%s: cannot open the catalogue", path);
    catalogue c = {.data = malloc(MO_MAX_SIZE + 1)};
    int rc = 0;
    if (!c.data)
        rc = cv_err_set(e, CV_ENOMEM, "%s: out of memory", path);
    else if ((c.size = fread(c.data, 1, MO_MAX_SIZE + 1, f)) > MO_MAX_SIZE)
        rc = cv_err_set(e, CV_ELIMIT, "%s: larger than %u bytes", path, MO_MAX_SIZE);
    else if (ferror(f))
        rc = cv_err_set(e, CV_EIO, "%s: cannot read the catalogue", path);
    else
        rc = validate(&c, path, e);
    fclose(f);
    if (rc < 0) {
        free(c.data);
        return rc;
    }
    *out = c;
    return 0;
}

static const char *default_dir(void)
{
    const char *env = getenv("CONVENE_LOCALE_DIR");
    if (env && *env)
        return env;
    FILE *probe = fopen(CONVENE_BUILD_LOCALE_DIR "/vi.mo", "rb");
    if (probe) {
        fclose(probe);
        return CONVENE_BUILD_LOCALE_DIR;
    }
    return CONVENE_INSTALL_LOCALE_DIR;
}

/* cv_err_set's translator: a refusal in the calling thread's language. */
static const char *err_translate(const char *fmt)
{
    return thread_lang == CV_LANG_VI ? cv_tr(CV_LANG_VI, fmt) : fmt;
}

int cv_i18n_load(const char *dir, cv_err *e)
{
    char path[1024];
    catalogue vi;
    if (!dir)
        dir = default_dir();
    if ((size_t)snprintf(path, sizeof path, "%s/vi.mo", dir) >= sizeof path)
        return cv_err_set(e, CV_ELIMIT, "the catalogue folder's path is too long");
    if (load_one(path, &vi, e) < 0)
        return e->code;
    free(cats[CV_LANG_VI].data);
    cats[CV_LANG_VI] = vi;
    cv_err_translator(err_translate);
    return 0;
}

cv_lang cv_i18n_use(cv_lang lang)
{
    cv_lang was = thread_lang;
    thread_lang = lang;
    return was;
}

void cv_i18n_unload(void)
{
    cv_err_translator(NULL);
    free(cats[CV_LANG_VI].data);
    memset(cats, 0, sizeof cats);
}

const char *cv_tr(cv_lang lang, const char *msgid)
{
    const catalogue *c = &cats[lang == CV_LANG_EN ? CV_LANG_EN : CV_LANG_VI];
    uint32_t lo = 0, hi = c->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(msgid, entry(c, c->originals, mid));
        if (cmp == 0) {
            const char *t = entry(c, c->translations, mid);
            return *t ? t : msgid;
        }
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return msgid;
}

/* Appends n bytes of s to out[cap] at *len, as far as they fit. */
static void put(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
    if (*len + n >= cap)
        n = cap - 1 - *len;
    memcpy(out + *len, s, n);
    *len += n;
    out[*len] = '\0';
}

void cv_i18n_fmt(char *out, size_t cap, const char *msg, ...)
{
    va_list ap;
    size_t len = 0;
    const char *p;
    if (cap == 0)
        return;
    out[0] = '\0';
    va_start(ap, msg);
    while ((p = strchr(msg, '%')) != NULL) {
        put(out, cap, &len, msg, (size_t)(p - msg));
        if (p[1] == 's') {
            const char *arg = va_arg(ap, const char *);
            if (arg)
                put(out, cap, &len, arg, strlen(arg));
        } else if (p[1] == '%') {
            put(out, cap, &len, "%", 1);
        }
        msg = p[1] ? p + 2 : p + 1;
    }
    put(out, cap, &len, msg, strlen(msg));
    va_end(ap);
}

void cv_i18n_date(cv_lang lang, const char *iso, char *out, size_t cap)
{
    int y, m, d, n = 0;
    if (lang == CV_LANG_VI && iso && strlen(iso) >= 10 &&
        sscanf(iso, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && n == 10) {
        snprintf(out, cap, "%02d/%02d/%04d", d, m, y);
        return;
    }
    snprintf(out, cap, "%.10s", iso ? iso : "");
}

/* Inserts sep every three digits from the right of the integer digits in, into out. */
static size_t group(const char *in, char sep, char *out, size_t cap)
{
    size_t len = strlen(in), o = 0;
    for (size_t i = 0; i < len && o + 2 < cap; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            out[o++] = sep;
        out[o++] = in[i];
    }
    out[o] = '\0';
    return o;
}

void cv_i18n_number(cv_lang lang, double n, int decimals, char *out, size_t cap)
{
    char digits[64], grouped[96];
    if (decimals < 0)
        decimals = 0;
    if (decimals > 3)
        decimals = 3;
    if (!isfinite(n) || fabs(n) >= 1e15) {
        snprintf(out, cap, "%s", "?");
        return;
    }
    double scale = pow(10, decimals), r = round(fabs(n) * scale);
    long long whole = (long long)(r / scale), frac = (long long)fmod(r, scale);
    snprintf(digits, sizeof digits, "%lld", whole);
    char thousands = lang == CV_LANG_VI ? '.' : ',', point = lang == CV_LANG_VI ? ',' : '.';
    group(digits, thousands, grouped, sizeof grouped);
    const char *sign = n < 0 && r > 0 ? "-" : "";
    if (decimals == 0)
        snprintf(out, cap, "%s%s", sign, grouped);
    else
        snprintf(out, cap, "%s%s%c%0*lld", sign, grouped, point, decimals, frac);
}
