/* fuzz_template.c: libFuzzer target for the notification templates' {{name}} expansion. The
 * input is a template, a NUL, then a value given to every known placeholder. A template without
 * "{{" must come out unchanged; every result stays within its bound and is NUL-terminated. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notify/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 2);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = s[size + 1] = '\0';
    const char *value = s + strlen(s) + 1 <= s + size ? s + strlen(s) + 1 : "";
    const char *vars[] = {"title", value, "org", value, "due", value, "", value, NULL};
    char *out = NULL;
    cv_err e;
    if (cv_template_expand(s, vars, &out, &e) == 0) {
        if (strlen(out) > 65536 || (!strstr(s, "{{") && strcmp(out, s) != 0))
            abort();
        free(out);
    } else if (e.code != CV_EINVAL && e.code != CV_ELIMIT) {
        abort();
    }
    free(s);
    return 0;
}
