/* json.h: the one accessor every JSON reader here needs: a member's string, "" when it is missing
 * or not a string (for printing and report rows). */
#ifndef CV_BASE_JSON_H
#define CV_BASE_JSON_H

#include <jansson.h>

static inline const char *cv_json_text(const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : "";
}

#endif
