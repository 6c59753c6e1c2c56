/* test_http_matrix.c: the role matrix of test_ops.c a second time, through the HTTP API: every
 * operation x every role x (root, inside, outside, above), each sent as the HTTP request a client
 * would send (method, /api/v1/ path, query or JSON body, the role's API token) to cv_api_handle,
 * its thread-pool work run in place. It must answer 200 exactly where the operations layer allows
 * and 403 with the same "permission denied" line everywhere else, the store unchanged. Each case
 * starts from the same world: the store is restored from a pristine copy after every change. */
#include "matrix.h"

#include "http/api.h"

#define CASE_MAX 64

typedef struct http_case {
    json_t *query; /* a read's arguments, as query text */
    json_t *files; /* the FILE arguments, as an upload's temp file provides them */
    const char *authorization;
} http_case;

static char tokens[CV_ROLE_COUNT][CV_TOKEN_TEXT_MAX + 8];
static sqlite3 *pristine;

static const char *header_of(void *ctx, const char *name)
{
    http_case *c = ctx;
    return strcmp(name, "Authorization") == 0  ? c->authorization
           : strcmp(name, "Content-Type") == 0 ? "application/json"
                                               : NULL;
}

static const char *query_of(void *ctx, const char *name)
{
    return json_string_value(json_object_get(((http_case *)ctx)->query, name));
}

/* A read's arguments as the text a query string carries. */
static json_t *as_query(json_t *args)
{
    json_t *q = json_object(), *v;
    const char *key;
    char buf[1024];
    json_object_foreach(args, key, v)
    {
        if (json_is_integer(v))
            snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
        else if (json_is_boolean(v))
            snprintf(buf, sizeof buf, "%s", json_is_true(v) ? "true" : "false");
        else
            snprintf(buf, sizeof buf, "%s", json_string_value(v) ? json_string_value(v) : "");
        json_object_set_new(q, key, json_string(buf));
    }
    return q;
}

static const char *file_of(void *ctx, const char *name)
{
    return json_string_value(json_object_get(((http_case *)ctx)->files, name));
}

/* The FILE arguments of args moved into an upload's files: a client never names a path. */
static json_t *as_upload(const cv_op *op, json_t *args)
{
    json_t *files = json_object();
    for (const cv_op_arg *a = op->args; a && a->name; a++)
        if (a->type == CV_ARG_FILE && json_object_get(args, a->name)) {
            json_object_set(files, a->name, json_object_get(args, a->name));
            json_object_del(args, a->name);
        }
    return files;
}

static int matrix_setup(void **state)
{
    world_setup(state);
    fixture *f = *state;
    assert_int_equal(cv_store_begin(f->s, &f->e), 0);
    for (int r = 0; r < CV_ROLE_COUNT; r++) {
        char text[CV_TOKEN_TEXT_MAX];
        assert_int_equal(cv_token_add(f->s, w.account[r], "http", 0, text, NULL, &f->e), 0);
        snprintf(tokens[r], sizeof tokens[r], "Bearer %s", text);
    }
    assert_int_equal(cv_store_commit(f->s, &f->e), 0);
    assert_int_equal(sqlite3_open(":memory:", &pristine), SQLITE_OK);
    sqlite3_backup *b = sqlite3_backup_init(pristine, "main", cv_store_db(f->s), "main");
    assert_non_null(b);
    assert_int_equal(sqlite3_backup_step(b, -1), SQLITE_DONE);
    sqlite3_backup_finish(b);
    return 0;
}

static int matrix_teardown(void **state)
{
    sqlite3_close(pristine);
    return fixture_teardown(state);
}

static void restore(fixture *f)
{
    sqlite3_backup *b = sqlite3_backup_init(cv_store_db(f->s), "main", pristine, "main");
    assert_non_null(b);
    assert_int_equal(sqlite3_backup_step(b, -1), SQLITE_DONE);
    sqlite3_backup_finish(b);
}

static int run_case(fixture *f, cv_api *api, const cv_op *op, int r, int p, int case_no)
{
    unsigned role = 1u << r;
    json_t *args = example_args(op, p, case_no);
    http_case c = {.authorization = tokens[r], .files = as_upload(op, args)};
    char path[128], *body = NULL;
    snprintf(path, sizeof path, "/api/v1/%s", op->name);
    for (char *s = path + 8; *s; s++)
        *s = *s == '.' ? '/' : *s;
    if (op->writes)
        body = json_dumps(args, JSON_COMPACT);
    else
        c.query = as_query(args);
    cv_http_req req = {.method = cv_api_method_of(op),
                       .path = path,
                       .header = header_of,
                       .query = query_of,
                       .file = file_of,
                       .ctx = &c,
                       .body = body,
                       .body_len = body ? strlen(body) : 0,
                       .peer = "127.0.0.1"};
    cv_http_resp resp = {0};
    unsigned char before[32], after[32];
    fixture_clock("2020-05-22T09:00");
    store_digest(f->s, before);
    cv_api_handle(api, &req, &resp);
    if (resp.work)
        resp.work(resp.work_arg, &resp);
    if (resp.after)
        resp.after(resp.work_arg, &resp);
    int want = expected(op, role, p);
    json_t *answer = json_loadb(resp.body ? resp.body : "", resp.len, 0, NULL);
    const char *detail = json_string_value(json_object_get(answer, "detail"));
    if (want && resp.status != 200)
        fail_msg("%s as %s at %s: HTTP %d %s", op->name, cv_role_name(role), place_name[p],
                 resp.status, detail ? detail : "");
    if (!want) {
        if (resp.status != 403 || !detail || !strstr(detail, "permission denied"))
            fail_msg("%s as %s at %s should be refused: HTTP %d %s", op->name, cv_role_name(role),
                     place_name[p], resp.status, detail ? detail : "");
        store_digest(f->s, after);
        assert_memory_equal(before, after, sizeof before);
    }
    if (op->writes && resp.status == 200)
        restore(f);
    json_decref(answer);
    json_decref(c.query);
    json_decref(c.files);
    json_decref(args);
    free(body);
    cv_http_resp_clear(&resp);
    return want;
}

static void test_every_operation_for_every_role_everywhere_over_http(void **state)
{
    fixture *f = *state;
    cv_api api = {.store = f->s, .db_path = f->path};
    int cases = 0, allowed = 0;
    for (int i = 0; i < cv_ops_count(); i++)
        for (int r = 0; r < CV_ROLE_COUNT; r++)
            for (int p = 0; p < PLACES; p++) {
                allowed += run_case(f, &api, cv_ops_at(i), r, p, cases);
                cases++;
            }
    cv_api_close(&api);
    fixture_act(f->s);
    print_message("role matrix over HTTP: %d operations x %d roles x %d places = %d cases, "
                  "%d allowed\n",
                  cv_ops_count(), CV_ROLE_COUNT, PLACES, cases, allowed);
    assert_int_equal(cases, cv_ops_count() * CV_ROLE_COUNT * PLACES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_operation_for_every_role_everywhere_over_http,
                                        matrix_setup, matrix_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
