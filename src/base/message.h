/* The C shape of an HTTP exchange, shared by the HTTP server (src/http), services
 * (src/worker and later network/disk services) and the JS API layer (src/api), which wraps
 * these in Request/Response objects. No JavaScript and no I/O here.
 *
 * Ownership: an isl_request_t or isl_response_t owns its strings, its header list and a
 * reference on its body. Bodies are reference counted so that a body can be handed from the
 * HTTP layer to a worker, or from one worker to another, without copying. A body is either
 * complete bytes or a stream of chunks that arrive over time (see "Streaming bodies"). */
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

typedef struct isl_body isl_body_t;
typedef struct isl_body_stream isl_body_stream_t;

struct isl_body {
  int refs;
  size_t len; /* complete bytes: their length; a stream: 0 */
  char *data; /* complete bytes: malloc'ed, owned; a stream: NULL */
  isl_body_stream_t *stream; /* NULL for complete bytes (private to body_stream.c) */
};

/* Takes ownership of data (malloc'ed). len may be 0. */
isl_body_t *isl_body_new(char *data, size_t len);
isl_body_t *isl_body_copy_of(const void *data, size_t len);
isl_body_t *isl_body_ref(isl_body_t *b);
/* The last reference frees the body; a stream nobody finished reading is canceled then
 * (its source's cancel is called with "the body was not read"). */
void isl_body_unref(isl_body_t *b);

/* ---- Streaming bodies (src/base/body_stream.c) -------------------------------------------
 *
 * A streaming body is a source of chunks read once, by one reader, with back-pressure:
 * the source pushes chunks only while the reader wants them, and either side can stop it.
 * The source is whatever produces the bytes (a JS ReadableStream a worker returned, a
 * socket an upload arrives on, an outbound response); the reader is whatever consumes them
 * (the HTTP server writing a response, a worker reading a request, the outbound client
 * sending a request). Neither knows what the other is, so any producer can feed any
 * consumer: a worker's stream goes to a socket, one worker's stream to another worker, an
 * upload to the network, without the body being held whole anywhere.
 *
 * The protocol, all on one thread:
 * - The reader starts with isl_body_read. The source's flow() is called: it pushes chunks
 *   with isl_body_push, now or later (from I/O callbacks), as long as each push answers
 *   ISL_PUSH_MORE. ISL_PUSH_PAUSE: the reader has enough; the source waits for its next
 *   flow() call (a chunk it cannot hold back is still accepted: the body keeps it until
 *   the reader resumes). ISL_PUSH_CANCELED: the reader gave up during that push; the
 *   source stops and releases itself, and is never called again.
 * - The reader's chunk() returns false to pause; isl_body_resume lets the chunks flow
 *   again. The source ends the body with isl_body_end (error NULL: complete); the reader's
 *   end() is then called once, after every chunk pushed before it.
 * - The reader gives up with isl_body_cancel: no more reader calls; the source's cancel()
 *   is called (unless it was inside isl_body_push, which answers ISL_PUSH_CANCELED
 *   instead). Dropping the last reference to an unfinished stream cancels it the same way.
 * - The source's handle (the isl_body_t * it was given) is valid until it calls
 *   isl_body_end, or until it is canceled; it holds no reference. A reader holds a
 *   reference for as long as it reads.
 * Callbacks may call back into the body (pause, resume, cancel, unref): the functions here
 * keep the body alive across the calls they make. */

typedef enum { ISL_PUSH_MORE, ISL_PUSH_PAUSE, ISL_PUSH_CANCELED } isl_push_t;

typedef struct {
  /* The reader wants chunks (again): push until a push answers otherwise. Called once per
   * start or resume, never while a previous call is still running. */
  void (*flow)(isl_body_t *b, void *data);
  /* The reader gave up (reason says why, for messages): stop, release data; b is not to
   * be used again. Never called after the source ended, nor from inside isl_body_push. */
  void (*cancel)(isl_body_t *b, void *data, const char *reason);
} isl_body_source_t;

typedef struct {
  /* A chunk: p/n are borrowed for the call. true: more please; false: pause until
   * isl_body_resume. */
  bool (*chunk)(void *data, isl_body_t *b, const char *p, size_t n);
  /* The end: error NULL when the whole body arrived, else what went wrong (the source
   * failed: e.g. the worker's stream errored, the upload was cut off). Called once; not
   * after isl_body_cancel. */
  void (*end)(void *data, isl_body_t *b, const char *error);
} isl_body_sink_t;

/* The body length when it is unknown (a stream without a declared length). */
#define ISL_BODY_LENGTH_UNKNOWN (-1)

/* A new streaming body (one reference, the caller's) fed by src/data. length is the
 * number of bytes the source promises, or ISL_BODY_LENGTH_UNKNOWN; a source that declared
 * a length and ends with a different count is ended with an error instead. src must
 * outlive the body (a static table). */
isl_body_t *isl_body_stream_new(const isl_body_source_t *src, void *data, int64_t length);
static inline bool isl_body_is_stream(const isl_body_t *b) { return b && b->stream; }
/* The length in bytes: complete bytes' length, a stream's declared length or
 * ISL_BODY_LENGTH_UNKNOWN; 0 for no body (NULL). */
int64_t isl_body_length(const isl_body_t *b);

/* The reader: starts reading a stream (once; false if it was already read or canceled).
 * Chunks and the end may arrive before this returns. */
bool isl_body_read(isl_body_t *b, const isl_body_sink_t *sink, void *data);
void isl_body_resume(isl_body_t *b);
void isl_body_cancel(isl_body_t *b, const char *reason);

/* The source. */
isl_push_t isl_body_push(isl_body_t *b, const void *p, size_t n);
void isl_body_end(isl_body_t *b, const char *error);

/* Someone who must stay around while the source produces (the request context of the
 * worker whose JS stream feeds the body, and of each worker that passes it on untouched):
 * fn(data) is called once when the source is finished (ended, canceled, or the body
 * dropped), possibly from a garbage collector's finalizer (so no JS). false, and fn never
 * called, if it already is. */
bool isl_body_on_finish(isl_body_t *b, void (*fn)(void *data), void *data);

/* Reads a whole body into complete bytes and calls cb once with them (a new reference the
 * callback owns) and error NULL, or with NULL and what went wrong; more than limit bytes
 * cancels the stream and is an error. A body that already is complete bytes is handed to
 * cb at once (and NULL as an empty one). For consumers that need all of it (a disk
 * write, a service that cannot stream). */
typedef void (*isl_body_collect_cb)(void *data, isl_body_t *bytes, const char *error);
void isl_body_collect(isl_body_t *b, size_t limit, isl_body_collect_cb cb, void *data);

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

/* For a service that needs a request's whole body at once (a file write, a service that
 * cannot stream yet): if req's body is a stream, reads it (at most limit bytes) and then
 * calls svc->fetch again with the body as complete bytes, or answers a network error
 * (too large, or the stream failed). true: it took req over; false: the body already is
 * bytes (or none) and the service goes on. */
bool isl_request_await_body(isl_service_t *svc, isl_request_t *req, size_t limit,
                            isl_response_cb cb, void *data);

#endif
