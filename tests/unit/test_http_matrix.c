/* test_http_matrix.c: the role matrix of test_ops.c a second time, through the HTTP API: every
 * operation x every role x (root, inside, outside, above), each sent as the HTTP request a client
 * would send (method, /api/v1/ path, query or JSON body, the role's API token), once to
 * cv_api_handle with its thread-pool work run in place, and once over a real socket to the real
 * `convene run --listen unix:PATH` (CONVENE_BIN) serving the same store. It must answer 200
 * exactly where the operations layer allows and 403 with the same "permission denied" line
 * everywhere else, the store unchanged. Each case starts from the same world: the store is
 * restored from a pristine copy after every change. The operations come from the table, so a new
 * one is covered by both runs without a line here. */
#include "matrix.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <time.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include "http/api.h"

extern char **environ;

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

/* An answer, from either transport. */
typedef struct answer {
    long status;
    char *body;
    size_t len;
} answer;

/* The daemon serving the store over a unix socket (the socket run). */
static struct {
    pid_t pid;
    char sock[96];
    CURL *curl;
} daemon_;

/* Sends the request to cv_api_handle, its work run in place. */
static void send_in_process(cv_api *api, const char *method, const char *path, http_case *c,
                            const char *body, answer *a)
{
    cv_http_req req = {.method = method,
                       .path = path,
                       .header = header_of,
                       .query = query_of,
                       .file = file_of,
                       .ctx = c,
                       .body = body,
                       .body_len = body ? strlen(body) : 0,
                       .peer = "127.0.0.1"};
    cv_http_resp resp = {0};
    cv_api_handle(api, &req, &resp);
    if (resp.work)
        resp.work(resp.work_arg, &resp);
    if (resp.after)
        resp.after(resp.work_arg, &resp);
    a->status = resp.status;
    a->body = resp.body;
    a->len = resp.len;
    resp.body = NULL;
    cv_http_resp_clear(&resp);
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    answer *a = arg;
    char *b = realloc(a->body, a->len + size * n + 1);
    assert_non_null(b);
    memcpy(b + a->len, data, size * n);
    a->body = b;
    a->len += size * n;
    b[a->len] = '\0';
    return size * n;
}

/* The body as multipart/form-data, as a client uploads a file: each argument of the JSON body a
 * field, each FILE argument a file part. */
static curl_mime *as_multipart(CURL *h, const char *body, json_t *files)
{
    curl_mime *m = curl_mime_init(h);
    json_t *args = json_loads(body ? body : "{}", 0, NULL), *v;
    const char *key;
    json_object_foreach(args, key, v)
    {
        curl_mimepart *part = curl_mime_addpart(m);
        char *text = json_is_string(v) ? strdup(json_string_value(v))
                                       : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        curl_mime_name(part, key);
        curl_mime_data(part, text, CURL_ZERO_TERMINATED);
        free(text);
    }
    json_object_foreach(files, key, v)
    {
        curl_mimepart *part = curl_mime_addpart(m);
        curl_mime_name(part, key);
        assert_int_equal(curl_mime_filedata(part, json_string_value(v)), CURLE_OK);
    }
    json_decref(args);
    return m;
}

/* Sends the request over the daemon's socket, as a client would (query escaped, JSON body, or
 * multipart when it carries a file). */
static void send_over_socket(const char *method, const char *path, http_case *c, const char *body,
                             answer *a)
{
    CURL *h = daemon_.curl;
    char url[2048];
    int n = snprintf(url, sizeof url, "http://localhost%s", path);
    const char *key, *sep = "?";
    json_t *v;
    json_object_foreach(c->query, key, v)
    {
        char *val = curl_easy_escape(h, json_string_value(v), 0);
        n += snprintf(url + n, sizeof url - (size_t)n, "%s%s=%s", sep, key, val);
        curl_free(val);
        sep = "&";
    }
    assert_true(n < (int)sizeof url);
    char auth[CV_TOKEN_TEXT_MAX + 32];
    snprintf(auth, sizeof auth, "Authorization: %s", c->authorization);
    struct curl_slist *headers = curl_slist_append(NULL, auth);
    curl_easy_reset(h);
    curl_mime *mime = json_object_size(c->files) ? as_multipart(h, body, c->files) : NULL;
    if (!mime)
        headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, daemon_.sock);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, a);
    if (mime)
        curl_easy_setopt(h, CURLOPT_MIMEPOST, mime);
    else if (body)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK)
        fail_msg("%s %s: %s", method, url, curl_easy_strerror(rc));
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a->status);
    curl_slist_free_all(headers);
    curl_mime_free(mime);
}

/* The clock operations move the serving process's clock too: the daemon's is put back to the
 * world's time (as admin) before the store is restored, so its scheduler stays in 2020. */
static void reset_daemon_clock(void)
{
    http_case c = {.authorization = tokens[0]};
    answer a = {0};
    send_over_socket("PATCH", "/api/v1/clock/set", &c, "{\"time\":\"2020-05-22T09:00\"}", &a);
    if (a.status != 200)
        fail_msg("putting the daemon's clock back: HTTP %ld %s", a.status, a.body ? a.body : "");
    free(a.body);
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
    answer a = {0};
    unsigned char before[32], after[32];
    /* The daemon's Lua service reads the journal and (re)loads the package on its own worker,
     * writing its cursor and the package's state when it will, also after a restore; its
     * scheduler runs a job an allowed case resumed or ran (a timer the restore cannot take back),
     * writing the job, its run, its notifications and their events; its plugin service starts
     * a plugin an allowed case enabled, recording why one would not start (plugins.last_error)
     * when it gets to it. Over the socket these tables of the daemon's own work are not
     * compared; the in-process run compares every table. */
    static const char *const runtime[] = {"cursors", "lua_packages", "jobs",    "job_runs",
                                          "outbox",  "events",       "plugins", NULL};
    const char *const *except = api ? NULL : runtime;
    fixture_clock("2020-05-22T09:00");
    store_digest_except(f->s, except, before);
    if (api)
        send_in_process(api, cv_api_method_of(op), path, &c, body, &a);
    else
        send_over_socket(cv_api_method_of(op), path, &c, body, &a);
    int want = expected(op, role, p);
    json_t *reply = json_loadb(a.body ? a.body : "", a.len, 0, NULL);
    const char *detail = json_string_value(json_object_get(reply, "detail"));
    const char *how = api ? "" : " over the socket";
    if (want && a.status != 200)
        fail_msg("%s as %s at %s%s: HTTP %ld %s", op->name, cv_role_name(role), place_name[p], how,
                 a.status, detail ? detail : "");
    if (!want) {
        if (a.status != 403 || !detail || !strstr(detail, "permission denied"))
            fail_msg("%s as %s at %s%s should be refused: HTTP %ld %s", op->name,
                     cv_role_name(role), place_name[p], how, a.status, detail ? detail : "");
        store_digest_except(f->s, except, after);
        if (memcmp(before, after, sizeof before) != 0)
            fail_msg("%s as %s at %s%s was refused but changed the store", op->name,
                     cv_role_name(role), place_name[p], how);
    }
    if (op->writes && a.status == 200) {
        if (!api && strncmp(op->name, "clock.", 6) == 0)
            reset_daemon_clock();
        restore(f);
    }
    json_decref(reply);
    json_decref(c.query);
    json_decref(c.files);
    json_decref(args);
    free(body);
    free(a.body);
    return want;
}

/* Every case through api (NULL: over the daemon's socket); prints the count. */
static void run_matrix(fixture *f, cv_api *api)
{
    int cases = 0, allowed = 0;
    for (int i = 0; i < cv_ops_count(); i++)
        for (int r = 0; r < CV_ROLE_COUNT; r++)
            for (int p = 0; p < PLACES; p++) {
                allowed += run_case(f, api, cv_ops_at(i), r, p, cases);
                cases++;
            }
    fixture_act(f->s);
    print_message("role matrix over HTTP%s: %d operations x %d roles x %d places = %d cases, "
                  "%d allowed\n",
                  api ? " (in process)" : " (real socket, convene run)", cv_ops_count(),
                  CV_ROLE_COUNT, PLACES, cases, allowed);
    assert_int_equal(cases, cv_ops_count() * CV_ROLE_COUNT * PLACES);
}

static void test_every_operation_for_every_role_everywhere_over_http(void **state)
{
    fixture *f = *state;
    cv_api api = {.store = f->s, .db_path = f->path};
    run_matrix(f, &api);
    cv_api_close(&api);
}

/* Waits (a condition, bounded at 60 s) until the daemon's log says it takes changes: it serves
 * HTTP at once, but answers changes 503 until its start-up check of the store passed. */
static void wait_serving(const char *log_path)
{
    for (int tries = 0; tries < 6000; tries++) {
        char buf[8192] = "";
        FILE *log = fopen(log_path, "r");
        if (log && fread(buf, 1, sizeof buf - 1, log) == 0)
            buf[0] = '\0';
        if (log)
            fclose(log);
        if (strstr(buf, "taking changes"))
            return;
        int status;
        if (waitpid(daemon_.pid, &status, WNOHANG) == daemon_.pid)
            fail_msg("convene run ended at its start: %s", buf);
        nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
    }
    fail_msg("convene run did not take changes within 60 s");
}

/* The world, then `convene run --listen unix:PATH` on it; the pristine copy is taken once the
 * daemon has started (what it writes at its start is part of every case's world). */
static int socket_setup(void **state)
{
    matrix_setup(state);
    fixture *f = *state;
    const char *bin = getenv("CONVENE_BIN");
    if (!bin)
        fail_msg("CONVENE_BIN names the convene binary");
    snprintf(daemon_.sock, sizeof daemon_.sock, "%s.sock", f->path);
    char listen[128], log_path[96];
    snprintf(listen, sizeof listen, "unix:%s", daemon_.sock);
    snprintf(log_path, sizeof log_path, "%s.log", f->path);
    setenv("CONVENE_DB", f->path, 1);
    setenv("CONVENE_NOW", "2020-05-22T09:00", 1);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    char *argv[] = {(char *)bin, "run", "--listen", listen, NULL};
    assert_int_equal(posix_spawn(&daemon_.pid, bin, &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    wait_serving(log_path);
    sqlite3_backup *b = sqlite3_backup_init(pristine, "main", cv_store_db(f->s), "main");
    assert_non_null(b);
    assert_int_equal(sqlite3_backup_step(b, -1), SQLITE_DONE);
    sqlite3_backup_finish(b);
    daemon_.curl = curl_easy_init();
    assert_non_null(daemon_.curl);
    return 0;
}

static int socket_teardown(void **state)
{
    curl_easy_cleanup(daemon_.curl);
    kill(daemon_.pid, SIGTERM);
    int status;
    assert_int_equal(waitpid(daemon_.pid, &status, 0), daemon_.pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("convene run ended with status %d", status);
    unlink(daemon_.sock);
    char log_path[96];
    snprintf(log_path, sizeof log_path, "%s.log", ((fixture *)*state)->path);
    unlink(log_path);
    return matrix_teardown(state);
}

static void test_every_operation_for_every_role_everywhere_over_a_real_socket(void **state)
{
    run_matrix(*state, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_operation_for_every_role_everywhere_over_http,
                                        matrix_setup, matrix_teardown),
        cmocka_unit_test_setup_teardown(
            test_every_operation_for_every_role_everywhere_over_a_real_socket, socket_setup,
            socket_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
