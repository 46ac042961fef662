/* islet's command line: serve, test, --version, --help. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "base/base.h"
#include "base/unixaddr.h"
#include "config/config.h"
#include "http/server.h"
#include "loop/task.h"
#include "services/network.h"
#include "worker/worker.h"

const char isl_version[] = "0.1.0";

static const char usage_text[] =
    "usage: islet serve WORKER.js [--listen HOST:PORT] [options]\n"
    "       islet serve CONFIG.capnp [CONST] [-s NAME=ADDR ...] [options]\n"
    "       islet test [limits] FILE.js | CONFIG.capnp\n"
    "       islet --version | --help\n"
    "\n"
    "serve    Serves a module worker (export default { fetch }) or a service-worker\n"
    "         script (addEventListener(\"fetch\", ...)) over HTTP/1.1.\n"
    "test     Runs the module's test handlers (a config: every worker service's);\n"
    "         prints PASS/FAIL per test and \"N passed, N failed\"; exit status 1 if\n"
    "         any failed.\n"
    "\n"
    "serve options:\n"
    "  --listen HOST:PORT        address to listen on (default 127.0.0.1:8080); also\n"
    "                            unix:PATH or unix-abstract:NAME (a unix domain socket)\n"
    "  -s, --socket-addr NAME=ADDR  a config's socket NAME listens on ADDR instead\n"
    "  --max-body-bytes N        largest request body accepted (default 104857600)\n"
    "  --header-timeout-ms N     time allowed for a request's headers (default 30000)\n"
    "  --body-timeout-ms N       longest pause inside a request body (default 30000)\n"
    "  --idle-timeout-ms N       idle keep-alive connections close after (default 60000)\n"
    "  --shutdown-grace-ms N     time in-flight requests get on SIGINT/SIGTERM (default 10000)\n"
    "  --quiet                   log errors only\n"
    "\n"
    "limits, for every worker (serve and test; 0 means none):\n"
    "  --cpu-limit-ms N          CPU time a request's JavaScript may use, across its awaits\n"
    "                            and timers (default 30000); over it: 503\n"
    "  --memory-limit-mb N       heap size of one worker's isolate (default 128); over it:\n"
    "                            its requests get 503 and the isolate is restarted\n"
    "  --subrequest-limit N      fetch() and service binding calls per request (default 1000)\n"
    "  --wait-until-limit-ms N   how long waitUntil() work may run after the response\n"
    "                            (default 30000)\n";

static int usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "islet: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\n\n%s", usage_text);
  return 2;
}

/* Parses a non-negative integer option value; false if it is not one. */
static bool parse_u64(const char *s, uint64_t *out) {
  if (!s || !*s) return false;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || s[0] == '-') return false;
  *out = v;
  return true;
}

/* A limit flag (see usage_text): 1 if a was one and v was taken, 0 if a is not one, -1 if
 * v is not a valid value. */
static int parse_limit_flag(const char *a, const char *v, isl_worker_limits_t *wl) {
  uint64_t n, *slot = NULL;
  if (strcmp(a, "--cpu-limit-ms") == 0) slot = &wl->cpu_ms;
  else if (strcmp(a, "--memory-limit-mb") == 0) slot = &wl->memory_mb;
  else if (strcmp(a, "--wait-until-limit-ms") == 0) slot = &wl->wait_until_ms;
  else if (strcmp(a, "--subrequest-limit") != 0) return 0;
  /* Ranges that keep the nanoseconds and bytes they become within 64 bits. */
  uint64_t max = slot == &wl->memory_mb ? (1ull << 40) : slot ? (1ull << 43) : UINT32_MAX;
  if (!parse_u64(v, &n) || n > max) return -1;
  if (slot) *slot = n;
  else wl->subrequests = (uint32_t)n;
  return 1;
}

/* HOST:PORT, [V6]:PORT or :PORT. */
static bool parse_listen(const char *s, char *host, size_t hostlen, int *port) {
  const char *colon = strrchr(s, ':');
  if (!colon) return false;
  const char *h = s;
  size_t hl = (size_t)(colon - s);
  if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
    h++;
    hl -= 2;
  }
  if (hl == 0) {
    h = "127.0.0.1";
    hl = 9;
  }
  if (hl >= hostlen) return false;
  uint64_t p;
  if (!parse_u64(colon + 1, &p) || p > 65535) return false;
  memcpy(host, h, hl);
  host[hl] = 0;
  *port = (int)p;
  return true;
}

typedef struct {
  uv_loop_t *loop;
  isl_app_t *app; /* config mode */
  isl_http_server_t *server;
  isl_worker_t *worker;
  uv_signal_t sigint, sigterm;
  bool stopping;
} serve_t;

static void on_server_stopped(void *data) {
  serve_t *s = data;
  s->server = NULL;
  uv_close((uv_handle_t *)&s->sigint, NULL);
  uv_close((uv_handle_t *)&s->sigterm, NULL);
}

static void on_signal(uv_signal_t *h, int signum) {
  serve_t *s = h->data;
  if (s->stopping) {
    isl_log(ISL_LOG_WARN, "second signal: exiting now");
    exit(1);
  }
  s->stopping = true;
  isl_log(ISL_LOG_INFO, "%s: finishing in-flight requests, then exiting",
          signum == SIGINT ? "SIGINT" : "SIGTERM");
  if (s->app) isl_app_stop(s->app, on_server_stopped, s);
  else isl_http_server_shutdown(s->server, on_server_stopped, s);
}

/* A worker run from a file (not a config) reaches the network as a config's would by
 * default: through workerd's implicit "internet", public addresses only. */
static isl_service_t *default_internet(uv_loop_t *loop) {
  isl_netpolicy_t *p = isl_netpolicy_new(NULL, 0, NULL, 0, NULL, 0);
  ISL_CHECK(p != NULL);
  return isl_network_new(loop, "internet", p);
}

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* islet serve CONFIG.capnp: every service and socket of a workerd config. */
static int serve_config(const char *file, const char *const_name, const isl_http_limits_t *lim,
                        const isl_socket_override_t *ov, size_t nov) {
  isl_capnp_error_t cerr;
  isl_config_t *cfg = isl_config_load(file, const_name, &cerr);
  if (!cfg) {
    fprintf(stderr, "islet: %s\n", cerr.msg);
    return 1;
  }
  serve_t s = {0};
  s.loop = uv_default_loop();
  isl_buf_t err = {0};
  s.app = isl_app_start(s.loop, cfg, lim, ov, nov, &err);
  if (!s.app) {
    fprintf(stderr, "islet: %s: %s\n", file, err.p ? err.p : "failed to start");
    isl_buf_free(&err);
    uv_run(s.loop, UV_RUN_DEFAULT); /* whatever was started closes */
    isl_config_free(cfg);
    return 1;
  }
  uv_signal_init(s.loop, &s.sigint);
  uv_signal_init(s.loop, &s.sigterm);
  s.sigint.data = s.sigterm.data = &s;
  uv_signal_start(&s.sigint, on_signal, SIGINT);
  uv_signal_start(&s.sigterm, on_signal, SIGTERM);
  uv_run(s.loop, UV_RUN_DEFAULT);
  isl_task_shutdown(s.loop);
  uv_run(s.loop, UV_RUN_DEFAULT);
  isl_config_free(cfg);
  return 0;
}

static int cmd_serve(int argc, char **argv) {
  const char *file = NULL, *const_name = NULL;
  isl_socket_override_t ov[64];
  size_t nov = 0;
  char host[256] = "127.0.0.1";
  int port = 8080;
  const char *unix_addr = NULL; /* --listen unix:PATH */
  isl_http_limits_t lim;
  isl_http_limits_default(&lim);
  isl_worker_limits_t wl = isl_worker_default_limits();
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    uint64_t n;
    int lf = parse_limit_flag(a, v, &wl);
    if (lf < 0) return usage_error("%s needs a non-negative integer (not too large)", a);
    if (lf > 0) {
      i++;
    } else if (strcmp(a, "--listen") == 0) {
      unix_addr = isl_unixaddr_is(v) ? v : NULL;
      if (!v || (!unix_addr && !parse_listen(v, host, sizeof(host), &port)))
        return usage_error("--listen needs HOST:PORT, got '%s'", v ? v : "");
      i++;
    } else if (strcmp(a, "-s") == 0 || strcmp(a, "--socket-addr") == 0) {
      const char *eq = v ? strchr(v, '=') : NULL;
      if (!eq || eq == v || !eq[1]) return usage_error("%s needs NAME=ADDR", a);
      if (nov == sizeof(ov) / sizeof(ov[0])) return usage_error("%s", "too many -s options");
      /* The name is cut out of argv in place: argv lives as long as the process. */
      argv[i + 1][eq - v] = 0;
      ov[nov++] = (isl_socket_override_t){argv[i + 1], eq + 1};
      i++;
    } else if (strcmp(a, "--quiet") == 0) {
      isl_log_level = ISL_LOG_ERROR;
    } else if (strncmp(a, "--", 2) == 0 && strcmp(a, "--") != 0) {
      uint64_t *slot = NULL;
      size_t *size_slot = NULL;
      if (strcmp(a, "--max-body-bytes") == 0) size_slot = &lim.max_body_bytes;
      else if (strcmp(a, "--header-timeout-ms") == 0) slot = &lim.header_timeout_ms;
      else if (strcmp(a, "--body-timeout-ms") == 0) slot = &lim.body_timeout_ms;
      else if (strcmp(a, "--idle-timeout-ms") == 0) slot = &lim.idle_timeout_ms;
      else if (strcmp(a, "--shutdown-grace-ms") == 0) slot = &lim.shutdown_grace_ms;
      else return usage_error("unknown option '%s'", a);
      if (!parse_u64(v, &n)) return usage_error("%s needs a non-negative integer", a);
      if (slot) *slot = n;
      else *size_slot = (size_t)n;
      i++;
    } else if (!file) {
      file = a;
    } else if (!const_name && ends_with(file, ".capnp")) {
      const_name = a;
    } else {
      return usage_error("unexpected argument '%s'", a);
    }
  }
  if (!file) return usage_error("%s", "serve needs a worker file");
  isl_worker_set_default_limits(&wl);
  if (ends_with(file, ".capnp")) return serve_config(file, const_name, &lim, ov, nov);
  if (nov) return usage_error("%s", "-s applies to a config's sockets only");

  serve_t s = {0};
  s.loop = uv_default_loop();
  isl_service_t *internet = default_internet(s.loop);
  isl_worker_config_t cfg = {.main_path = file, .loop = s.loop, .outbound = internet};
  isl_buf_t err = {0};
  s.worker = isl_worker_new(&cfg, &err);
  if (!s.worker) {
    fprintf(stderr, "islet: %s\n", err.p ? err.p : "failed to load the worker");
    isl_buf_free(&err);
    isl_network_free(internet);
    uv_run(s.loop, UV_RUN_DEFAULT); /* the half-made worker's handles close */
    return 1;
  }
  char msg[512];
  int rc = unix_addr ? isl_http_server_start_unix(s.loop, unix_addr, &lim,
                                                  isl_worker_service(s.worker), &s.server, msg,
                                                  sizeof(msg))
                     : isl_http_server_start(s.loop, host, port, &lim,
                                             isl_worker_service(s.worker), &s.server, msg,
                                             sizeof(msg));
  if (rc < 0) {
    if (unix_addr) fprintf(stderr, "islet: %s\n", msg);
    else fprintf(stderr, "islet: cannot listen on %s:%d: %s\n", host, port, msg);
    isl_worker_free(s.worker);
    isl_network_free(internet);
    uv_run(s.loop, UV_RUN_DEFAULT); /* the worker's handles close */
    return 1;
  }
  uv_signal_init(s.loop, &s.sigint);
  uv_signal_init(s.loop, &s.sigterm);
  s.sigint.data = s.sigterm.data = &s;
  uv_signal_start(&s.sigint, on_signal, SIGINT);
  uv_signal_start(&s.sigterm, on_signal, SIGTERM);
  if (unix_addr) isl_log(ISL_LOG_INFO, "serving %s on %s", file, unix_addr);
  else isl_log(ISL_LOG_INFO, "serving %s on http://%s:%d/", file, host,
               isl_http_server_port(s.server));
  uv_run(s.loop, UV_RUN_DEFAULT);
  isl_worker_free(s.worker);
  isl_network_free(internet);
  isl_task_shutdown(s.loop);
  uv_run(s.loop, UV_RUN_DEFAULT);
  isl_buf_free(&err);
  return 0;
}

typedef struct {
  bool done;
  int passed, failed;
} test_state_t;

static void on_tests_done(void *data, int passed, int failed) {
  test_state_t *t = data;
  t->done = true;
  t->passed = passed;
  t->failed = failed;
}

/* Prints the summary line; a protected JS value left behind at teardown is a leak and
 * counts as one more failure (teardown is a test too). */
static int test_summary(const test_state_t *t, long leaked) {
  int failed = t->failed;
  if (leaked) {
    printf("FAIL teardown: %ld protected values leaked\n", leaked);
    failed++;
  }
  printf("%d passed, %d failed\n", t->passed, failed);
  return failed ? 1 : 0;
}

/* islet test CONFIG.capnp: every worker service's tests (as `workerd test` does); the
 * config's sockets are not opened. */
static int test_config(const char *file) {
  isl_capnp_error_t cerr;
  isl_config_t *cfg = isl_config_load(file, NULL, &cerr);
  if (!cfg) {
    fprintf(stderr, "islet: %s\n", cerr.msg);
    printf("0 passed, 1 failed\n");
    return 1;
  }
  uv_loop_t *loop = uv_default_loop();
  isl_buf_t err = {0};
  isl_app_t *app = isl_app_start_tests(loop, cfg, &err);
  if (!app) {
    fprintf(stderr, "islet: %s: %s\n", file, err.p ? err.p : "failed to start");
    printf("0 passed, 1 failed\n");
    isl_buf_free(&err);
    uv_run(loop, UV_RUN_DEFAULT);
    isl_config_free(cfg);
    return 1;
  }
  test_state_t t = {0};
  isl_app_run_tests(app, on_tests_done, &t);
  while (!t.done) {
    uv_run(loop, UV_RUN_DEFAULT);
    if (!t.done && !isl_app_tests_stalled(app)) break;
  }
  long leaked = isl_app_free(app);
  isl_task_shutdown(loop);
  uv_run(loop, UV_RUN_DEFAULT);
  isl_config_free(cfg);
  return test_summary(&t, leaked);
}

static int cmd_test(int argc, char **argv) {
  isl_worker_limits_t wl = isl_worker_default_limits();
  const char *file = NULL;
  for (int i = 0; i < argc; i++) {
    int lf = parse_limit_flag(argv[i], i + 1 < argc ? argv[i + 1] : NULL, &wl);
    if (lf < 0) return usage_error("%s needs a non-negative integer (not too large)", argv[i]);
    if (lf > 0) i++;
    else if (strncmp(argv[i], "--", 2) == 0) return usage_error("unknown option '%s'", argv[i]);
    else if (file) return usage_error("%s", "test needs exactly one file");
    else file = argv[i];
  }
  if (!file) return usage_error("%s", "test needs exactly one file");
  isl_worker_set_default_limits(&wl);
  if (ends_with(file, ".capnp")) return test_config(file);
  uv_loop_t *loop = uv_default_loop();
  isl_service_t *internet = default_internet(loop);
  isl_worker_config_t cfg = {.main_path = file, .loop = loop, .test_mode = true,
                             .outbound = internet};
  isl_buf_t err = {0};
  isl_worker_t *w = isl_worker_new(&cfg, &err);
  if (!w) {
    fprintf(stderr, "islet: %s\n", err.p ? err.p : "failed to load the module");
    printf("0 passed, 1 failed\n");
    isl_buf_free(&err);
    isl_network_free(internet);
    uv_run(loop, UV_RUN_DEFAULT); /* the half-made worker's handles close */
    return 1;
  }
  test_state_t t = {0};
  isl_worker_run_tests(w, on_tests_done, &t);
  while (!t.done) {
    uv_run(loop, UV_RUN_DEFAULT);
    if (!t.done && !isl_worker_tests_stalled(w)) break;
  }
  long leaked = isl_worker_free(w);
  isl_network_free(internet);
  isl_task_shutdown(loop);
  uv_run(loop, UV_RUN_DEFAULT);
  return test_summary(&t, leaked);
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  if (argc < 2) return usage_error("%s", "missing command");
  const char *cmd = argv[1];
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-v") == 0) {
    printf("islet %s\n", isl_version);
    return 0;
  }
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
    fputs(usage_text, stdout);
    return 0;
  }
  if (strcmp(cmd, "serve") == 0) return cmd_serve(argc - 2, argv + 2);
  if (strcmp(cmd, "test") == 0) return cmd_test(argc - 2, argv + 2);
  return usage_error("unknown command '%s'", cmd);
}
