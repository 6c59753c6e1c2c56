/* upload.h: the files of the operations table over HTTP. A CV_ARG_FILE argument is a path the
 * server provides, never a client: an operation that keeps a file (doc.add, doc.version,
 * round.respond) takes a multipart/form-data body whose file part streams to a private 0600 temp
 * file, bounded by the documents' own cap (413 beyond it), and whose other parts are the
 * operation's other arguments; a read that writes a file (doc.get) writes into a temp file the
 * server then sends as the response, with its Content-Type and Content-Disposition. */
#ifndef CV_HTTP_UPLOAD_H
#define CV_HTTP_UPLOAD_H

#include <jansson.h>
#include <stddef.h>

#include "http/exchange.h"
#include "ops/ops.h"

#define CV_UPLOAD_PATH_MAX 64

/* the server's side (libmicrohttpd) ---------------------------------------------------------- */

typedef struct cv_upload cv_upload;
struct MHD_Connection;

/* A new upload when method and url name an operation taking a file and the request's body is
 * multipart/form-data; NULL otherwise (the request is an ordinary one), with *unknown set when
 * such a body was posted to /api/v1/GROUP/VERB and no operation has that name. */
cv_upload *cv_upload_begin(struct MHD_Connection *c, const char *url, const char *method,
                           int *unknown);

/* The most bytes an upload's body may carry: the file's cap and room for the other fields. */
size_t cv_upload_max(void);

/* Takes a part of the body; -1 once the file is larger than the documents' cap. */
int cv_upload_feed(cv_upload *u, const char *data, size_t n);

/* Makes req read the upload: its fields as query arguments, its file as the FILE argument.
 * Returns 0, or fills resp with a problem (a malformed body, an unknown field) and returns -1. */
int cv_upload_request(cv_upload *u, cv_http_req *req, cv_http_resp *resp);

/* Removes the temp file and frees u (NULL is fine). */
void cv_upload_free(cv_upload *u);

/* the API's side ----------------------------------------------------------------------------- */

/* The FILE arguments of op for req, into args: a value the client sent itself (JSON body or
 * query) is refused (422); an upload's file is taken from req->file; a read's output gets a new
 * private temp file whose path goes into output (else output is ""). */
int cv_upload_args(const cv_op *op, const cv_http_req *req, json_t *args,
                   char output[CV_UPLOAD_PATH_MAX], int *status, cv_err *e);

/* After a read wrote output: the file's bytes as resp, typed by their content and named from
 * result ({"document", "version"}). The caller removes the file. */
void cv_upload_reply_file(const char *output, json_t *result, cv_http_resp *resp);

#endif
