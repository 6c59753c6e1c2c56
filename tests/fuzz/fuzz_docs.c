/* fuzz_docs.c: libFuzzer target for the text parsers of core/docs: the recipient list splitter
 * and plan references ("35-CT/TW@2019-05-30"). Any bytes either parse into items and parts that
 * hold together or are refused; nothing crashes or reads out of bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "docs/common.h"
#include "docs/plan.h"

static int check_item(const char *item, void *ctx)
{
    size_t n = strlen(item);
    (*(size_t *)ctx)++;
    if (n == 0 || item[0] == ' ' || item[n - 1] == ' ' || strchr(item, ';'))
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    cv_err e;
    cv_plan_ref r;
    if (cv_plan_ref_parse(s, &r, &e) == 0) {
        if (r.id == 0 && (r.number[0] == '\0' || strchr(r.number, '@')))
            abort();
        if (r.date[0] && strlen(r.date) != 10)
            abort();
    }
    size_t items = 0;
    cv_docs_split(s, ';', check_item, &items, "recipients", &e);
    free(s);
    return 0;
}
