/* check.c: the static half of `convene script check`. It loads the package (which runs init.lua
 * with writes refused), then reads the package's Lua files for `convene.NAME` uses and compares
 * them with the API table. It never writes to the store. */
#include "lua/check.h"

#include <ctype.h>
#include <dirent.h>
#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

#include "base/path.h"
#include "lua/package.h"

/* The event type families the engine and its subsystems emit. */
static const char *const known_events[] = {"org.",          "term.",   "congress.", "work_item.",
                                           "subcommittee.", "phase.",  "election.", "script.",
                                           "job.",          "outbox.", "*",         NULL};

static int known_event(const char *type)
{
    for (const char *const *k = known_events; *k; k++)
        if (strncmp(type, *k, strlen(*k)) == 0)
            return 1;
    return 0;
}

static void finding(json_t *list, const char *file, int line, const char *msg)
{
    json_array_append_new(list,
                          json_pack("{s:s, s:i, s:s}", "file", file, "line", line, "message", msg));
}

/* Reports each convene.NAME in the file that the API table lacks. */
static void scan_file(lua_State *L, const char *path, json_t *findings)
{
    cv_err ignored;
    FILE *f = cv_path_fopen(path, "rb", NULL, &ignored);
    if (!f)
        return;
    char line[4096];
    lua_getglobal(L, "convene");
    for (int n = 1; fgets(line, sizeof line, f); n++) {
        char *dash = strstr(line, "--");
        if (dash)
            *dash = '\0';
        for (char *p = line; (p = strstr(p, "convene.")) != NULL; p += 8) {
            if (p > line && (p[-1] == '_' || p[-1] == '.' || isalnum((unsigned char)p[-1])))
                continue;
            char name[64];
            size_t len =
                strspn(p + 8, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
            if (len == 0 || len >= sizeof name)
                continue;
            memcpy(name, p + 8, len);
            name[len] = '\0';
            lua_pushstring(L, name);
            if (lua_rawget(L, -2) == LUA_TNIL) {
                char msg[128];
                snprintf(msg, sizeof msg, "convene.%s is not part of the API", name);
                finding(findings, path, n, msg);
            }
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    fclose(f);
}

static void scan_folder(lua_State *L, const char *dir, json_t *findings)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len > 4 && strcmp(de->d_name + len - 4, ".lua") == 0) {
            char path[CV_LUA_PATH_MAX + 300];
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
            scan_file(L, path, findings);
        }
    }
    closedir(d);
}

static json_t *hook_types(lua_State *L, json_t *findings)
{
    json_t *types = json_array();
    lua_getfield(L, LUA_REGISTRYINDEX, "cv.hooks");
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        const char *type = lua_tostring(L, -2);
        json_array_append_new(types, json_string(type));
        if (!known_event(type)) {
            char msg[160];
            snprintf(msg, sizeof msg, "a hook waits for '%.64s', an event type nothing emits",
                     type);
            finding(findings, "init.lua", 0, msg);
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return types;
}

int cv_lua_check(cv_store *s, const char *path, const char *org, const char *config,
                 json_t **report, cv_err *e)
{
    cv_lua_pkg_options opt = {.path = path, .org = org, .config = config};
    cv_lua_pkg *p;
    if (cv_lua_pkg_load(s, &opt, &p, e) < 0)
        return e->code;
    lua_State *L = cv_lua_pkg_state(p);
    json_t *findings = json_array();
    scan_folder(L, path, findings);
    lua_getfield(L, LUA_REGISTRYINDEX, "cv.files"); /* the modules init.lua required */
    for (lua_Integer i = 1; i <= (lua_Integer)lua_rawlen(L, -1); i++) {
        lua_rawgeti(L, -1, i);
        scan_file(L, lua_tostring(L, -1), findings);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, "cv.campaigns");
    int campaigns = (int)lua_rawlen(L, -1);
    lua_pop(L, 1);
    *report =
        json_pack("{s:s, s:s, s:o, s:i, s:o, s:I}", "package", cv_lua_pkg_name(p), "org", org,
                  "hooks", hook_types(L, findings), "campaigns", campaigns, "findings", findings,
                  "memory", (json_int_t)cv_lua_sandbox_memory(cv_lua_pkg_sandbox(p)));
    cv_lua_pkg_free(p);
    return 0;
}
