/* The listener and the server's life: start, accept (with the connection budget), graceful
 * shutdown. Connections live in conn.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../base/unixaddr.h"
#include "internal.h"

void isl_http_limits_default(isl_http_limits_t *lim) {
  lim->max_body_bytes = 100u << 20;
  lim->header_timeout_ms = 30000;
  lim->body_timeout_ms = 30000;
  lim->idle_timeout_ms = 60000;
  lim->shutdown_grace_ms = 10000;
}

/* ---- the connection budget ----
 *
 * Every connection holds a file descriptor, and running out of them must not stop the
 * process (or spin it). The servers of a process (all on the loop's thread) share a budget
 * computed when the first one starts: RLIMIT_NOFILE's soft limit, less the descriptors
 * already open, less a headroom for what workers open later (outbound connections, files).
 * At the budget a server pauses: its connection callback does not call uv_accept, so libuv
 * holds that one connection and stops polling the listener; new clients wait in the kernel's
 * backlog. Each closed connection resumes a paused server. To make room sooner, an idle
 * keep-alive connection that has already been answered is closed when the budget is hit.
 *
 * Should accept() still fail with EMFILE (descriptors taken elsewhere), libuv first closes
 * its own reserve descriptor and accepts-and-closes what is pending; only if that reserve is
 * gone does it call back with UV_EMFILE, and then it calls accept() again at once, in a
 * loop. islet keeps a reserve of its own for that case: it is closed so that the next
 * accept() succeeds and that connection is held (paused), and reopened, by a timer or a
 * closing connection, before accepting resumes. */

static size_t budget;        /* connections all servers may hold; 0 until the first start */
static size_t open_conns;    /* connections of all servers */
static int reserve_fd = -1;  /* islet's spare descriptor */
static bool fd_pressure;     /* accept() failed even so: wait for the reserve to reopen */
static isl_http_server_t *all_servers;
#define ISL_HTTP_RETRY_MS 1000

static size_t count_open_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  if (!d) return 64; /* no /proc: a guess on the safe side */
  size_t n = 0;
  for (struct dirent *e; (e = readdir(d));)
    if (e->d_name[0] != '.') n++;
  closedir(d);
  return n;
}

static void budget_init(void) {
  if (budget) return;
  struct rlimit rl;
  size_t soft = 1u << 20;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < soft)
    soft = (size_t)rl.rlim_cur;
  size_t used = count_open_fds() + 1; /* + islet's reserve */
  size_t headroom = 16 + soft / 16;
  budget = soft > used + headroom ? soft - used - headroom : 1;
  reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  isl_log(ISL_LOG_DEBUG, "connection budget %zu (RLIMIT_NOFILE %zu, %zu open)", budget, soft,
          used);
}

/* At most one warning every 10 s: a server under pressure meets this many times a second. */
static void warn_limited(const char *what) {
  static time_t last;
  time_t now = time(NULL);
  if (now - last < 10) return;
  last = now;
  isl_log(ISL_LOG_WARN, "%s (%zu connections open, budget %zu): accepting paused", what,
          open_conns, budget);
}

static void accept_one(isl_http_server_t *s) {
  open_conns++;
  isl_http_conn_accept(s);
}

void isl_http_server_adopt(isl_http_server_t *s, uv_os_sock_t fd) {
  open_conns++;
  isl_http_conn_adopt(s, fd);
}

static void on_retry(uv_timer_t *t);

static bool any_paused(void) {
  for (isl_http_server_t *s = all_servers; s; s = s->next_server)
    if (s->accept_paused && !s->shutting_down) return true;
  return false;
}

/* Makes room for a paused server: closes the oldest idle keep-alive connection that was
 * answered at least once (its closing resumes accepting). */
static void make_room(void) {
  isl_http_conn_t *idle = NULL;
  for (isl_http_server_t *o = all_servers; o; o = o->next_server)
    for (isl_http_conn_t *c = o->conns; c; c = isl_http_conn_next(c))
      if (isl_http_conn_is_spare(c)) idle = c;
  if (idle) isl_http_conn_close(idle);
}

static void pause_accepting(isl_http_server_t *s) {
  s->accept_paused = true;
  if (fd_pressure) {
    uv_timer_start(&s->grace, on_retry, ISL_HTTP_RETRY_MS, 0);
    return;
  }
  make_room();
}

void isl_http_server_conn_idle(void) {
  if (!fd_pressure && any_paused()) make_room();
}

/* Called when a connection closes, and by the retry timer. */
static void resume_accepting(void) {
  if (fd_pressure) {
    if (reserve_fd < 0) reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (reserve_fd < 0) {
      for (isl_http_server_t *s = all_servers; s; s = s->next_server)
        if (s->accept_paused && !s->shutting_down)
          uv_timer_start(&s->grace, on_retry, ISL_HTTP_RETRY_MS, 0);
      return;
    }
    fd_pressure = false;
  }
  for (isl_http_server_t *s = all_servers; s && open_conns < budget; s = s->next_server) {
    if (!s->accept_paused || s->shutting_down) continue;
    s->accept_paused = false;
    /* Takes the connection libuv held; libuv polls the listener again. */
    accept_one(s);
  }
}

static void on_retry(uv_timer_t *t) {
  (void)t;
  resume_accepting();
}

static void on_connection(uv_stream_t *listener, int status) {
  isl_http_server_t *s = listener->data;
  if (status == UV_EMFILE || status == UV_ENFILE) {
    /* libuv calls accept() again right after this: let it succeed (see the top). */
    fd_pressure = true;
    if (reserve_fd >= 0) close(reserve_fd);
    reserve_fd = -1;
    warn_limited("out of file descriptors");
    return;
  }
  if (status < 0) {
    isl_log(ISL_LOG_WARN, "accept failed: %s", uv_strerror(status));
    return;
  }
  if (fd_pressure || open_conns >= budget) {
    if (!fd_pressure) warn_limited("connection budget reached");
    pause_accepting(s);
    return;
  }
  accept_one(s);
}

static void free_server(isl_http_server_t *s) {
  for (int i = 0; i < s->nspare; i++) free(s->spare[i]);
  isl_buf_free(&s->head_scratch);
  free(s->authority);
  free(s->unix_path);
  free(s);
}

static void free_server_on_close(uv_handle_t *h) { free_server(h->data); }

/* What every listener needs once it listens: the grace timer, the budget, the list. */
static void server_begin(isl_http_server_t *s) {
  uv_timer_init(s->loop, &s->grace);
  s->grace.data = s;
  budget_init();
  s->next_server = all_servers;
  all_servers = s;
}

static isl_http_server_t *server_new(uv_loop_t *loop, const isl_http_limits_t *lim,
                                     isl_service_t *svc) {
  isl_http_server_t *s = isl_calloc(1, sizeof(*s));
  s->loop = loop;
  s->lim = *lim;
  s->svc = svc;
  return s;
}

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

  isl_http_server_t *s = server_new(loop, lim, svc);
  uv_tcp_init(loop, &s->listener.tcp);
  s->listener.handle.data = s;
  if ((r = uv_tcp_bind(&s->listener.tcp, (struct sockaddr *)&addr, 0)) < 0 ||
      (r = uv_listen(&s->listener.stream, 511, on_connection)) < 0) {
    snprintf(err, errlen, "cannot listen on %s:%d: %s", host, port, uv_strerror(r));
    /* The server struct must outlive the close callback; it is freed there. */
    uv_close(&s->listener.handle, free_server_on_close);
    return r;
  }
  struct sockaddr_storage bound;
  int blen = sizeof(bound);
  uv_tcp_getsockname(&s->listener.tcp, (struct sockaddr *)&bound, &blen);
  s->port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                              : ((struct sockaddr_in *)&bound)->sin_port);
  isl_buf_t a = {0};
  isl_buf_printf(&a, v6 ? "[%s]:%d" : "%s:%d", strcmp(host, "localhost") == 0 ? host : ip,
                 s->port);
  s->authority = isl_buf_take(&a);
  server_begin(s);
  *out = s;
  return 0;
}

/* ---- unix domain sockets ----
 *
 * islet makes and binds the socket itself and hands it to libuv (uv_pipe_open): libuv
 * 1.44's uv_pipe_bind cuts a long path short without a word and cannot name an abstract
 * socket, and it would remove the file on close whatever is there by then. */

/* Whether something listens on the socket file: 1 yes, 0 no (a stale file: connecting is
 * refused, or it is gone already), or a negative errno when that cannot be told. */
static int socket_in_use(const isl_unixaddr_t *a) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  int r = connect(fd, (const struct sockaddr *)&a->sa, a->len);
  int e = errno;
  close(fd);
  /* EAGAIN: a listener whose backlog is full, still a listener. */
  if (r == 0 || e == EAGAIN) return 1;
  if (e == ECONNREFUSED || e == ENOENT) return 0;
  return -e;
}

/* Makes room at a unix socket's path: a socket file nobody listens on (left by a run
 * that did not exit cleanly) is removed; anything else stays and is an error. */
static int clear_stale_socket(const isl_unixaddr_t *a, char *err, size_t errlen) {
  const char *path = a->sa.sun_path;
  struct stat st;
  if (lstat(path, &st) < 0) {
    int e = errno;
    if (e == ENOENT) return 0;
    snprintf(err, errlen, "cannot use %s: %s", path, strerror(e));
    return -e;
  }
  if (!S_ISSOCK(st.st_mode)) {
    snprintf(err, errlen, "%s exists and is not a socket (islet replaces only a stale socket "
                          "file there)", path);
    return UV_EEXIST;
  }
  int live = socket_in_use(a);
  if (live == 1) {
    snprintf(err, errlen, "something is already listening on %s", path);
    return UV_EADDRINUSE;
  }
  if (live < 0) {
    snprintf(err, errlen, "cannot tell whether %s is still in use: %s", path, strerror(-live));
    return live;
  }
  if (unlink(path) < 0 && errno != ENOENT) {
    int e = errno;
    snprintf(err, errlen, "cannot remove the stale socket %s: %s", path, strerror(e));
    return -e;
  }
  isl_log(ISL_LOG_INFO, "replaced the stale socket file %s", path);
  return 0;
}

int isl_http_server_start_unix(uv_loop_t *loop, const char *address,
                               const isl_http_limits_t *lim, isl_service_t *svc,
                               isl_http_server_t **out, char *err, size_t errlen) {
  *out = NULL;
  isl_unixaddr_t a;
  if (!isl_unixaddr_parse(address, &a, err, errlen)) return UV_EINVAL;
  const char *path = isl_unixaddr_path(&a);
  int r;
  if (path && (r = clear_stale_socket(&a, err, errlen)) < 0) return r;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    r = -errno;
    snprintf(err, errlen, "cannot make a socket for %s: %s", address, strerror(errno));
    return r;
  }
  if (bind(fd, (const struct sockaddr *)&a.sa, a.len) < 0) {
    r = -errno;
    snprintf(err, errlen, "cannot bind %s: %s", address, strerror(errno));
    close(fd);
    return r;
  }
  isl_http_server_t *s = server_new(loop, lim, svc);
  struct stat st;
  if (path && stat(path, &st) == 0) {
    s->unix_path = isl_strdup(path);
    s->unix_dev = st.st_dev;
    s->unix_ino = st.st_ino;
  }
  uv_pipe_init(loop, &s->listener.pipe, 0);
  s->listener.handle.data = s;
  if ((r = uv_pipe_open(&s->listener.pipe, fd)) < 0) close(fd); /* not the handle's yet */
  if (r < 0 || (r = uv_listen(&s->listener.stream, 511, on_connection)) < 0) {
    snprintf(err, errlen, "cannot listen on %s: %s", address, uv_strerror(r));
    if (s->unix_path) unlink(s->unix_path);
    uv_close(&s->listener.handle, free_server_on_close);
    return r;
  }
  s->authority = isl_strdup("localhost");
  server_begin(s);
  *out = s;
  return 0;
}

/* Removes the server's socket file, unless another process has bound that path since. */
static void remove_socket_file(isl_http_server_t *s) {
  struct stat st;
  if (!s->unix_path || lstat(s->unix_path, &st) < 0) return;
  if (st.st_dev == s->unix_dev && st.st_ino == s->unix_ino) unlink(s->unix_path);
}

int isl_http_server_port(const isl_http_server_t *s) { return s->port; }

/* The listener closes when shutdown starts, the grace timer once every connection is gone;
 * the server is freed after both. */
static void on_server_handle_closed(uv_handle_t *h) {
  isl_http_server_t *s = h->data;
  if (--s->open_handles > 0 || !s->done_called) return;
  for (isl_http_server_t **p = &all_servers; *p; p = &(*p)->next_server) {
    if (*p == s) {
      *p = s->next_server;
      break;
    }
  }
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
  open_conns--;
  check_done(s);
  resume_accepting();
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
  /* Closing the listener also closes a connection libuv holds for a paused accept. */
  s->accept_paused = false;
  s->open_handles++;
  uv_close(&s->listener.handle, on_server_handle_closed);
  remove_socket_file(s);
  for (isl_http_conn_t *c = s->conns; c;) {
    isl_http_conn_t *next = isl_http_conn_next(c);
    isl_http_conn_shutdown(c);
    c = next;
  }
  if (s->nconns > 0) uv_timer_start(&s->grace, on_grace_over, s->lim.shutdown_grace_ms, 0);
  check_done(s);
}
