/* The C shape of an HTTP exchange, shared by the HTTP server (src/http), services
 * (src/worker and later network/disk services) and the JS API layer (src/api), which wraps
 * these in Request/Response objects. No JavaScript and no I/O here.
 *
 * Ownership: an isl_request_t or isl_response_t owns its strings, its header list and a
 * reference on its body. Bodies are reference counted so that a body can be handed from the
 * HTTP layer to a worker, or from one worker to another, without copying. Today a body is
 * complete bytes; the streams issue adds a streaming source behind the same type. */
#ifndef ISL_MESSAGE_H
#define ISL_MESSAGE_H

#include "base.h"

/* name and value live in one allocation owned through name (value points into it):
 * change or free an entry only with isl_header_set_value / isl_header_free. */
typedef struct {
  char *name;  /* as received/set; compared case-insensitively */
  char *value; /* already normalised (no leading/trailing HTTP whitespace) */
} isl_header_t;

/* Replaces e's value (the name is kept). */
void isl_header_set_value(isl_header_t *e, const char *value, size_t vlen);
/* Frees e's name and value. */
void isl_header_free(isl_header_t *e);

typedef struct {
  isl_header_t *v;
  size_t n, cap;
} isl_headers_t;

void isl_headers_add(isl_headers_t *h, const char *name, size_t nlen, const char *value,
                     size_t vlen);
/* As isl_headers_add, with the value's leading and trailing SP/HTAB removed (RFC 9110
 * §5.5): how a field value read off the wire is stored. */
void isl_headers_add_trimmed(isl_headers_t *h, const char *name, size_t nlen, const char *value,
                             size_t vlen);
/* First value for name (case-insensitive) or NULL. Borrowed. */
const char *isl_headers_get(const isl_headers_t *h, const char *name);
void isl_headers_remove(isl_headers_t *h, const char *name);
void isl_headers_copy(isl_headers_t *dst, const isl_headers_t *src);
void isl_headers_dispose(isl_headers_t *h);

typedef struct {
  int refs;
  size_t len;
  char *data; /* malloc'ed, owned */
} isl_body_t;

/* Takes ownership of data (malloc'ed). len may be 0. */
isl_body_t *isl_body_new(char *data, size_t len);
isl_body_t *isl_body_copy_of(const void *data, size_t len);
isl_body_t *isl_body_ref(isl_body_t *b);
void isl_body_unref(isl_body_t *b);

typedef struct {
  char *method; /* upper-case for the standard methods */
  char *url;    /* absolute URL */
  isl_headers_t headers;
  isl_body_t *body; /* NULL when there is no body */
} isl_request_t;

typedef struct {
  int status;
  char *status_text; /* may be NULL: the server uses the standard reason phrase */
  isl_headers_t headers;
  isl_body_t *body; /* NULL when there is no body */
} isl_response_t;

isl_request_t *isl_request_new(const char *method, const char *url);
void isl_request_free(isl_request_t *r);
isl_response_t *isl_response_new(int status);
void isl_response_free(isl_response_t *r);
/* A small response with a text body, e.g. for errors: "500 Internal Server Error". */
isl_response_t *isl_response_text(int status, const char *text);
const char *isl_status_reason(int status);

/* A service takes requests and answers them: a worker today, the network, disk or an
 * external server later. fetch() takes ownership of req and calls cb exactly once,
 * possibly before returning, with a response the callback then owns (never NULL:
 * failures are answered with a 5xx). */
typedef void (*isl_response_cb)(void *data, isl_response_t *res);
typedef struct isl_service isl_service_t;
struct isl_service {
  const char *name;
  void (*fetch)(isl_service_t *svc, isl_request_t *req, isl_response_cb cb, void *data);
};

#endif
