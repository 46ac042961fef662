/* The config model (src/config/config*.c): every field it accepts, read from the fixture
 * tests/config/model/full.capnp and from small configs in strings, and every error with its
 * exact message and position. In the sources below a '^' marks where the error is expected;
 * the helper removes it before parsing. Run from the repository root. */
#include <stdlib.h>

#include "base/base.h"
#include "config/config.h"
#include "check.h"
/* For the flag table itself (its order). */
#include "config/config_flags.c"

#define HEAD "using Workerd = import \"/workerd/workerd.capnp\";\n"

static isl_config_t *cur;

/* Parses src as "t.capnp", builds the model and frees the tree at once, so every check
 * below also checks that the model owns its copies. */
static isl_config_t *build_src(const char *src, const char *const_name, isl_capnp_error_t *err) {
  isl_capnp_file_t *f = isl_capnp_parse_string(src, strlen(src), "t.capnp", err);
  if (!f) return NULL;
  isl_config_t *c = isl_config_build(f, const_name, err);
  isl_capnp_free(f);
  return c;
}

/* The model of `const config :Workerd.Config = (BODY);` followed by the consts in MORE.
 * Kept in cur until the next call. */
static isl_config_t *cfg2(const char *body, const char *more) {
  isl_config_free(cur);
  isl_buf_t b = {0};
  isl_buf_printf(&b, HEAD "const config :Workerd.Config = (%s);\n%s", body, more);
  isl_capnp_error_t err;
  cur = build_src(b.p, NULL, &err);
  if (!cur) printf("  unexpected error: %s\n", err.msg);
  isl_buf_free(&b);
  return cur;
}

static isl_config_t *cfg(const char *body) {
  return cfg2(body, "");
}

/* True if the full source src (with one '^' marking the position) fails with exactly
 * "t.capnp:LINE:COL: msg". */
static bool src_fails(const char *marked, const char *msg) {
  isl_buf_t b = {0};
  int line = 1, col = 1, eline = 0, ecol = 0;
  for (const char *p = marked; *p; p++) {
    if (*p == '^') {
      eline = line;
      ecol = col;
      continue;
    }
    isl_buf_putc(&b, *p);
    if (*p == '\n') {
      line++;
      col = 1;
    } else if (((unsigned char)*p & 0xc0) != 0x80) {
      col++;
    }
  }
  isl_capnp_error_t err;
  isl_config_t *c = build_src(b.p, NULL, &err);
  bool ok = false;
  char want[700];
  snprintf(want, sizeof want, "t.capnp:%d:%d: %s", eline, ecol, msg);
  if (c) {
    printf("  built, expected: %s\n  source: %s\n", want, b.p);
    isl_config_free(c);
  } else if (strcmp(err.msg, want) != 0 || err.line != eline || err.col != ecol) {
    printf("  got:  %s (%d:%d)\n  want: %s\n", err.msg, err.line, err.col, want);
  } else {
    ok = true;
  }
  isl_buf_free(&b);
  return ok;
}

static bool fails(const char *body, const char *msg) {
  isl_buf_t b = {0};
  isl_buf_printf(&b, HEAD "const config :Workerd.Config = (%s);\n", body);
  bool ok = src_fails(b.p, msg);
  isl_buf_free(&b);
  return ok;
}

/* A worker service "a" with the given worker fields, for worker-level checks. */
static bool worker_fails(const char *fields, const char *msg) {
  isl_buf_t b = {0};
  isl_buf_printf(&b, "services = [(name = \"a\", worker = (%s))]", fields);
  bool ok = fails(b.p, msg);
  isl_buf_free(&b);
  return ok;
}

#define ESM "modules = [(name = \"m\", esModule = \"x\")]"

static bool bytes_are(const char *p, size_t len, const char *want, size_t wlen) {
  return p && len == wlen && memcmp(p, want, wlen) == 0 && p[len] == 0;
}
#define BYTES(p, len, lit) bytes_are((p), (len), (lit), sizeof(lit) - 1)

/* --- the fixture: every accepted field --- */

static void test_full_fixture(void) {
  isl_capnp_error_t err;
  isl_config_t *c = isl_config_load("tests/config/model/full.capnp", NULL, &err);
  CHECK(c != NULL);
  if (!c) {
    printf("  %s\n", err.msg);
    return;
  }
  CHECK(c->nservices == 6);
  CHECK(c->nsockets == 3);

  const isl_config_service_t *m = isl_config_service(c, "main");
  CHECK(m == &c->services[0]);
  CHECK(m->kind == ISL_SVC_WORKER);
  CHECK_STR(m->pos.file, "tests/config/model/full.capnp");
  CHECK(m->pos.line == 7 && m->pos.col == 5);
  CHECK(!m->service_worker_script);
  CHECK(m->nmodules == 6);
  CHECK_STR(m->modules[0].name, "worker.js");
  CHECK(m->modules[0].kind == ISL_MOD_ESM);
  CHECK(BYTES(m->modules[0].bytes, m->modules[0].len,
              "export default { fetch() { return new Response(\"main\"); } };\n"));
  CHECK(m->modules[0].pos.line == 27 && m->modules[0].pos.col == 5);
  CHECK_STR(m->modules[1].name, "lib.cjs");
  CHECK(m->modules[1].kind == ISL_MOD_CJS);
  CHECK(BYTES(m->modules[1].bytes, m->modules[1].len, "module.exports = { x: 1 };\n"));
  CHECK(m->modules[2].kind == ISL_MOD_TEXT);
  CHECK(BYTES(m->modules[2].bytes, m->modules[2].len, "h\xc3\xa9llo page\n"));
  CHECK(m->modules[3].kind == ISL_MOD_DATA);
  CHECK(BYTES(m->modules[3].bytes, m->modules[3].len, "\x00\x01\x02\xff"));
  CHECK(m->modules[4].kind == ISL_MOD_JSON);
  CHECK(BYTES(m->modules[4].bytes, m->modules[4].len, "{\"k\": [1, 2]}\n"));
  CHECK(m->modules[5].kind == ISL_MOD_WASM);
  CHECK(BYTES(m->modules[5].bytes, m->modules[5].len, "\x00" "asm\x01\x00\x00\x00"));
  CHECK_STR(m->compatibility_date, "2024-02-29");
  CHECK(m->ncompatibility_flags == 2);
  CHECK_STR(m->compatibility_flags[0], "nodejs_compat");
  CHECK_STR(m->compatibility_flags[1], "streams_enable_constructors");

  CHECK(m->nbindings == 7);
  const isl_config_binding_t *b = m->bindings;
  CHECK_STR(b[0].name, "TEXT");
  CHECK(b[0].kind == ISL_BIND_TEXT && BYTES(b[0].bytes, b[0].len, "hello"));
  CHECK(b[0].pos.line == 37 && b[0].pos.col == 5);
  CHECK_STR(b[1].name, "DATA");
  CHECK(b[1].kind == ISL_BIND_DATA && BYTES(b[1].bytes, b[1].len, "\xde\xad\xbe\xef"));
  CHECK(b[2].kind == ISL_BIND_JSON && BYTES(b[2].bytes, b[2].len, "{\"a\": 1}"));
  CHECK(b[3].kind == ISL_BIND_WASM && BYTES(b[3].bytes, b[3].len, "\x00" "asm\x01\x00\x00\x00"));
  CHECK(b[4].kind == ISL_BIND_FROM_ENV && BYTES(b[4].bytes, b[4].len, "HOME"));
  CHECK(b[5].kind == ISL_BIND_SERVICE);
  CHECK_STR(b[5].service, "net");
  CHECK(b[5].entrypoint == NULL);
  CHECK(b[6].kind == ISL_BIND_SERVICE);
  CHECK_STR(b[6].service, "classic");
  CHECK_STR(b[6].entrypoint, "Admin");
  CHECK_STR(m->global_outbound, "ext");
  CHECK_STR(m->global_outbound_entrypoint, "Out");

  const isl_config_service_t *cl = isl_config_service(c, "classic");
  CHECK(cl && cl->kind == ISL_SVC_WORKER && cl->service_worker_script);
  CHECK(cl && cl->nmodules == 1 && cl->modules[0].kind == ISL_MOD_ESM);
  CHECK_STR(cl ? cl->modules[0].name : NULL, "classic.js");
  CHECK(cl && BYTES(cl->modules[0].bytes, cl->modules[0].len,
                    "addEventListener(\"fetch\", e => e.respondWith(new Response(\"classic\")));\n"));
  CHECK(cl && cl->global_outbound == NULL && cl->nbindings == 0 && cl->ncompatibility_flags == 0);

  const isl_config_service_t *net = isl_config_service(c, "net");
  CHECK(net && net->kind == ISL_SVC_NETWORK && net->nallow == 2 && net->ndeny == 1);
  CHECK_STR(net ? net->allow[1] : NULL, "private");
  CHECK_STR(net ? net->deny[0] : NULL, "10.0.0.0/8");
  const isl_config_service_t *net2 = isl_config_service(c, "net2");
  CHECK(net2 && net2->nallow == 1 && net2->ndeny == 0);
  CHECK_STR(net2 ? net2->allow[0] : NULL, "public");

  const isl_config_service_t *ext = isl_config_service(c, "ext");
  CHECK(ext && ext->kind == ISL_SVC_EXTERNAL && ext->http_proxy_style);
  CHECK_STR(ext ? ext->address : NULL, "backend:8081");
  CHECK_STR(ext ? ext->http_forwarded_proto_header : NULL, "X-Proto");

  const isl_config_service_t *files = isl_config_service(c, "files");
  CHECK(files && files->kind == ISL_SVC_DISK && files->writable && files->allow_dotfiles);
  CHECK_STR(files ? files->path : NULL, "/srv/files");
  CHECK(isl_config_service(c, "nope") == NULL);

  const isl_config_socket_t *s = c->sockets;
  CHECK_STR(s[0].name, "http");
  CHECK_STR(s[0].address, "*:8080");
  CHECK_STR(s[0].service, "main");
  CHECK(!s[0].proxy_style && s[0].forwarded_proto_header == NULL);
  CHECK(s[0].pos.line == 15 && s[0].pos.col == 5);
  CHECK_STR(s[1].service, "classic");
  CHECK(s[1].proxy_style);
  CHECK_STR(s[1].forwarded_proto_header, "X-Forwarded-Proto");
  CHECK_STR(s[2].address, "unix:/tmp/islet.sock");
  CHECK_STR(s[2].service, "main");
  isl_config_free(c);

  /* Naming the const gives the same; a leading '.' is allowed. */
  c = isl_config_load("tests/config/model/full.capnp", ".config", &err);
  CHECK(c && c->nservices == 6);
  isl_config_free(c);
}

/* --- small configs that are accepted --- */

static void test_defaults(void) {
  isl_config_t *c = cfg("");
  CHECK(c && c->nservices == 0 && c->nsockets == 0);
  c = cfg("services = [], sockets = []");
  CHECK(c && c->nservices == 0 && c->nsockets == 0);
  c = cfg("services = [(name = \"a\", worker = (" ESM "))]");
  CHECK(c && c->services[0].compatibility_date == NULL && c->services[0].global_outbound == NULL);
  CHECK(c && c->services[0].nbindings == 0 && c->services[0].ncompatibility_flags == 0);
  c = cfg("services = [(name = \"d\", disk = \"/x\")]");
  CHECK(c && !c->services[0].writable && !c->services[0].allow_dotfiles);
  CHECK_STR(c ? c->services[0].path : NULL, "/x");
}

static void test_inline_script(void) {
  isl_config_t *c = cfg("services = [(name = \"a\", worker = (serviceWorkerScript = \"x()\"))]");
  CHECK(c && c->services[0].service_worker_script && c->services[0].nmodules == 1);
  CHECK_STR(c ? c->services[0].modules[0].name : NULL, "worker.js");
  CHECK(c && BYTES(c->services[0].modules[0].bytes, c->services[0].modules[0].len, "x()"));
}

static void test_plain_values_fill_first_field(void) {
  /* A string where a ServiceDesignator is expected is its name; the same for each
   * struct (a Service "x" is a service named x, which then lacks a kind). */
  isl_config_t *c = cfg("services = [(name = \"a\", worker = (" ESM ", globalOutbound = \"b\", "
                        "bindings = [(name = \"B\", service = \"b\")])), "
                        "(name = \"b\", external = \"host:1\")], "
                        "sockets = [(name = \"s\", address = \"*:1\", service = \"b\")]");
  CHECK(c != NULL);
  if (!c) return;
  CHECK_STR(c->services[0].global_outbound, "b");
  CHECK(c->services[0].global_outbound_entrypoint == NULL);
  CHECK_STR(c->services[0].bindings[0].service, "b");
  CHECK_STR(c->services[1].address, "host:1");
  CHECK_STR(c->sockets[0].service, "b");
  CHECK(fails("services = [^\"x\"]", "service 'x' needs one of worker, network, external, disk"));
}

static void test_references(void) {
  isl_config_t *c = cfg2("services = .svcs, sockets = [.sock]",
                        "const svcs :List(Workerd.Service) = [(name = .n, worker = .w)];\n"
                        "const n :Text = \"a\";\n"
                        "const target :Text = .n;\n"
                        "const sock :Workerd.Socket = (name = \"s\", address = .addr, "
                        "http = (style = .st), service = .target);\n"
                        "const addr :Text = \"*:80\";\n"
                        "const st :Workerd.HttpOptions.Style = proxy;\n"
                        "const w :Workerd.Worker = (modules = .mods, bindings = [.b], "
                        "compatibilityFlags = [.flag], compatibilityDate = .date);\n"
                        "const mods :List(Workerd.Worker.Module) = [(name = \"m\", esModule = .src)];\n"
                        "const src :Text = \"export default {}\";\n"
                        "const b :Workerd.Worker.Binding = (name = \"B\", text = .src);\n"
                        "const flag :Text = \"nodejs_compat\";\n"
                        "const date :Text = \"2024-01-01\";\n");
  CHECK(c != NULL);
  if (!c) return;
  CHECK_STR(c->services[0].name, "a");
  CHECK_STR(c->services[0].modules[0].name, "m");
  CHECK(BYTES(c->services[0].modules[0].bytes, c->services[0].modules[0].len, "export default {}"));
  /* One const read twice as Text shares its copy. */
  CHECK(c->services[0].modules[0].bytes == c->services[0].bindings[0].bytes);
  CHECK_STR(c->services[0].compatibility_flags[0], "nodejs_compat");
  CHECK_STR(c->services[0].compatibility_date, "2024-01-01");
  CHECK_STR(c->sockets[0].address, "*:80");
  CHECK_STR(c->sockets[0].service, "a");
  CHECK(c->sockets[0].proxy_style);
}

static void test_shared_worker_const(void) {
  /* Two services running the same Worker const get their own arrays, shared bytes. */
  isl_config_t *c = cfg2("services = [(name = \"a\", worker = .w), (name = \"b\", worker = .w)]",
                         "const w :Workerd.Worker = (" ESM ");\n");
  CHECK(c && c->nservices == 2);
  if (!c) return;
  CHECK(c->services[0].modules != c->services[1].modules);
  CHECK(c->services[0].modules[0].bytes == c->services[1].modules[0].bytes);
}

static void test_internet_is_implicit(void) {
  isl_config_t *c = cfg("services = [(name = \"a\", worker = (" ESM ", globalOutbound = \"internet\", "
                        "bindings = [(name = \"I\", service = \"internet\")]))]");
  CHECK(c && isl_config_service(c, "internet") == NULL);
  c = cfg("services = [(name = \"a\", worker = (" ESM ", globalOutbound = \"internet\")), "
          "(name = \"internet\", network = (allow = [\"public\", \"private\"]))]");
  CHECK(c && isl_config_service(c, "internet") == &c->services[1]);
}

static void test_http_style(void) {
  isl_config_t *c = cfg("sockets = [(name = \"s\", address = \"*:1\", http = (style = host), "
                        "service = \"internet\")]");
  CHECK(c && !c->sockets[0].proxy_style);
  c = cfg("sockets = [(name = \"s\", address = \"*:1\", http = proxy, service = \"internet\")]");
  CHECK(c && c->sockets[0].proxy_style);
}

static void test_http_inject_headers(void) {
  isl_config_t *c = cfg2("sockets = [(name = \"s\", address = \"*:1\", service = \"internet\", "
                         "http = (forwardedProtoHeader = \"X-Forwarded-Proto\", "
                         "injectRequestHeaders = [(name = \"X-Foo\", value = \"a b\"), "
                         "(name = \"X-Gone\"), .hdr], "
                         "injectResponseHeaders = [(name = \"Server\", value = \"\")]))]",
                         "const hdr :Workerd.HttpOptions.Header = (name = \"!#$%&'*+-.^_`|~9z\", "
                         "value = \"v\");\n");
  CHECK(c != NULL);
  if (!c) return;
  const isl_config_socket_t *sk = &c->sockets[0];
  CHECK_STR(sk->forwarded_proto_header, "X-Forwarded-Proto");
  CHECK(sk->ninject_request_headers == 3);
  CHECK_STR(sk->inject_request_headers[0].name, "X-Foo");
  CHECK_STR(sk->inject_request_headers[0].value, "a b");
  /* No value: the header is removed (workerd's null). */
  CHECK_STR(sk->inject_request_headers[1].name, "X-Gone");
  CHECK(sk->inject_request_headers[1].value == NULL);
  CHECK_STR(sk->inject_request_headers[2].name, "!#$%&'*+-.^_`|~9z");
  CHECK(sk->ninject_response_headers == 1);
  CHECK_STR(sk->inject_response_headers[0].name, "Server");
  CHECK_STR(sk->inject_response_headers[0].value, "");
  c = cfg("sockets = [(name = \"s\", address = \"*:1\", service = \"internet\", "
          "http = (injectRequestHeaders = []))]");
  CHECK(c && c->sockets[0].ninject_request_headers == 0 &&
        c->sockets[0].ninject_response_headers == 0);
}

static void test_hand_built_config_frees(void) {
  /* priv == NULL: every string is the caller's malloc, freed one by one (ASan checks). */
  isl_config_t *c = isl_calloc(1, sizeof *c);
  c->nservices = 1;
  c->services = isl_calloc(1, sizeof *c->services);
  c->services[0].name = isl_strdup("main");
  c->services[0].nmodules = 1;
  c->services[0].modules = isl_calloc(1, sizeof *c->services[0].modules);
  c->services[0].modules[0].name = isl_strdup("worker.js");
  c->services[0].modules[0].bytes = isl_strdup("export default {}");
  c->services[0].ncompatibility_flags = 1;
  c->services[0].compatibility_flags = isl_calloc(1, sizeof(char *));
  c->services[0].compatibility_flags[0] = isl_strdup("nodejs_compat");
  c->nsockets = 1;
  c->sockets = isl_calloc(1, sizeof *c->sockets);
  c->sockets[0].name = isl_strdup("http");
  c->sockets[0].address = isl_strdup("*:8080");
  c->sockets[0].service = isl_strdup("main");
  c->sockets[0].ninject_request_headers = 1;
  c->sockets[0].inject_request_headers = isl_calloc(1, sizeof(isl_config_header_t));
  c->sockets[0].inject_request_headers[0].name = isl_strdup("X-Foo");
  c->sockets[0].inject_request_headers[0].value = isl_strdup("bar");
  CHECK(isl_config_service(c, "main") == &c->services[0]);
  isl_config_free(c);
  isl_config_free(NULL);
}

/* --- compatibility dates and flags --- */

static void test_flag_table(void) {
  size_t n = sizeof compat_flags / sizeof *compat_flags;
  bool sorted = true;
  for (size_t i = 1; i < n; i++)
    if (strcmp(compat_flags[i - 1], compat_flags[i]) >= 0) {
      printf("  out of order: %s, %s\n", compat_flags[i - 1], compat_flags[i]);
      sorted = false;
    }
  CHECK(sorted);
  CHECK(isl_config_compat_flag_known(compat_flags[0]));
  CHECK(isl_config_compat_flag_known(compat_flags[n - 1]));
  const char *common[] = {"nodejs_compat", "nodejs_compat_v2", "streams_enable_constructors",
                          "transformstream_enable_standard_constructor",
                          "export_commonjs_default", "no_nodejs_compat", "url_standard",
                          "fixup-transform-stream-backpressure", "rpc", "experimental"};
  for (size_t i = 0; i < sizeof common / sizeof *common; i++)
    CHECK(isl_config_compat_flag_known(common[i]));
  CHECK(!isl_config_compat_flag_known("nodejs_compatible"));
  CHECK(!isl_config_compat_flag_known(""));
  CHECK(!isl_config_compat_flag_known("NODEJS_COMPAT"));
}

static void test_dates(void) {
  CHECK(isl_cfg_date_valid("2024-02-29", 10));
  CHECK(isl_cfg_date_valid("2000-02-29", 10));
  CHECK(isl_cfg_date_valid("2023-12-31", 10));
  CHECK(!isl_cfg_date_valid("2023-02-29", 10));
  CHECK(!isl_cfg_date_valid("1900-02-29", 10));
  CHECK(!isl_cfg_date_valid("2024-04-31", 10));
  CHECK(!isl_cfg_date_valid("2024-13-01", 10));
  CHECK(!isl_cfg_date_valid("2024-00-10", 10));
  CHECK(!isl_cfg_date_valid("2024-01-00", 10));
  CHECK(!isl_cfg_date_valid("0000-01-01", 10));
  CHECK(!isl_cfg_date_valid("2024-1-01", 9));
  CHECK(!isl_cfg_date_valid("2024/01/01", 10));
  CHECK(!isl_cfg_date_valid("2024-01-0a", 10));
  CHECK(!isl_cfg_date_valid("2024-01-011", 11));
  CHECK(worker_fails(ESM ", compatibilityDate = ^\"2023-02-29\"",
                     "compatibilityDate: '2023-02-29' is not a real date written YYYY-MM-DD"));
  CHECK(worker_fails(ESM ", compatibilityDate = ^\"today\"",
                     "compatibilityDate: 'today' is not a real date written YYYY-MM-DD"));
  CHECK(worker_fails(ESM ", compatibilityDate = ^20240101",
                     "compatibilityDate: expected a string, got an integer"));
}

static void test_flag_errors(void) {
  CHECK(worker_fails(ESM ", compatibilityFlags = [\"nodejs_compat\", ^\"x\"]",
                     "unknown compatibility flag 'x'"));
  CHECK(worker_fails(ESM ", compatibilityFlags = [\"nodejs_compat\", ^\"nodejs_compat\"]",
                     "compatibility flag 'nodejs_compat' is given twice"));
  CHECK(worker_fails(ESM ", compatibilityFlags = ^\"nodejs_compat\"",
                     "compatibilityFlags: expected a list, got a string"));
  CHECK(worker_fails(ESM ", compatibilityFlags = [^1]",
                     "compatibilityFlags: expected a string, got an integer"));
}

/* --- errors, struct by struct --- */

static void test_config_errors(void) {
  const char *unsupported[] = {"v8Flags", "extensions", "autogates", "structuredLogging",
                               "logging"};
  for (size_t i = 0; i < sizeof unsupported / sizeof *unsupported; i++) {
    char body[200], msg[100];
    snprintf(body, sizeof body, "services = [], ^%s = []", unsupported[i]);
    snprintf(msg, sizeof msg, "not supported: %s", unsupported[i]);
    CHECK(fails(body, msg));
  }
  CHECK(fails("^servics = []", "unknown field 'servics' in Config"));
  CHECK(fails("services = ^\"a\"", "services: expected a list, got a string"));
  CHECK(fails("sockets = ^(name = \"a\")", "sockets: expected a list, got a struct"));
  CHECK(fails("services = [], ^services = []", "field 'services' is set twice"));
}

static void test_service_errors(void) {
  CHECK(fails("services = [^(worker = (" ESM "))]", "service needs a name"));
  CHECK(fails("services = [^(name = \"a\")]",
              "service 'a' needs one of worker, network, external, disk"));
  CHECK(fails("services = [(name = \"a\", worker = (" ESM "), ^network = ())]",
              "two values for one union: worker and network"));
  CHECK(fails("services = [(name = \"a\", disk = \"/\", ^external = \"h:1\")]",
              "two values for one union: disk and external"));
  CHECK(fails("services = [(name = \"a\", ^unspecified = void)]", "not supported: unspecified"));
  CHECK(fails("services = [(name = \"a\", ^wrker = ())]", "unknown field 'wrker' in Service"));
  CHECK(fails("services = [(name = ^[\"a\"], disk = \"/\")]",
              "name: expected a string, got a list"));
  CHECK(fails("services = [(name = \"a\", ^name = \"b\", disk = \"/\")]",
              "field 'name' is set twice"));
  CHECK(fails("services = [(name = \"a\", disk = \"/\"), (name = ^\"a\", disk = \"/\")]",
              "two services named 'a'"));
}

static void test_text_checks(void) {
  CHECK(fails("services = [(name = ^\"a\\0b\", disk = \"/\")]", "name: text contains a NUL byte"));
  CHECK(worker_fails("modules = [(name = \"m\", esModule = ^\"\\xff\")]",
                     "esModule: text is not valid UTF-8"));
  /* Data takes any bytes, and a string or data literal. */
  isl_config_t *c = cfg("services = [(name = \"a\", worker = (modules = [(name = \"m\", "
                        "esModule = \"x\"), (name = \"d\", data = \"\\xff\\0\")]))]");
  CHECK(c && BYTES(c->services[0].modules[1].bytes, c->services[0].modules[1].len, "\xff\0"));
  CHECK(worker_fails("modules = [(name = \"m\", wasm = ^5)]", "wasm: expected data, got an integer"));
}

static void test_worker_errors(void) {
  CHECK(fails("services = [(name = \"a\", worker = ^())]",
              "worker 'a' needs modules or serviceWorkerScript"));
  CHECK(fails("services = [(name = \"a\", worker = ^(compatibilityDate = \"2024-01-01\"))]",
              "worker 'a' needs modules or serviceWorkerScript"));
  CHECK(worker_fails(ESM ", ^serviceWorkerScript = \"x\"",
                     "two values for one union: modules and serviceWorkerScript"));
  CHECK(worker_fails("^modules = []", "modules: a worker needs at least one module"));
  CHECK(worker_fails("modules = ^\"x\"", "modules: expected a list, got a string"));
  const char *unsupported[] = {"inherit",
                               "cacheApiOutbound",
                               "durableObjectNamespaces",
                               "durableObjectUniqueKeyModifier",
                               "durableObjectStorage",
                               "moduleFallback",
                               "tails",
                               "streamingTails",
                               "containerEngine",
                               "accessBlobHeader",
                               "accessBindingService",
                               "workflowsEngine"};
  for (size_t i = 0; i < sizeof unsupported / sizeof *unsupported; i++) {
    char fields[200], msg[100];
    snprintf(fields, sizeof fields, ESM ", ^%s = void", unsupported[i]);
    snprintf(msg, sizeof msg, "not supported: %s", unsupported[i]);
    CHECK(worker_fails(fields, msg));
  }
  CHECK(worker_fails(ESM ", ^bindngs = []", "unknown field 'bindngs' in Worker"));
  CHECK(worker_fails(ESM ", globalOutbound = ^\"nope\"", "no service named 'nope'"));
  CHECK(worker_fails(ESM ", globalOutbound = (name = \"a\", ^props = (json = \"{}\"))",
                     "not supported: props"));
}

static void test_module_errors(void) {
  CHECK(worker_fails("modules = [^(esModule = \"x\")]", "module needs a name"));
  CHECK(worker_fails("modules = [^(name = \"m\")]",
                     "module 'm' needs one of esModule, commonJsModule, text, data, json, wasm"));
  CHECK(worker_fails("modules = [(name = \"m\", esModule = \"x\", ^text = \"y\")]",
                     "two values for one union: esModule and text"));
  CHECK(worker_fails("modules = [(name = \"m\", esModule = \"x\"), (name = ^\"m\", text = \"y\")]",
                     "two modules named 'm'"));
  CHECK(worker_fails("modules = [(name = \"m\", commonJsModule = \"x\", ^namedExports = [\"a\"])]",
                     "not supported: namedExports"));
  CHECK(worker_fails("modules = [(name = \"m\", ^pythonModule = \"x\")]",
                     "not supported: pythonModule"));
  CHECK(worker_fails("modules = [(name = \"m\", ^esmodule = \"x\")]",
                     "unknown field 'esmodule' in Worker.Module"));
  /* Names are unique per worker, not per config. */
  isl_config_t *c = cfg("services = [(name = \"a\", worker = (" ESM ")), "
                        "(name = \"b\", worker = (" ESM "))]");
  CHECK(c && c->nservices == 2);
}

static void test_binding_errors(void) {
  const char *kinds[] = {"parameter", "cryptoKey",       "durableObjectClass",
                         "durableObjectNamespace",       "kvNamespace",
                         "r2Bucket",  "obsolete0",       "wrapped",
                         "queue",     "analyticsEngine", "hyperdrive",
                         "unsafeEval", "memoryCache",    "workerLoader",
                         "workerdDebugPort"};
  for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
    char fields[200], msg[100];
    snprintf(fields, sizeof fields, ESM ", bindings = [(name = \"B\", ^%s = void)]", kinds[i]);
    snprintf(msg, sizeof msg, "not supported yet: binding kind '%s'", kinds[i]);
    CHECK(worker_fails(fields, msg));
  }
  CHECK(worker_fails(ESM ", bindings = [(name = \"B\", text = \"x\", ^json = \"1\")]",
                     "two values for one union: text and json"));
  CHECK(worker_fails(ESM ", bindings = [^(text = \"x\")]", "binding needs a name"));
  CHECK(worker_fails(ESM ", bindings = [^(name = \"B\")]",
                     "binding 'B' needs a value: one of text, data, json, wasmModule, "
                     "fromEnvironment, service"));
  CHECK(worker_fails(ESM ", bindings = [(name = \"B\", text = \"x\"), (name = ^\"B\", text = \"y\")]",
                     "two bindings named 'B'"));
  CHECK(worker_fails(ESM ", bindings = [(name = \"B\", ^txt = \"x\")]",
                     "unknown field 'txt' in Worker.Binding"));
  CHECK(worker_fails(ESM ", bindings = [(name = \"B\", service = ^(entrypoint = \"E\"))]",
                     "service: a service designator needs a name"));
  CHECK(worker_fails(ESM ", bindings = [(name = \"B\", service = (name = ^\"zz\"))]",
                     "no service named 'zz'"));
  CHECK(worker_fails(ESM ", bindings = [(name = \"B\", service = \"a\", ^unspecified = void)]",
                     "not supported: unspecified"));
  CHECK(worker_fails(ESM ", bindings = [(name = \"B\", fromEnvironment = ^true)]",
                     "fromEnvironment: expected a string, got a bool"));
  CHECK(worker_fails(ESM ", bindings = ^(name = \"B\")", "bindings: expected a list, got a struct"));
}

static void test_socket_errors(void) {
  CHECK(fails("sockets = [^(name = \"s\", service = \"internet\")]", "socket needs an address"));
  CHECK(fails("sockets = [^(address = \"*:1\", service = \"internet\")]", "socket needs a name"));
  CHECK(fails("sockets = [^(name = \"s\", address = \"*:1\")]", "socket 's' needs a service"));
  CHECK(fails("sockets = [(name = \"s\", address = \"*:1\", ^https = (), service = \"internet\")]",
              "not supported: https (TLS comes with its own issue)"));
  CHECK(fails("sockets = [(name = \"s\", address = \"*:1\", ^tcp = (), service = \"internet\")]",
              "not supported: tcp"));
  CHECK(fails("sockets = [(name = \"s\", address = \"*:1\", ^udp = (), service = \"internet\")]",
              "not supported: udp"));
  CHECK(fails("sockets = [(name = \"s\", address = \"*:1\", http = (), ^https = ())]",
              "two values for one union: http and https"));
  CHECK(fails("sockets = [(name = \"s\", address = \"*:1\", http = (style = ^tls))]",
              "style: expected host or proxy, got 'tls'"));
  CHECK(fails("sockets = [(name = \"s\", address = \"*:1\", http = (style = ^\"host\"))]",
              "style: expected host or proxy, got a string"));
  CHECK(fails("sockets = [(name = \"s\", address = \"*:1\", http = (style = "
              "^Workerd.HttpOptions.Style.proxy))]",
              "'Workerd.HttpOptions.Style.proxy' refers into an imported schema, which islet "
              "does not read"));
  const char *http_unsupported[] = {"cfBlobHeader", "capnpConnectHost"};
  for (size_t i = 0; i < sizeof http_unsupported / sizeof *http_unsupported; i++) {
    char body[300], msg[100];
    snprintf(body, sizeof body, "sockets = [(name = \"s\", address = \"*:1\", http = (^%s = []))]",
             http_unsupported[i]);
    snprintf(msg, sizeof msg, "not supported: %s", http_unsupported[i]);
    CHECK(fails(body, msg));
  }
#define INJ(list) "sockets = [(name = \"s\", address = \"*:1\", http = (injectRequestHeaders = " list "))]"
  CHECK(fails(INJ("[(name = ^\"X Foo\", value = \"v\")]"),
              "injectRequestHeaders: 'X Foo' is not a valid header name"));
  CHECK(fails(INJ("[(name = ^\"X:Foo\", value = \"v\")]"),
              "injectRequestHeaders: 'X:Foo' is not a valid header name"));
  CHECK(fails(INJ("[(name = ^\"\", value = \"v\")]"),
              "injectRequestHeaders: '' is not a valid header name"));
  CHECK(fails(INJ("[(name = \"X-Foo\", value = ^\"a\\r\\nX-Evil: 1\")]"),
              "injectRequestHeaders: header value contains CR or LF"));
  CHECK(fails(INJ("[(name = \"X-Foo\", value = ^\"a\\nb\")]"),
              "injectRequestHeaders: header value contains CR or LF"));
  CHECK(fails(INJ("[(name = \"X-Foo\", value = ^\"a\\0b\")]"),
              "value: text contains a NUL byte"));
  CHECK(fails(INJ("[(name = \"X-Foo\", value = ^\" a\")]"),
              "injectRequestHeaders: header value has leading or trailing whitespace"));
  CHECK(fails(INJ("[^(value = \"v\")]"), "injectRequestHeaders: a header needs a name"));
  CHECK(fails(INJ("[(name = \"X\", ^valeu = \"v\")]"),
              "unknown field 'valeu' in HttpOptions.Header"));
  CHECK(fails(INJ("[(name = \"X\", value = \"v\", ^value = \"w\")]"),
              "field 'value' is set twice"));
  CHECK(fails(INJ("^(name = \"X\")"), "injectRequestHeaders: expected a list, got a struct"));
#undef INJ
  CHECK(fails("sockets = [(name = \"s\", address = \"*:1\", http = (injectResponseHeaders = "
              "[(name = ^\"X@\")]))]",
              "injectResponseHeaders: 'X@' is not a valid header name"));
  CHECK(fails("sockets = [(name = \"s\", address = \"*:1\", http = (^stile = host))]",
              "unknown field 'stile' in HttpOptions"));
  CHECK(fails("sockets = [(name = \"s\", address = \"*:1\", ^service = (name = \"internet\", "
              "entrypoint = \"E\"))]",
              "not supported: a socket's service entrypoint"));
  CHECK(fails("sockets = [(name = \"s\", address = \"*:1\", service = ^\"main\")]",
              "no service named 'main'"));
  CHECK(fails("sockets = [(name = \"s\", address = \"*:1\", service = \"internet\"), "
              "(name = ^\"s\", address = \"*:2\", service = \"internet\")]",
              "two sockets named 's'"));
  CHECK(fails("sockets = [(name = \"s\", ^adress = \"*:1\")]", "unknown field 'adress' in Socket"));
}

static void test_network_external_disk_errors(void) {
  CHECK(fails("services = [(name = \"n\", network = (allow = [\"public\"], ^tlsOptions = ()))]",
              "not supported: tlsOptions"));
  CHECK(fails("services = [(name = \"n\", network = (allow = ^\"public\"))]",
              "allow: expected a list, got a string"));
  CHECK(fails("services = [(name = \"n\", network = (deny = [^1]))]",
              "deny: expected a string, got an integer"));
  CHECK(fails("services = [(name = \"n\", network = (^alow = []))]",
              "unknown field 'alow' in Network"));
  CHECK(fails("services = [(name = \"e\", external = ^(http = ()))]",
              "external service 'e' needs an address"));
  CHECK(fails("services = [(name = \"e\", external = (address = \"h:1\", ^https = ()))]",
              "not supported: https (TLS comes with its own issue)"));
  CHECK(fails("services = [(name = \"e\", external = (address = \"h:1\", ^tcp = ()))]",
              "not supported: tcp"));
  CHECK(fails("services = [(name = \"e\", external = (address = \"h:1\", http = (), ^https = ()))]",
              "two values for one union: http and https"));
  /* An external service does not inject headers yet: refused, not ignored. */
  CHECK(fails("services = [(name = \"e\", external = (address = \"h:1\", http = "
              "(^injectRequestHeaders = [])))]",
              "not supported: injectRequestHeaders"));
  CHECK(fails("services = [(name = \"e\", external = (address = \"h:1\", http = "
              "(^injectResponseHeaders = [])))]",
              "not supported: injectResponseHeaders"));
  CHECK(fails("services = [(name = \"d\", disk = ^(writable = true))]",
              "disk service 'd' needs a path"));
  CHECK(fails("services = [(name = \"d\", disk = (path = \"/\", writable = ^1))]",
              "writable: expected true or false, got an integer"));
  CHECK(fails("services = [(name = \"d\", disk = (path = \"/\", ^allowDotFiles = true))]",
              "unknown field 'allowDotFiles' in DiskDirectory"));
}

static void test_reference_errors(void) {
  CHECK(fails("services = [(name = \"a\", worker = ^w)]",
              "unknown name 'w' (not a const of this file)"));
  CHECK(src_fails(HEAD "const config :Workerd.Config = (services = [(name = \"a\", worker = ^.s)]);\n"
                       "const s :Workerd.Service = (name = \"x\", disk = \"/\");\n",
                  "const 's' has type Workerd.Service, expected Workerd.Worker"));
  /* An error inside a const is reported where the const's value is written. */
  CHECK(src_fails(HEAD "const config :Workerd.Config = (services = [(name = \"a\", worker = .w)]);\n"
                       "const w :Workerd.Worker = (modules = [(name = \"m\", ^esm = \"x\")]);\n",
                  "unknown field 'esm' in Worker.Module"));
  CHECK(src_fails(HEAD "const config :Workerd.Config = (services = [(name = \"a\", disk = .p)]);\n"
                       "const p :Text = ^5;\n",
                  "path: expected a string, got an integer"));
}

static void test_const_selection(void) {
  isl_capnp_error_t err;
  const char *none = HEAD "const w :Workerd.Worker = ();\n";
  CHECK(build_src(none, NULL, &err) == NULL);
  CHECK_STR(err.msg, "no const of type Workerd.Config in t.capnp");
  CHECK(err.line == 0 && err.col == 0);
  CHECK(src_fails(HEAD "const a :Workerd.Config = ();\nconst ^b :Workerd.Config = ();\n"
                       "const c :Workerd.Config = ();\n",
                  "several Config consts: a, b, c — name one"));
  const char *two = HEAD "const a :Workerd.Config = ();\nconst b :Workerd.Config = "
                         "(services = [(name = \"x\", disk = \"/\")]);\nconst t :Text = \"\";\n";
  isl_config_t *c = build_src(two, "b", &err);
  CHECK(c && c->nservices == 1);
  isl_config_free(c);
  CHECK(build_src(two, "z", &err) == NULL);
  CHECK_STR(err.msg, "no const named 'z' in t.capnp");
  CHECK(build_src(two, "t", &err) == NULL);
  CHECK_STR(err.msg, "t.capnp:4:10: const 't' has type Text, expected Workerd.Config");
  /* Without the import, nothing is of type Workerd.Config. */
  const char *noimport = "const config :Workerd.Config = ();\n";
  CHECK(build_src(noimport, NULL, &err) == NULL);
  CHECK_STR(err.msg, "no const of type Workerd.Config in t.capnp");
  /* Another alias for the schema works the same. */
  c = build_src("using W = import \"/workerd/workerd.capnp\";\nconst k :W.Config = ();\n", NULL,
                &err);
  CHECK(c != NULL);
  isl_config_free(c);
}

static void test_load_errors(void) {
  isl_capnp_error_t err;
  CHECK(isl_config_load("tests/config/model/missing.capnp", NULL, &err) == NULL);
  CHECK_STR(err.msg, "tests/config/model/missing.capnp: cannot read: No such file or directory");
  /* Parse errors come through unchanged. */
  CHECK(isl_config_load("tests/config/model/worker.js", NULL, &err) == NULL);
  CHECK(strncmp(err.msg, "tests/config/model/worker.js:1:", 31) == 0);
}

static void test_item_budget(void) {
  /* 1100 services naming one 1024-entry list: more than ISL_CONFIG_MAX_ITEMS entries in
   * all, from a file of a few tens of KB. */
  isl_buf_t b = {0};
  isl_buf_puts(&b, HEAD "const config :Workerd.Config = (services = [");
  for (int i = 0; i < 1100; i++)
    isl_buf_printf(&b, "%s(name = \"s%d\", network = (allow = .big))", i ? ", " : "", i);
  isl_buf_puts(&b, "]);\nconst big :List(Text) = [");
  for (int i = 0; i < 1024; i++) isl_buf_printf(&b, "%s\"public\"", i ? ", " : "");
  isl_buf_puts(&b, "];\n");
  isl_capnp_error_t err;
  isl_config_t *c = build_src(b.p, NULL, &err);
  CHECK(c == NULL);
  CHECK(strstr(err.msg, ": config too large: more than 1048576 services, sockets, modules, "
                        "bindings and list entries") != NULL);
  isl_config_free(c);
  isl_buf_free(&b);
}

int main(void) {
  test_full_fixture();
  test_defaults();
  test_inline_script();
  test_plain_values_fill_first_field();
  test_references();
  test_shared_worker_const();
  test_internet_is_implicit();
  test_http_style();
  test_http_inject_headers();
  test_hand_built_config_frees();
  test_flag_table();
  test_dates();
  test_flag_errors();
  test_config_errors();
  test_service_errors();
  test_text_checks();
  test_worker_errors();
  test_module_errors();
  test_binding_errors();
  test_socket_errors();
  test_network_external_disk_errors();
  test_reference_errors();
  test_const_selection();
  test_load_errors();
  test_item_budget();
  isl_config_free(cur);
  return check_summary();
}
