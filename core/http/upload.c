/* upload.c: files over HTTP (upload.h). Owns the multipart body of an upload (parsed by
 * libmicrohttpd's post processor as it arrives, the file part written straight to a 0600 temp
 * file and never held in memory), the temp files of reads that write a file, and the rule that a
 * client never names a path itself. */
#include "base/path.h"
#include "http/upload.h"

#include <fcntl.h>
#include <magic.h>
#include <sodium.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "docs/file.h"
#include "web/web.h"

#define FIELDS_MAX (256 * 1024) /* bytes of all the fields but the file */
#define PP_BUFFER  (64 * 1024)
#define ROUTE_MAX  64
#define WHY_MAX    160
#define API_PREFIX "/api/v1/"

struct cv_upload {
    struct MHD_Connection *c;
    struct MHD_PostProcessor *pp;
    const cv_op *op;
    json_t *fields; /* name -> text, as they arrived */
    size_t field_bytes, file_bytes;
    int fd;
    char path[CV_UPLOAD_PATH_MAX]; /* the temp file, "" until the file part begins */
    const char *file_arg;          /* the op's FILE argument the file part fills */
    int page;                      /* a dashboard form (core/web): it also carries its "csrf" */
    int too_big;
    crypto_generichash_state hash; /* of the file's bytes, as they arrive */
    char digest[crypto_generichash_BYTES * 2 + 1];
    char why[WHY_MAX]; /* set: the body is refused (422) */
};

/* A new private temp file (0600, mkstemp's) into path; its descriptor, or -1 with e set. */
static int temp_file(char path[CV_UPLOAD_PATH_MAX], cv_err *e)
{
    int fd = cv_path_temp_file(path, CV_UPLOAD_PATH_MAX, "convene-file");
    if (fd < 0)
        cv_err_set(e, CV_EIO, "cannot make a temp file for a document");
    return fd;
}

static const cv_op_arg *file_arg_of(const cv_op *op)
{
    for (const cv_op_arg *a = op->args; a && a->name; a++)
        if (a->type == CV_ARG_FILE)
            return a;
    return NULL;
}

static const cv_op_arg *arg_named(const cv_op *op, const char *name)
{
    for (const cv_op_arg *a = op->args; a && a->name; a++)
        if (strcmp(a->name, name) == 0)
            return a;
    return NULL;
}

/* the server's side ---------------------------------------------------------------------------- */

size_t cv_upload_max(void)
{
    return (size_t)CV_FILE_MAX + FIELDS_MAX + PP_BUFFER;
}

static void refuse(cv_upload *u, const char *why, const char *name)
{
    if (!u->why[0])
        snprintf(u->why, sizeof u->why, "%s: %s '%.40s'", u->op->name, why, name ? name : "");
}

static int write_file(cv_upload *u, const char *data, size_t size)
{
    cv_err e;
    if (u->fd < 0 && !u->path[0] && (u->fd = temp_file(u->path, &e)) < 0) {
        refuse(u, "no room for the file of", u->file_arg);
        return 0;
    }
    if (size > (size_t)CV_FILE_MAX - u->file_bytes) {
        u->too_big = 1;
        return -1;
    }
    for (size_t off = 0; off < size;) {
        ssize_t w = write(u->fd, data + off, size - off);
        if (w <= 0) {
            refuse(u, "could not keep the file of", u->file_arg);
            return 0;
        }
        off += (size_t)w;
    }
    u->file_bytes += size;
    crypto_generichash_update(&u->hash, (const unsigned char *)data, size);
    return 0;
}

static int add_field(cv_upload *u, const char *key, const char *data, size_t size)
{
    json_t *old = json_object_get(u->fields, key);
    size_t had = old ? json_string_length(old) : 0;
    if (size > FIELDS_MAX - u->field_bytes) {
        u->too_big = 1;
        return -1;
    }
    char *joined = malloc(had + size + 1);
    if (!joined)
        return -1;
    memcpy(joined, old ? json_string_value(old) : "", had);
    memcpy(joined + had, data, size);
    joined[had + size] = '\0';
    if (memchr(data, '\0', size))
        refuse(u, "a NUL byte in", key);
    else
        json_object_set_new(u->fields, key, json_stringn(joined, had + size));
    free(joined);
    u->field_bytes += size;
    return 0;
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *filename, const char *content_type,
                               const char *transfer_encoding, const char *data, uint64_t off,
                               size_t size)
{
    (void)kind;
    (void)filename;
    (void)content_type;
    (void)transfer_encoding;
    (void)off;
    cv_upload *u = cls;
    const cv_op_arg *a = key ? arg_named(u->op, key) : NULL;
    if (!a && u->page && key && strcmp(key, "csrf") == 0)
        return add_field(u, key, data, size) < 0 ? MHD_NO : MHD_YES;
    if (!a)
        refuse(u, "takes no argument", key);
    else if (a->type == CV_ARG_FILE && a->name != u->file_arg)
        refuse(u, "takes one file, not", key);
    else if ((a->type == CV_ARG_FILE ? write_file(u, data, size) : add_field(u, key, data, size)) <
             0)
        return MHD_NO;
    return MHD_YES;
}

cv_upload *cv_upload_begin(struct MHD_Connection *c, const char *url, const char *method,
                           int *unknown)
{
    char name[ROUTE_MAX];
    *unknown = 0;
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    if (strcmp(method, "POST") != 0 || !ct || strncasecmp(ct, "multipart/form-data", 19) != 0)
        return NULL;
    /* A dashboard form that carries a file names its operation in the page's table. */
    const char *page_op = cv_web_upload_op(url);
    if (page_op) {
        snprintf(name, sizeof name, "%s", page_op);
    } else {
        if (strncmp(url, API_PREFIX, 8) != 0 || strlen(url + 8) >= sizeof name)
            return NULL;
        snprintf(name, sizeof name, "%s", url + 8);
        char *slash = strchr(name, '/');
        if (!slash || strchr(slash + 1, '/'))
            return NULL;
        *slash = '.';
    }
    const cv_op *op = cv_ops_find(name);
    *unknown = op == NULL;
    const cv_op_arg *file = op && op->writes ? file_arg_of(op) : NULL;
    cv_upload *u = file ? calloc(1, sizeof *u) : NULL;
    if (!u)
        return NULL;
    *u = (cv_upload){.c = c,
                     .op = op,
                     .fields = json_object(),
                     .fd = -1,
                     .file_arg = file->name,
                     .page = page_op != NULL};
    crypto_generichash_init(&u->hash, NULL, 0, crypto_generichash_BYTES);
    u->pp = MHD_create_post_processor(c, PP_BUFFER, on_part, u);
    if (!u->pp)
        refuse(u, "cannot read the multipart body of", "");
    return u;
}

int cv_upload_feed(cv_upload *u, const char *data, size_t n)
{
    if (u->too_big)
        return -1;
    if (u->pp && MHD_post_process(u->pp, data, n) != MHD_YES && !u->too_big)
        refuse(u, "a malformed multipart body for", "");
    return u->too_big ? -1 : 0;
}

static const char *header_of(void *ctx, const char *name)
{
    return MHD_lookup_connection_value(((cv_upload *)ctx)->c, MHD_HEADER_KIND, name);
}

/* A field of the form, else the URL's query argument. */
static const char *query_of(void *ctx, const char *name)
{
    cv_upload *u = ctx;
    const char *v = json_string_value(json_object_get(u->fields, name));
    return v ? v : MHD_lookup_connection_value(u->c, MHD_GET_ARGUMENT_KIND, name);
}

static const char *file_of(void *ctx, const char *name)
{
    cv_upload *u = ctx;
    return u->path[0] && strcmp(name, u->file_arg) == 0 ? u->path : NULL;
}

int cv_upload_request(cv_upload *u, cv_http_req *req, cv_http_resp *resp)
{
    if (u->pp && MHD_destroy_post_processor(u->pp) != MHD_YES)
        refuse(u, "a multipart body cut short for", "");
    u->pp = NULL;
    if (u->fd >= 0 && close(u->fd) != 0)
        refuse(u, "could not keep the file of", u->file_arg);
    u->fd = -1;
    if (u->why[0]) {
        cv_http_resp_problem(resp, 422, u->why);
        return -1;
    }
    req->header = header_of;
    req->query = query_of;
    req->file = file_of;
    if (u->path[0]) {
        unsigned char h[crypto_generichash_BYTES];
        crypto_generichash_final(&u->hash, h, sizeof h);
        sodium_bin2hex(u->digest, sizeof u->digest, h, sizeof h);
        req->file_digest = u->digest;
    }
    req->ctx = u;
    req->body = NULL;
    req->body_len = 0;
    return 0;
}

void cv_upload_free(cv_upload *u)
{
    if (!u)
        return;
    if (u->pp)
        MHD_destroy_post_processor(u->pp);
    if (u->fd >= 0)
        close(u->fd);
    if (u->path[0])
        unlink(u->path);
    json_decref(u->fields);
    free(u);
}

/* the API's side ------------------------------------------------------------------------------- */

int cv_upload_args(const cv_op *op, const cv_http_req *req, json_t *args,
                   char output[CV_UPLOAD_PATH_MAX], int *status, cv_err *e)
{
    output[0] = '\0';
    for (const cv_op_arg *a = op->args; a && a->name; a++) {
        if (a->type != CV_ARG_FILE)
            continue;
        const char *given = req->file ? req->file(req->ctx, a->name) : NULL;
        if (json_object_get(args, a->name) && !given) {
            *status = 422;
            return cv_err_set(e, CV_EINVAL,
                              "%s: %s is a file: send it as a multipart/form-data part (a path is "
                              "never taken from a client)",
                              op->name, a->name);
        }
        if (given)
            json_object_set_new(args, a->name, json_string(given));
        else if (!op->writes && !output[0]) {
            int fd = temp_file(output, e);
            if (fd < 0)
                return *status = 500, e->code;
            close(fd);
            json_object_set_new(args, a->name, json_string(output));
        }
    }
    return 0;
}

/* A file name for the bytes: document-ID-vN and the extension its type usually has. */
static void name_of(json_t *result, const char *mime, char *out, size_t cap)
{
    static const char *const ext[][2] = {
        {"application/pdf", ".pdf"},
        {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"},
        {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"},
        {"application/vnd.oasis.opendocument.text", ".odt"},
        {"application/msword", ".doc"},
        {"text/plain", ".txt"}};
    const char *dot = "";
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (strcmp(mime, ext[i][0]) == 0)
            dot = ext[i][1];
    snprintf(out, cap, "document-%lld-v%lld%s",
             (long long)json_integer_value(json_object_get(result, "document")),
             (long long)json_integer_value(json_object_get(result, "version")), dot);
}

void cv_upload_reply_file(const char *output, json_t *result, cv_http_resp *resp)
{
    struct stat st;
    FILE *f = fopen(output, "rb");
    char *body = NULL;
    if (f && fstat(fileno(f), &st) == 0 && st.st_size <= CV_FILE_MAX &&
        (body = malloc(st.st_size ? (size_t)st.st_size : 1)) &&
        fread(body, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        free(body);
        body = NULL;
    }
    if (f)
        fclose(f);
    if (!body) {
        cv_http_resp_problem(resp, 500, "the document's bytes could not be read back");
        return;
    }
    magic_t m = magic_open(MAGIC_MIME_TYPE);
    const char *mime =
        m && magic_load(m, NULL) == 0 ? magic_buffer(m, body, (size_t)st.st_size) : NULL;
    char name[96];
    name_of(result, mime ? mime : "", name, sizeof name);
    free(resp->body);
    resp->content_type = NULL;
    resp->status = 200;
    resp->body = body;
    resp->len = (size_t)st.st_size;
    cv_http_resp_header(resp, "Content-Type", "%s", mime ? mime : "application/octet-stream");
    cv_http_resp_header(resp, "Content-Disposition", "attachment; filename=\"%s\"", name);
    if (m)
        magic_close(m);
}
