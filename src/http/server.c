/* The listener and the server's life: start, accept, graceful shutdown. Connections live in
 * conn.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void isl_http_limits_default(isl_http_limits_t *lim) {
  lim->max_body_bytes = 100u << 20;
  lim->header_timeout_ms = 30000;
  lim->body_timeout_ms = 30000;
  lim->idle_timeout_ms = 60000;
  lim->shutdown_grace_ms = 10000;
}

static void on_connection(uv_stream_t *listener, int status) {
  isl_http_server_t *s = listener->data;
  if (status < 0) {
    /* EMFILE and friends: the pending connection stays in the backlog; nothing to undo. */
    isl_log(ISL_LOG_WARN, "accept failed: %s", uv_strerror(status));
    return;
  }
  isl_http_conn_accept(s);
}

static void free_server(isl_http_server_t *s) {
  for (int i = 0; i < s->nspare; i++) free(s->spare[i]);
  isl_buf_free(&s->head_scratch);
  free(s->authority);
  free(s);
}

static void free_server_on_close(uv_handle_t *h) { free_server(h->data); }

int isl_http_server_start(uv_loop_t *loop, const char *host, int port,
                          const isl_http_limits_t *lim, isl_service_t *svc,
                          isl_http_server_t **out, char *err, size_t errlen) {
  struct sockaddr_storage addr;
  char ip[64];
  int r;
  *out = NULL;
  /* "[::1]" is accepted as well as "::1"; "localhost" means the IPv4 loopback. */
  size_t hl = strlen(host);
  if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
    snprintf(ip, sizeof(ip), "%.*s", (int)(hl - 2), host + 1);
  } else {
    snprintf(ip, sizeof(ip), "%s", strcmp(host, "localhost") == 0 ? "127.0.0.1" : host);
  }
  bool v6 = strchr(ip, ':') != NULL;
  r = v6 ? uv_ip6_addr(ip, port, (struct sockaddr_in6 *)&addr)
         : uv_ip4_addr(ip, port, (struct sockaddr_in *)&addr);
  if (r < 0) {
    snprintf(err, errlen, "invalid listen address '%s': expected an IP literal or localhost", host);
    return r;
  }

  isl_http_server_t *s = isl_calloc(1, sizeof(*s));
  s->loop = loop;
  s->lim = *lim;
  s->svc = svc;
  uv_tcp_init(loop, &s->listener);
  s->listener.data = s;
  if ((r = uv_tcp_bind(&s->listener, (struct sockaddr *)&addr, 0)) < 0 ||
      (r = uv_listen((uv_stream_t *)&s->listener, 511, on_connection)) < 0) {
    snprintf(err, errlen, "cannot listen on %s:%d: %s", host, port, uv_strerror(r));
    /* The server struct must outlive the close callback; it is freed there. */
    uv_close((uv_handle_t *)&s->listener, free_server_on_close);
    return r;
  }
  struct sockaddr_storage bound;
  int blen = sizeof(bound);
  uv_tcp_getsockname(&s->listener, (struct sockaddr *)&bound, &blen);
  s->port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                              : ((struct sockaddr_in *)&bound)->sin_port);
  isl_buf_t a = {0};
  isl_buf_printf(&a, v6 ? "[%s]:%d" : "%s:%d", strcmp(host, "localhost") == 0 ? host : ip,
                 s->port);
  s->authority = isl_buf_take(&a);
  uv_timer_init(loop, &s->grace);
  s->grace.data = s;
  *out = s;
  return 0;
}

int isl_http_server_port(const isl_http_server_t *s) { return s->port; }

/* The listener closes when shutdown starts, the grace timer once every connection is gone;
 * the server is freed after both. */
static void on_server_handle_closed(uv_handle_t *h) {
  isl_http_server_t *s = h->data;
  if (--s->open_handles > 0 || !s->done_called) return;
  s->done(s->done_data);
  free_server(s);
}

static void check_done(isl_http_server_t *s) {
  if (!s->shutting_down || s->nconns > 0 || s->done_called) return;
  s->done_called = true;
  uv_timer_stop(&s->grace);
  s->open_handles++;
  uv_close((uv_handle_t *)&s->grace, on_server_handle_closed);
}

void isl_http_server_conn_gone(isl_http_server_t *s) {
  s->nconns--;
  check_done(s);
}

static void on_grace_over(uv_timer_t *t) {
  isl_http_server_t *s = t->data;
  isl_log(ISL_LOG_WARN, "shutdown grace period over: closing %zu connection(s)", s->nconns);
  for (isl_http_conn_t *c = s->conns; c;) {
    isl_http_conn_t *next = isl_http_conn_next(c);
    isl_http_conn_close(c);
    c = next;
  }
}

void isl_http_server_shutdown(isl_http_server_t *s, void (*done)(void *data), void *data) {
  if (s->shutting_down) return;
  s->shutting_down = true;
  s->done = done;
  s->done_data = data;
  s->open_handles++;
  uv_close((uv_handle_t *)&s->listener, on_server_handle_closed);
  for (isl_http_conn_t *c = s->conns; c;) {
    isl_http_conn_t *next = isl_http_conn_next(c);
    isl_http_conn_shutdown(c);
    c = next;
  }
  if (s->nconns > 0) uv_timer_start(&s->grace, on_grace_over, s->lim.shutdown_grace_ms, 0);
  check_done(s);
}
