/* luapkg.h: Lua package folders for the unit tests: a temporary folder holding an init.lua,
 * rewritten in place for a reload, and removed at the end. Header-only, like fixture.h. */
#ifndef CV_TEST_LUAPKG_H
#define CV_TEST_LUAPKG_H

#include "fixture.h"

/* (Re)writes dir/init.lua with text. */
static inline void write_init(const char *dir, const char *text)
{
    char path[96];
    snprintf(path, sizeof path, "%s/init.lua", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A package folder in /tmp holding text as init.lua. */
static inline void make_package(char dir[64], const char *text)
{
    snprintf(dir, 64, "/tmp/cv-lua-XXXXXX");
    assert_non_null(mkdtemp(dir));
    write_init(dir, text);
}

static inline void remove_package(const char *dir)
{
    char init[96];
    snprintf(init, sizeof init, "%s/init.lua", dir);
    unlink(init);
    rmdir(dir);
}

#endif
