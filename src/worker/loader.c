/* Loading a worker's code: the main module (ES module via module_lite, or a classic
 * script) and the files it imports, resolved on the file system next to the main module
 * and never outside its directory. The real module system (issue 3) replaces the
 * transform; resolution and module types stay here. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "module_lite.h"

struct isl_module {
  char *path;         /* realpath */
  JSObjectRef ns;     /* namespace object (protected) */
  JSObjectRef done;   /* promise of ns once evaluated (protected) */
  bool evaluating;    /* in progress: a cyclic import gets ns without waiting */
  isl_worker_t *w;
  isl_module_t *next;
};

/* Glue between the transformed module function and its namespace object: defines the
 * exports as getters (so exporter-side bindings stay live) and copies `export *`. */
static const char glue_src[] =
    "(function (ns, meta) {\n"
    "  const define = (getters) => { for (const k of Object.keys(getters))\n"
    "    Object.defineProperty(ns, k, {get: getters[k], enumerable: true}); };\n"
    "  const star = (other) => { for (const k of Object.keys(other))\n"
    "    if (k !== 'default' && !Object.prototype.hasOwnProperty.call(ns, k))\n"
    "      Object.defineProperty(ns, k, {get: () => other[k], enumerable: true}); };\n"
    "  return [define, star];\n"
    "})";

static bool read_file(const char *path, isl_buf_t *out, isl_buf_t *err) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    isl_buf_printf(err, "cannot read %s: %s", path, strerror(errno));
    return false;
  }
  char tmp[65536];
  size_t n;
  while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0) isl_buf_append(out, tmp, n);
  bool ok = !ferror(f);
  if (!ok) isl_buf_printf(err, "cannot read %s: %s", path, strerror(errno));
  fclose(f);
  if (!out->p) isl_buf_append(out, "", 0);
  return ok;
}

static const char *ext_of(const char *path) {
  const char *slash = strrchr(path, '/');
  const char *dot = strrchr(path, '.');
  return dot && (!slash || dot > slash) ? dot : "";
}

/* The source line `line` (1-based) of src, for error messages. */
static void append_source_line(isl_buf_t *out, const char *src, size_t len, int line) {
  const char *p = src, *end = src + len;
  for (int l = 1; l < line && p < end; l++) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl) return;
    p = nl + 1;
  }
  const char *nl = memchr(p, '\n', (size_t)(end - p));
  size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
  if (n > 200) n = 200;
  isl_buf_puts(out, "\n    ");
  isl_buf_append(out, p, n);
}

/* Describes a load-time exception: a SyntaxError names file:line and shows the line. */
static void describe_error(JSContextRef ctx, JSValueRef exc, const char *path, const char *src,
                           size_t len, isl_buf_t *err) {
  if (JSValueIsObject(ctx, exc)) {
    JSObjectRef o = (JSObjectRef)exc;
    JSValueRef name = isl_get(ctx, o, "name", NULL);
    JSValueRef line = isl_get(ctx, o, "line", NULL);
    char *n = isl_to_cstr(ctx, name, NULL, NULL);
    bool syntax = n && strcmp(n, "SyntaxError") == 0;
    free(n);
    if (syntax && JSValueIsNumber(ctx, line)) {
      int l = (int)JSValueToNumber(ctx, line, NULL);
      char *msg = isl_to_cstr(ctx, isl_get(ctx, o, "message", NULL), NULL, NULL);
      isl_buf_printf(err, "%s:%d: SyntaxError: %s", path, l, msg ? msg : "");
      free(msg);
      if (src) append_source_line(err, src, len, l);
      return;
    }
  }
  char *d = isl_exception_describe(ctx, exc);
  isl_buf_puts(err, d);
  free(d);
}

static JSValueRef import_fn(JSContextRef ctx, void *data, JSObjectRef this_obj, size_t argc,
                            const JSValueRef argv[], JSValueRef *exc);

static isl_module_t *find_module(isl_worker_t *w, const char *path) {
  for (isl_module_t *m = w->modules; m; m = m->next)
    if (strcmp(m->path, path) == 0) return m;
  return NULL;
}

static isl_module_t *module_new(isl_worker_t *w, const char *path) {
  JSContextRef ctx = w->realm->ctx;
  isl_module_t *m = isl_calloc(1, sizeof(*m));
  m->path = isl_strdup(path);
  m->w = w;
  m->ns = JSObjectMake(ctx, NULL, NULL);
  JSObjectSetPrototype(ctx, m->ns, JSValueMakeNull(ctx));
  isl_protect(ctx, m->ns);
  m->next = w->modules;
  w->modules = m;
  return m;
}

static void module_set_done(isl_module_t *m, JSObjectRef promise) {
  m->done = promise;
  isl_protect(m->w->realm->ctx, promise);
}

/* Evaluates a JavaScript module; returns the promise of its evaluation or NULL with
 * *exc set (syntax errors are described into err when err is given). */
static JSObjectRef eval_js_module(isl_module_t *m, const char *src, size_t len, isl_buf_t *err,
                                  JSValueRef *exc) {
  JSContextRef ctx = m->w->realm->ctx;
  isl_buf_t code = {0}, terr = {0};
  isl_module_info_t info;
  if (!isl_module_transform(src, len, &code, &terr, &info)) {
    isl_buf_t msg = {0};
    isl_buf_printf(&msg, "%s: %s", m->path, terr.p);
    if (err) isl_buf_append(err, msg.p, msg.len);
    *exc = isl_error_new(ctx, "SyntaxError", msg.p);
    isl_buf_free(&msg);
    isl_buf_free(&code);
    isl_buf_free(&terr);
    return NULL;
  }
  isl_buf_free(&terr);
  JSValueRef fn = isl_eval(ctx, code.p, code.len, m->path, 1, exc);
  isl_buf_free(&code);
  if (!fn) {
    if (err) describe_error(ctx, *exc, m->path, src, len, err);
    return NULL;
  }
  JSValueRef glue = isl_eval(ctx, glue_src, sizeof(glue_src) - 1, "islet:loader", 1, exc);
  ISL_CHECK(glue != NULL);
  JSObjectRef meta = JSObjectMake(ctx, NULL, NULL);
  isl_buf_t url = {0};
  isl_buf_printf(&url, "file://%s", m->path);
  isl_set(ctx, meta, "url", isl_str(ctx, url.p), NULL);
  isl_buf_free(&url);
  JSValueRef gargs[2] = {m->ns, meta};
  JSValueRef pair = isl_call(ctx, (JSObjectRef)glue, NULL, 2, gargs, exc);
  ISL_CHECK(pair != NULL);
  JSObjectRef arr = (JSObjectRef)pair;
  JSValueRef args[4] = {isl_func_with_data(ctx, import_fn, m, NULL),
                        JSObjectGetPropertyAtIndex(ctx, arr, 0, NULL),
                        JSObjectGetPropertyAtIndex(ctx, arr, 1, NULL), meta};
  m->evaluating = true;
  JSValueRef p = isl_call(ctx, (JSObjectRef)fn, NULL, 4, args, exc);
  if (!p) return NULL;
  return (JSObjectRef)p;
}

/* Loads a non-JavaScript module: its namespace has only `default`. */
static bool load_data_module(isl_module_t *m, const char *ext, isl_buf_t *bytes,
                             const char *type_attr, JSValueRef *exc) {
  JSContextRef ctx = m->w->realm->ctx;
  JSValueRef v = NULL;
  bool json = strcmp(ext, ".json") == 0 || (type_attr && strcmp(type_attr, "json") == 0);
  if (json) {
    JSStringRef s = isl_jsstr_n(bytes->p, bytes->len);
    v = JSValueMakeFromJSONString(ctx, s);
    JSStringRelease(s);
    if (!v) {
      isl_buf_t msg = {0};
      isl_buf_printf(&msg, "%s: invalid JSON", m->path);
      *exc = isl_error_new(ctx, "SyntaxError", msg.p);
      isl_buf_free(&msg);
      return false;
    }
  } else if (strcmp(ext, ".txt") == 0 || strcmp(ext, ".html") == 0) {
    v = isl_str_n(ctx, bytes->p, bytes->len);
  } else if (strcmp(ext, ".bin") == 0) {
    v = isl_arraybuffer_new(ctx, bytes->p, bytes->len);
  } else if (strcmp(ext, ".wasm") == 0) {
    JSObjectRef wasm = (JSObjectRef)isl_global(ctx, "WebAssembly");
    JSValueRef ctor = isl_get(ctx, wasm, "Module", NULL);
    JSValueRef arg = isl_uint8array_new(ctx, bytes->p, bytes->len);
    v = JSObjectCallAsConstructor(ctx, (JSObjectRef)ctor, 1, &arg, exc);
    if (!v) return false;
  } else {
    isl_buf_t msg = {0};
    isl_buf_printf(&msg, "%s: unknown module type '%s'", m->path, ext);
    *exc = isl_error_new(ctx, "TypeError", msg.p);
    isl_buf_free(&msg);
    return false;
  }
  isl_define_value(ctx, m->ns, "default", v, ISL_E);
  return true;
}

static JSValueRef then_ns(JSContextRef ctx, void *data, JSObjectRef this_obj, size_t argc,
                          const JSValueRef argv[], JSValueRef *exc) {
  (void)ctx;
  (void)this_obj;
  (void)argc;
  (void)argv;
  (void)exc;
  isl_module_t *m = data;
  m->evaluating = false;
  return m->ns;
}

/* Loads (or finds) the module at path and returns the promise of its namespace. */
static JSObjectRef load_module(isl_worker_t *w, const char *path, const char *type_attr,
                               isl_buf_t *err, JSValueRef *exc) {
  JSContextRef ctx = w->realm->ctx;
  isl_module_t *m = find_module(w, path);
  if (m) return m->evaluating ? isl_promise_resolved(ctx, m->ns) : m->done;
  isl_buf_t src = {0}, rerr = {0};
  if (!read_file(path, &src, &rerr)) {
    if (err) isl_buf_append(err, rerr.p, rerr.len);
    *exc = isl_error_new(ctx, "Error", rerr.p);
    isl_buf_free(&rerr);
    isl_buf_free(&src);
    return NULL;
  }
  m = module_new(w, path);
  const char *ext = ext_of(path);
  JSObjectRef done = NULL;
  bool js = (strcmp(ext, ".js") == 0 || strcmp(ext, ".mjs") == 0) &&
            !(type_attr && strcmp(type_attr, "json") == 0);
  if (js) {
    JSObjectRef p = eval_js_module(m, src.p, src.len, err, exc);
    if (p) {
      JSValueRef args[1] = {isl_func_with_data(ctx, then_ns, m, NULL)};
      JSValueRef d = isl_call_method(ctx, p, "then", 1, args, exc);
      done = d ? (JSObjectRef)d : NULL;
    }
  } else if (load_data_module(m, ext, &src, type_attr, exc)) {
    done = isl_promise_resolved(ctx, m->ns);
  } else if (err) {
    char *d = isl_exception_describe(ctx, *exc);
    isl_buf_puts(err, d);
    free(d);
  }
  isl_buf_free(&src);
  if (!done) {
    /* Keep the failed module out of the cache so the error is reported each time. */
    w->modules = m->next;
    isl_unprotect(ctx, m->ns);
    free(m->path);
    free(m);
    return NULL;
  }
  module_set_done(m, done);
  return done;
}

/* Resolves a specifier against the importing module; NULL with a message in err. */
static char *resolve(isl_worker_t *w, const char *from, const char *spec, isl_buf_t *err) {
  if (!(spec[0] == '.' || spec[0] == '/')) {
    isl_buf_printf(err, "cannot resolve '%s' imported from %s: bare and built-in module "
                        "specifiers need the module system", spec, from);
    return NULL;
  }
  isl_buf_t joined = {0};
  if (spec[0] == '/') {
    isl_buf_puts(&joined, spec);
  } else {
    const char *slash = strrchr(from, '/');
    isl_buf_append(&joined, from, slash ? (size_t)(slash - from) + 1 : 0);
    isl_buf_puts(&joined, spec);
  }
  char real[PATH_MAX];
  if (!realpath(joined.p, real)) {
    isl_buf_printf(err, "cannot resolve '%s' imported from %s: %s", spec, from, strerror(errno));
    isl_buf_free(&joined);
    return NULL;
  }
  isl_buf_free(&joined);
  size_t rl = strlen(w->root_dir);
  if (strncmp(real, w->root_dir, rl) != 0 || real[rl] != '/') {
    isl_buf_printf(err, "refusing to import '%s' from %s: it is outside the worker's directory %s",
                   spec, from, w->root_dir);
    return NULL;
  }
  return isl_strdup(real);
}

static JSValueRef import_fn(JSContextRef ctx, void *data, JSObjectRef this_obj, size_t argc,
                            const JSValueRef argv[], JSValueRef *exc) {
  (void)this_obj;
  isl_module_t *from = data;
  char *spec = isl_to_cstr(ctx, ISL_ARG(0), NULL, exc);
  if (!spec) return NULL;
  char *type = NULL;
  if (argc > 1 && JSValueIsObject(ctx, argv[1])) {
    JSValueRef t = isl_get(ctx, (JSObjectRef)argv[1], "type", NULL);
    if (t && JSValueIsString(ctx, t)) type = isl_to_cstr(ctx, t, NULL, NULL);
  }
  isl_buf_t err = {0};
  char *path = resolve(from->w, from->path, spec, &err);
  JSObjectRef p = NULL;
  if (path) {
    p = load_module(from->w, path, type, NULL, exc);
  } else {
    *exc = isl_error_new(ctx, "Error", err.p);
  }
  free(path);
  free(spec);
  free(type);
  isl_buf_free(&err);
  return p;
}

/* Waits, running the loop, until promise settles. */
typedef struct {
  bool settled, ok;
  JSValueRef value;
} wait_t;

static void on_settled(JSContextRef ctx, void *data, bool ok, JSValueRef value) {
  wait_t *wt = data;
  if (!ctx) return; /* collected unsettled: wt may be gone, touch nothing */
  wt->settled = true;
  wt->ok = ok;
  wt->value = value;
  if (!ok) isl_protect(ctx, value);
}

bool isl_loader_run_main(isl_worker_t *w, isl_buf_t *err) {
  JSContextRef ctx = w->realm->ctx;
  char real[PATH_MAX];
  if (!realpath(w->main_path, real)) {
    isl_buf_printf(err, "cannot open %s: %s", w->main_path, strerror(errno));
    return false;
  }
  char *slash = strrchr(real, '/');
  w->root_dir = isl_strndup(real, slash > real ? (size_t)(slash - real) : 1);

  isl_buf_t src = {0};
  if (!read_file(real, &src, err)) return false;
  isl_buf_t code = {0}, terr = {0};
  isl_module_info_t info;
  bool transformable = isl_module_transform(src.p, src.len, &code, &terr, &info);
  isl_buf_free(&code);
  isl_buf_free(&terr);
  JSValueRef exc = NULL;
  if (transformable && !info.is_module) {
    /* A classic service-worker script: evaluated as a plain script. */
    w->classic = true;
    isl_worker_env_to_globals(w);
    JSValueRef v = isl_eval(ctx, src.p, src.len, w->main_path, 1, &exc);
    if (!v) describe_error(ctx, exc, w->main_path, src.p, src.len, err);
    isl_buf_free(&src);
    return v != NULL;
  }
  isl_buf_free(&src);
  JSObjectRef done = load_module(w, real, NULL, err, &exc);
  if (!done) {
    if (!err->len) describe_error(ctx, exc, w->main_path, NULL, 0, err);
    return false;
  }
  wait_t wt = {0};
  isl_promise_then(ctx, done, on_settled, &wt);
  while (!wt.settled && uv_run(w->loop, UV_RUN_ONCE)) {
  }
  if (!wt.settled) {
    isl_buf_printf(err, "%s: top-level await never settled", w->main_path);
    return false;
  }
  if (!wt.ok) {
    describe_error(ctx, wt.value, w->main_path, NULL, 0, err);
    isl_unprotect(ctx, wt.value);
    return false;
  }
  w->ns = find_module(w, real)->ns;
  return true;
}

void isl_loader_free(isl_worker_t *w) {
  JSContextRef ctx = w->realm->ctx;
  while (w->modules) {
    isl_module_t *m = w->modules;
    w->modules = m->next;
    isl_unprotect(ctx, m->ns);
    if (m->done) isl_unprotect(ctx, m->done);
    free(m->path);
    free(m);
  }
  free(w->root_dir);
  w->root_dir = NULL;
}
