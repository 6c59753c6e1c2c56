/* rehearsal.h: `convene script test`: a package rehearsed on a simulated clock against a scenario
 * (format in rehearsal.c and README.md), printing the timeline to out. */
#ifndef CV_LUA_REHEARSAL_H
#define CV_LUA_REHEARSAL_H

#include <stdio.h>

#include "base/error.h"

/* Runs the package at path through scenario. *failed receives how many of the scenario's
 * expectations were missing from the timeline. */
int cv_lua_rehearse(const char *path, const char *scenario, FILE *out, int *failed, cv_err *e);

#endif
