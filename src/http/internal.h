/* Private to src/http: the server and connection structs shared by server.c (listener,
 * shutdown), conn.c (reading, parsing, dispatch, timers), write.c (response heads and
 * writes), scan.c (the head pre-scanner) and date.c. Nothing outside src/http includes
 * this; the public interface is server.h. */
#ifndef ISL_HTTP_INTERNAL_H
#define ISL_HTTP_INTERNAL_H

#include <llhttp.h>

#include "server.h"

/* Fixed limits from the issue: they are not configurable because no client needs more. */
#define ISL_HTTP_MAX_REQUEST_LINE 8192  /* method + target + version, without CRLF → 414 */
#define ISL_HTTP_MAX_HEADER_BYTES 65536 /* all header lines, without CRLFs → 431 */
#define ISL_HTTP_MAX_HEADER_LINES 100   /* → 431 */
/* While a request is in the service, pipelined input is buffered up to this much; past it
 * reading stops until the response is written. */
#define ISL_HTTP_MAX_PIPELINE_BYTES (1u << 20)
/* After an error response (or Connection: close) the write side is shut down and input is
 * drained for up to this long so the kernel does not answer unread input with a RST that
 * would destroy the response before the client reads it. */
#define ISL_HTTP_LINGER_MS 2000

/* The head pre-scanner. llhttp 8.1 in strict mode still accepts a bare LF ending the
 * request line or the head, obs-fold continuation lines, several spaces between the parts
 * of the request line, and in a chunked body's trailers a bare LF and obs-fold; it also has
 * no notion of size limits. The scanner walks each request head's raw bytes (and each
 * trailer section's) just ahead of llhttp and decides those cases; llhttp is not given a
 * request line before the scanner has accepted all of it. */
typedef struct {
  int state;
  uint8_t major, minor; /* the HTTP version's digits */
  size_t part;          /* bytes so far of the request line's current part */
  size_t line_bytes, header_bytes, header_lines;
} isl_http_scan_t;

void isl_http_scan_init(isl_http_scan_t *s);
/* Starts on a trailer section (the header lines after a chunked body's last chunk). */
void isl_http_scan_init_trailers(isl_http_scan_t *s);
/* Scans p[0..n). Returns 0 and sets *used = n when the head continues past p, 0 and
 * *used = bytes up to and including the final CRLF when the head ended (then
 * isl_http_scan_done() is true), or an HTTP status for a head to reject: 400, 414 (request
 * line over 8 KiB), 431 (header limits), 505 (an HTTP version other than 1.0 and 1.1). */
int isl_http_scan(isl_http_scan_t *s, const char *p, size_t n, size_t *used);
bool isl_http_scan_done(const isl_http_scan_t *s);
/* True once the whole request line (with its CRLF) was scanned and accepted. */
bool isl_http_scan_line_done(const isl_http_scan_t *s);

/* fields.c. A Host value or absolute-form authority that "http://" + it + target cannot
 * turn into another URL: uri-host [":" port] with a bracketed IP literal or a reg-name of
 * unreserved and sub-delims characters (no percent-encoding, no userinfo) and a port up to
 * 65535. Empty only if allow_empty. */
bool isl_http_valid_authority(const char *h, size_t n, bool allow_empty);
/* fields.c. The status a request's Transfer-Encoding fields call for: 0 (none, or exactly
 * one final "chunked"), 400 (HTTP/1.0, chunked not final or repeated or with parameters,
 * an element without a coding name) or 501 (a coding other than chunked). */
int isl_http_te_status(const isl_headers_t *h, int http_minor);

/* The Date header value for now, "Sun, 06 Nov 1994 08:49:37 GMT", recomputed at most once a
 * second per thread. Borrowed until the next call on the same thread. */
const char *isl_http_date(void);

/* How a response's body is delimited on the wire: none (1xx, 204, 304), Content-Length
 * (complete bytes, or a stream of known length), chunked (a stream of unknown length in
 * HTTP/1.1), or the end of the connection (the same in HTTP/1.0: the connection cannot be
 * kept alive). */
typedef enum { ISL_FRAME_NONE, ISL_FRAME_LENGTH, ISL_FRAME_CHUNKED, ISL_FRAME_CLOSE } isl_http_frame_t;
isl_http_frame_t isl_http_framing(const isl_response_t *res, int http_minor);

/* Serialises the status line and headers of res into out: the worker's Content-Length,
 * Transfer-Encoding, Connection and Keep-Alive are dropped and correct ones written (by
 * isl_http_framing), Date is added unless present, header lines with bytes that would
 * break framing are dropped. Returns the number of body bytes to write after the head
 * when the body is complete bytes (0 for HEAD, for 1xx, 204, 304, and for a stream, which
 * the caller writes as it comes). http_minor is the request's (HTTP/1.0 keep-alive needs
 * it said). */
size_t isl_http_write_head(isl_buf_t *out, const isl_response_t *res, bool head_request,
                           bool keep_alive, int http_minor);

enum {
  ISL_CONN_IDLE,    /* between requests: idle timer */
  ISL_CONN_HEAD,    /* request head arriving: header timer */
  ISL_CONN_BODY,    /* request body arriving: body timer */
  ISL_CONN_SERVICE, /* request in the service: no parsing, no timer */
  ISL_CONN_WRITING, /* response being written */
  ISL_CONN_ENDING,  /* last response written or being written; then shutdown + drain */
};

typedef struct isl_http_conn isl_http_conn_t;

/* A listener's or connection's socket: TCP, or a unix domain socket (a libuv pipe). Both
 * are streams, and the code reads, writes and closes them as such; only creating,
 * binding and TCP's socket options look at `handle.type`. A union, so a connection stays
 * one allocation whichever it is. */
typedef union {
  uv_handle_t handle;
  uv_stream_t stream;
  uv_tcp_t tcp;
  uv_pipe_t pipe;
} isl_http_sock_t;

/* Input buffers of idle connections the server keeps for the next reads: a keep-alive
 * connection gives its buffer back between requests (many idle connections must not
 * hold one each), and taking a spare instead of a fresh 32 KiB malloc spares glibc a
 * consolidation of its small-chunk bins on every request. */
#define ISL_HTTP_SPARE_BUFFERS 32

struct isl_http_server {
  uv_loop_t *loop;
  isl_http_sock_t listener;
  uv_timer_t grace; /* the shutdown grace period; before shutdown, the accept retry */
  isl_http_limits_t lim;
  isl_service_t *svc;
  char *authority; /* listen address as "host:port", for requests without Host; "localhost"
                   * on a unix socket */
  int port;        /* 0 on a unix socket */
  /* A unix socket's file, removed when the listener closes if it is still the one bound
   * (same device and inode): NULL for TCP and abstract sockets. */
  char *unix_path;
  dev_t unix_dev;
  ino_t unix_ino;
  isl_http_conn_t *conns; /* every connection whose handles are not closed yet */
  size_t nconns;
  isl_http_server_t *next_server; /* all servers of the process share the connection budget */
  bool accept_paused;             /* libuv holds a connection this server has not accepted */
  int open_handles; /* listener + grace timer, while shutting down */
  bool shutting_down, done_called;
  void (*done)(void *data);
  void *done_data;
  char *spare[ISL_HTTP_SPARE_BUFFERS]; /* each ISL_HTTP_IN_CAP bytes */
  int nspare;
  /* Response heads are written here first: most are written at once and never need a
   * buffer of their own (see send_response). */
  isl_buf_t head_scratch;
};

/* The capacity of a connection's input buffer (large enough for most heads). */
#define ISL_HTTP_IN_CAP 32768

/* Accepts one pending connection from the listener and starts serving it. */
void isl_http_conn_accept(isl_http_server_t *s);
/* Serves a connected stream socket that did not come from the listener (conn.c does the
 * work; server.c's wrapper counts it in the connection budget). The fuzz driver
 * fuzz/http_conn_fuzz.c feeds the server through one end of a socketpair this way. The
 * socket is closed with the connection, also on failure. */
void isl_http_conn_adopt(isl_http_server_t *s, uv_os_sock_t fd);
void isl_http_server_adopt(isl_http_server_t *s, uv_os_sock_t fd);
/* Shutdown: closes the connection now if idle; otherwise its current response is the last. */
void isl_http_conn_shutdown(isl_http_conn_t *c);
/* Closes the connection's handles now, whatever it is doing (grace period over). */
void isl_http_conn_close(isl_http_conn_t *c);
isl_http_conn_t *isl_http_conn_next(isl_http_conn_t *c);
/* True for an idle keep-alive connection that has been answered at least once: the one to
 * close when the connection budget is reached (server.c). */
bool isl_http_conn_is_spare(const isl_http_conn_t *c);
/* Called by conn.c when a connection went idle after a response: if a server waits for
 * room in the connection budget, an idle connection is closed to make it. */
void isl_http_server_conn_idle(void);
/* Called by conn.c when a connection's handles are closed and it left the list. */
void isl_http_server_conn_gone(isl_http_server_t *s);

#endif
