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

/* A way for the caller of a service to give up on a request it sent (fetch() with an
 * AbortSignal). The service that can stop its work registers how (isl_cancel_on) and the
 * caller fires it (isl_cancel_fire); a service that cannot stop simply ignores it.
 * Reference counted: the request holds one reference, the caller usually another. */
typedef struct {
  int refs;
  bool fired;
  void (*fn)(void *data); /* set by the service while its work can be cancelled */
  void *data;
} isl_cancel_t;

isl_cancel_t *isl_cancel_new(void);
isl_cancel_t *isl_cancel_ref(isl_cancel_t *c);
void isl_cancel_unref(isl_cancel_t *c);
/* The service: fn(data) is to be called if the caller gives up (NULL fn: no longer). */
void isl_cancel_on(isl_cancel_t *c, void (*fn)(void *data), void *data);
/* The caller: gives up. Calls the registered fn once (it may answer the request from
 * inside); later isl_cancel_on calls see c->fired. */
void isl_cancel_fire(isl_cancel_t *c);

/* Fetch's redirect modes (a Request's `redirect`): fetch() follows redirects itself, above
 * the service, so services never do. */
typedef enum { ISL_REDIRECT_FOLLOW, ISL_REDIRECT_MANUAL, ISL_REDIRECT_ERROR } isl_redirect_t;

typedef struct {
  char *method; /* upper-case for the standard methods */
  char *url;    /* absolute URL */
  isl_headers_t headers;
  isl_body_t *body; /* NULL when there is no body */
  isl_redirect_t redirect; /* for fetch(); services ignore it */
  bool raw_encoding;    /* workerd's encodeResponseBody: "manual": a network service leaves
                           a Content-Encoding'd response body as it came */
  isl_cancel_t *cancel; /* a reference, or NULL */
} isl_request_t;

typedef struct {
  int status;
  char *status_text; /* may be NULL: the server uses the standard reason phrase */
  isl_headers_t headers;
  isl_body_t *body; /* NULL when there is no body */
  /* A network error (Fetch's "network error"): the service could not get a response,
   * e.g. "connect ECONNREFUSED 127.0.0.1:9". fetch() rejects with a TypeError carrying
   * this message; anything else (the HTTP server) sees the 5xx response around it. */
  char *error;
  /* Set by fetch() for Response.url and Response.redirected: the last URL of the
   * request's URL list (without fragment), and whether the list has more than one. */
  char *url;
  bool redirected;
} isl_response_t;

isl_request_t *isl_request_new(const char *method, const char *url);
void isl_request_free(isl_request_t *r);
isl_response_t *isl_response_new(int status);
void isl_response_free(isl_response_t *r);
/* A small response with a text body, e.g. for errors: "500 Internal Server Error". */
isl_response_t *isl_response_text(int status, const char *text);
/* A network error: a 502 whose body and `error` are msg (see isl_response_t). */
isl_response_t *isl_response_network_error(const char *msg);
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
