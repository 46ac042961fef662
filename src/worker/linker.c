/* The module linker. JavaScriptCore's C API evaluates scripts only, so islet links ES
 * modules itself, in the spec's three phases:
 *
 *  1. Load: read each file, transform ES modules into scripts (transform.c), compile them,
 *     and load every static import, depth-first; built-ins come from builtins.c. Any
 *     failure (missing file, unknown specifier, syntax error) stops here with the file,
 *     line and column.
 *  2. Link: instantiate each new ES module (its function is called up to its first
 *     `yield`, which hands over the getters of its local exports), then give every
 *     namespace its exports — local getters, re-exports forwarded, `export *` resolved
 *     as ResolveExport does, ambiguous names left out — sorted, sealed, with
 *     Symbol.toStringTag "Module"; then check that every imported name exists.
 *  3. Evaluate: depth-first post-order, each module once. A module without top-level
 *     await whose dependencies are all synchronous runs at once; otherwise it runs after
 *     its asynchronous dependencies settle.
 *
 * Importers read imported bindings through the exporter's namespace getters (the
 * transform rewrites each reference), so bindings are live. CommonJS modules run when
 * their turn comes; their namespace is `default` = module.exports plus its own keys. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtins.h"
#include "internal.h"
#include "transform.h"

typedef enum { MOD_ESM, MOD_CJS, MOD_JSON, MOD_TEXT, MOD_DATA, MOD_WASM, MOD_BUILTIN } kind_t;
typedef enum { ST_LOADED, ST_INSTANTIATED, ST_LINKED, ST_EVALUATING, ST_EVALUATED } status_t;

struct isl_module {
  char *path; /* realpath, or the built-in's specifier */
  kind_t kind;
  status_t status;
  isl_worker_t *w;
  isl_module_xf_t xf;    /* ES modules: imports, exports, column shifts */
  isl_module_t **deps;   /* one per xf.imports entry */
  JSObjectRef ns;        /* the exports as getters: what importers' rewritten code reads */
  JSObjectRef nsp;       /* the namespace object user code sees (a Proxy over ns) */
  JSObjectRef nsparts;   /* [nsp, its target, its state], for sealing */
  JSObjectRef fn;        /* ES: the transformed outer function; CJS: the wrapper */
  JSObjectRef gen;       /* ES: the instantiated async generator */
  JSObjectRef getters;   /* ES: local export getters, from P.e() */
  JSObjectRef done;      /* evaluation promise */
  JSObjectRef module;    /* CJS: the `module` object */
  JSValueRef error;      /* a synchronous evaluation error, kept for every later import */
  char *failure;         /* why loading or linking failed: every later import fails so */
  uint64_t t_transform, t_compile, t_eval;
  bool is_async;         /* evaluation settles later than it starts */
  bool in_pass;          /* collected by the current evaluation pass */
  isl_module_t *next;
};

/* JS values are kept in one protected array per worker rather than protected one by one:
 * the linker's roots are released together at teardown. */
typedef struct {
  JSObjectRef roots; /* array of everything the modules hold */
  JSObjectRef glue;  /* helper functions */
  uint64_t t_transform, t_compile;
} linker_t;

static const char glue_src[] =
    "(() => {\n"
    "  'use strict';\n"
    "  const defineProperty = Object.defineProperty, preventExtensions = Object.preventExtensions;\n"
    "  const P = Promise, all = P.all.bind(P), resolve = P.resolve.bind(P), then = P.prototype.then;\n"
    "  const apply = Reflect.apply;\n"
    "  const tag = Symbol.toStringTag, keys = Object.keys, hasOwn = Object.prototype.hasOwnProperty;\n"
    "  const create = Object.create, getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;\n"
    "  const reflectDefine = Reflect.defineProperty, is = Object.is, Proxy = globalThis.Proxy;\n"
    "  return {\n"
    "    seal(ns, names, getters, parts) {\n"
    "      for (let i = 0; i < names.length; i++)\n"
    "        defineProperty(ns, names[i], {get: getters[i], enumerable: true, configurable: false});\n"
    "      defineProperty(ns, tag, {value: 'Module'});\n"
    "      preventExtensions(ns);\n"
    "      const target = parts[1], state = parts[2];\n"
    "      for (let i = 0; i < names.length; i++)\n"
    "        defineProperty(target, names[i], {value: undefined, writable: true, enumerable: true, configurable: false});\n"
    "      defineProperty(target, tag, {value: 'Module'});\n"
    "      preventExtensions(target);\n"
    "      state.keys = [...names, tag];\n"
    "    },\n"
    "    // The module namespace exotic object (ECMA-262 10.4.6) as a Proxy: exports are\n"
    "    // writable, non-configurable data properties whose values are read live from the\n"
    "    // getters object, keys are sorted by code units, and it cannot be changed.\n"
    "    namespace(fast) {\n"
    "      const target = create(null), state = {keys: [tag]};\n"
    "      const isExport = (k) => typeof k === 'string' && apply(hasOwn, target, [k]);\n"
    "      const proxy = new Proxy(target, {\n"
    "        get(t, k) { return isExport(k) ? fast[k] : t[k]; },\n"
    "        getOwnPropertyDescriptor(t, k) {\n"
    "          if (!isExport(k)) return getOwnPropertyDescriptor(t, k);\n"
    "          return {value: fast[k], writable: true, enumerable: true, configurable: false};\n"
    "        },\n"
    "        defineProperty(t, k, d) {\n"
    "          if (!isExport(k)) return typeof k === 'symbol' && apply(reflectDefine, undefined, [t, k, d]);\n"
    "          if (d.configurable === true || d.enumerable === false || d.writable === false) return false;\n"
    "          if ('get' in d || 'set' in d) return false;\n"
    "          return !('value' in d) || is(d.value, fast[k]);\n"
    "        },\n"
    "        set() { return false; },\n"
    "        deleteProperty(t, k) { return !apply(hasOwn, t, [k]); },\n"
    "        has(t, k) { return k in t; },\n"
    "        ownKeys() { return [...state.keys]; },\n"
    "        setPrototypeOf(t, p) { return p === null; },\n"
    "        isExtensible() { return false; },\n"
    "        preventExtensions() { return true; },\n"
    "      });\n"
    "      return [proxy, target, state];\n"
    "    },\n"
    "    forward(obj, name) { return () => obj[name]; },\n"
    "    constant(v) { return () => v; },\n"
    "    after(pending, gen) { return apply(then, all(pending), [() => gen.next()]); },\n"
    "    allThen(list, value) { return apply(then, all(list), [() => value]); },\n"
    "    cjsNames(exp) {\n"
    "      if ((typeof exp !== 'object' && typeof exp !== 'function') || exp === null) return [];\n"
    "      return keys(exp).filter((k) => k !== 'default');\n"
    "    },\n"
    "    hasOwn(o, k) { return apply(hasOwn, o, [k]); },\n"
    "    callNoThis(f) { return apply(f, undefined, []); },\n"
    "    // A module's link object. `export default <expression>` writes P.d: an anonymous\n"
    "    // function or class gets the name 'default', as the spec's NamedEvaluation gives it\n"
    "    // (a function that already existed with no name is named too: rare, and harmless).\n"
    "    newLink() {\n"
    "      let d;\n"
    "      return {\n"
    "        get d() { return d; },\n"
    "        set d(v) {\n"
    "          if (typeof v === 'function') {\n"
    "            const n = getOwnPropertyDescriptor(v, 'name');\n"
    "            if (!n || (n.value === '' && n.configurable)) defineProperty(v, 'name', {value: 'default', configurable: true});\n"
    "          }\n"
    "          d = v;\n"
    "        },\n"
    "      };\n"
    "    },\n"
    "    later(f) { return apply(then, apply(then, resolve(), [() => {}]), [() => f()]); },\n"
    "  };\n"
    "})()";

static linker_t *linker_of(isl_worker_t *w) { return w->linker; }

static void keep(isl_worker_t *w, JSValueRef v) {
  JSContextRef ctx = w->realm->ctx;
  JSObjectRef roots = linker_of(w)->roots;
  unsigned n = (unsigned)JSValueToNumber(ctx, isl_get(ctx, roots, "length", NULL), NULL);
  JSObjectSetPropertyAtIndex(ctx, roots, n, v, NULL);
}

static JSObjectRef glue(isl_worker_t *w) { return linker_of(w)->glue; }

static JSValueRef glue_call(isl_worker_t *w, const char *name, size_t argc, const JSValueRef *argv,
                            JSValueRef *exc) {
  return isl_call_method(w->realm->ctx, glue(w), name, argc, argv, exc);
}

static isl_module_t *find_module(isl_worker_t *w, const char *path) {
  for (isl_module_t *m = w->modules; m; m = m->next)
    if (strcmp(m->path, path) == 0) return m;
  return NULL;
}

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

/* Appends "\n    <source line>" and, when col > 0, a caret under the column. */
static void append_source_line(isl_buf_t *out, const char *src, size_t len, int line, int col) {
  const char *p = src, *end = src + len;
  for (int l = 1; l < line && p < end; l++) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl) return;
    p = nl + 1;
  }
  const char *nl = memchr(p, '\n', (size_t)(end - p));
  size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
  if (n > 0 && p[n - 1] == '\r') n--;
  if (n > 240) n = 240;
  isl_buf_puts(out, "\n    ");
  isl_buf_append(out, p, n);
  if (col > 0 && (size_t)col <= n + 1) {
    isl_buf_puts(out, "\n    ");
    for (int i = 1; i < col; i++) isl_buf_putc(out, p[i - 1] == '\t' ? '\t' : ' ');
    isl_buf_putc(out, '^');
  }
}

/* JSC gives a syntax error's line but not its column. The first error is at the shortest
 * prefix of the code that fails with the same message (shorter prefixes fail with "end
 * of script" errors, or not at all), so a binary search over the line finds it. Only run
 * when compiling failed. Returns a 1-based column in code, or 0. */
static int find_error_column(JSContextRef ctx, const char *code, size_t len, int line,
                             const char *msg) {
  const char *p = code, *end = code + len;
  for (int l = 1; l < line && p < end; l++) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl) return 0;
    p = nl + 1;
  }
  const char *nl = memchr(p, '\n', (size_t)(end - p));
  size_t linelen = nl ? (size_t)(nl - p) : (size_t)(end - p);
  size_t lo = 1, hi = linelen; /* find the least k such that code[..p+k) reproduces msg */
  bool found = false;
  while (lo <= hi) {
    size_t mid = lo + (hi - lo) / 2;
    JSStringRef s = isl_jsstr_n(code, (size_t)(p - code) + mid);
    JSValueRef exc = NULL;
    JSCheckScriptSyntax(ctx, s, NULL, 1, &exc);
    JSStringRelease(s);
    bool same = false;
    if (exc && JSValueIsObject(ctx, exc)) {
      char *m = isl_to_cstr(ctx, isl_get(ctx, (JSObjectRef)exc, "message", NULL), NULL, NULL);
      same = m && strcmp(m, msg) == 0;
      free(m);
    }
    if (same) {
      found = true;
      hi = mid - 1;
    } else {
      lo = mid + 1;
    }
  }
  if (!found) return 0;
  /* Columns count UTF-16 units: count the line's characters before the error. */
  size_t n = 0;
  for (size_t i = 0; i + 1 < lo && i < linelen; i++) {
    unsigned char c = (unsigned char)p[i];
    if ((c & 0xC0) != 0x80) n += c >= 0xF0 ? 2 : 1;
  }
  return (int)n + 1;
}

/* Describes an exception thrown while compiling or running module code. */
static void describe_error_at(JSContextRef ctx, JSValueRef exc, const char *path,
                              const char *src, size_t len, const char *code, size_t code_len,
                              const isl_module_xf_t *xf, isl_buf_t *err) {
  if (JSValueIsObject(ctx, exc)) {
    JSObjectRef o = (JSObjectRef)exc;
    char *name = isl_to_cstr(ctx, isl_get(ctx, o, "name", NULL), NULL, NULL);
    JSValueRef line = isl_get(ctx, o, "line", NULL);
    bool syntax = name && strcmp(name, "SyntaxError") == 0;
    free(name);
    if (syntax && line && JSValueIsNumber(ctx, line) && src) {
      /* JSC reports the line of a syntax error but not its column. */
      int l = (int)JSValueToNumber(ctx, line, NULL);
      char *msg = isl_to_cstr(ctx, isl_get(ctx, o, "message", NULL), NULL, NULL);
      int col = code ? find_error_column(ctx, code, code_len, l, msg ? msg : "") : 0;
      if (col && xf) col = isl_transform_map_column(xf, l, col);
      if (col) isl_buf_printf(err, "%s:%d:%d: SyntaxError: %s", path, l, col, msg ? msg : "");
      else isl_buf_printf(err, "%s:%d: SyntaxError: %s", path, l, msg ? msg : "");
      free(msg);
      append_source_line(err, src, len, l, col);
      return;
    }
  }
  char *d = isl_exception_describe(ctx, exc);
  isl_buf_puts(err, d);
  free(d);
}

static void describe_error(JSContextRef ctx, JSValueRef exc, const char *path, const char *src,
                           size_t len, isl_buf_t *err) {
  describe_error_at(ctx, exc, path, src, len, src, len, NULL, err);
}

static isl_module_t *module_new(isl_worker_t *w, const char *path, kind_t kind) {
  JSContextRef ctx = w->realm->ctx;
  isl_module_t *m = isl_calloc(1, sizeof(*m));
  m->path = isl_strdup(path);
  m->kind = kind;
  m->w = w;
  m->ns = JSObjectMake(ctx, NULL, NULL);
  JSObjectSetPrototype(ctx, m->ns, JSValueMakeNull(ctx));
  keep(w, m->ns);
  JSValueRef fast = m->ns;
  m->nsparts = (JSObjectRef)glue_call(w, "namespace", 1, &fast, NULL);
  keep(w, m->nsparts);
  m->nsp = (JSObjectRef)JSObjectGetPropertyAtIndex(ctx, m->nsparts, 0, NULL);
  m->next = w->modules;
  w->modules = m;
  return m;
}

/* Namespaces of non-ES modules: only `default`, known at load time. */
static void seal_default(isl_worker_t *w, isl_module_t *m, JSValueRef v) {
  JSContextRef ctx = w->realm->ctx;
  JSValueRef getter = glue_call(w, "constant", 1, &v, NULL);
  JSValueRef names[1] = {isl_str(ctx, "default")};
  JSValueRef args[4] = {m->ns, JSObjectMakeArray(ctx, 1, names, NULL),
                        JSObjectMakeArray(ctx, 1, &getter, NULL), m->nsparts};
  glue_call(w, "seal", 4, args, NULL);
  m->done = isl_promise_resolved(ctx, JSValueMakeUndefined(ctx));
  keep(w, m->done);
  m->status = ST_EVALUATED;
}

static int cmp_str(const void *a, const void *b) {
  /* Namespace keys sort by code units; for UTF-8 byte order this is the same except
   * around astral characters, which export names rarely contain. */
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void seal_object_values(isl_worker_t *w, isl_module_t *m, JSObjectRef values) {
  JSContextRef ctx = w->realm->ctx;
  JSPropertyNameArrayRef pn = JSObjectCopyPropertyNames(ctx, values);
  size_t n = JSPropertyNameArrayGetCount(pn);
  char **names = isl_calloc(n + 1, sizeof(char *));
  for (size_t i = 0; i < n; i++) {
    isl_buf_t b = {0};
    isl_jsstr_to_utf8(JSPropertyNameArrayGetNameAtIndex(pn, i), &b);
    names[i] = isl_buf_take(&b);
  }
  JSPropertyNameArrayRelease(pn);
  qsort(names, n, sizeof(char *), cmp_str);
  JSValueRef *jn = isl_calloc(n + 1, sizeof(JSValueRef));
  JSValueRef *jg = isl_calloc(n + 1, sizeof(JSValueRef));
  for (size_t i = 0; i < n; i++) {
    jn[i] = isl_str(ctx, names[i]);
    JSValueRef fargs[2] = {values, jn[i]};
    jg[i] = glue_call(w, "forward", 2, fargs, NULL);
    free(names[i]);
  }
  JSValueRef args[4] = {m->ns, JSObjectMakeArray(ctx, n, jn, NULL), JSObjectMakeArray(ctx, n, jg, NULL),
                        m->nsparts};
  glue_call(w, "seal", 4, args, NULL);
  free(names);
  free(jn);
  free(jg);
}

static isl_module_t *load(isl_worker_t *w, const char *key, const char *type,
                          isl_module_xf_t *xf, isl_buf_t *err);

/* Resolves spec as imported by `from` (a path) into a key for load(): a built-in name or
 * a real path inside the worker's directory. NULL with a message in err. */
static char *resolve_mem(isl_worker_t *w, const char *from, int line, int col,
                         const char *spec, isl_buf_t *err);

static char *resolve(isl_worker_t *w, const char *from, int line, int col, const char *spec,
                     isl_buf_t *err) {
  if (isl_builtin_exists(spec)) return isl_strdup(spec);
  if (w->mem_modules) return resolve_mem(w, from, line, col, spec, err);
  if (!(spec[0] == '.' || spec[0] == '/')) {
    isl_buf_printf(err, "%s:%d:%d: cannot find module '%s' (not a built-in module, and not a "
                        "relative path)", from, line, col, spec);
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
    isl_buf_printf(err, "%s:%d:%d: cannot find module '%s' (%s: %s)", from, line, col, spec,
                   joined.p, strerror(errno));
    isl_buf_free(&joined);
    return NULL;
  }
  isl_buf_free(&joined);
  size_t rl = strlen(w->root_dir);
  if (strncmp(real, w->root_dir, rl) != 0 || (real[rl] != '/' && rl > 1)) {
    isl_buf_printf(err, "%s:%d:%d: refusing to import '%s': %s is outside the worker's "
                        "directory %s", from, line, col, spec, real, w->root_dir);
    return NULL;
  }
  return isl_strdup(real);
}

/* Modules from a config (the worker's `modules` list) are named like paths ("src/a.js");
 * a specifier resolves as a URL path would: relative to the importer's name, "/x" from
 * the root, and a bare name to the module of that exact name. Keys are the names. */
static const isl_worker_module_t *mem_find(isl_worker_t *w, const char *name) {
  for (size_t i = 0; i < w->nmem_modules; i++)
    if (strcmp(w->mem_modules[i].name, name) == 0) return &w->mem_modules[i];
  return NULL;
}

static char *resolve_mem(isl_worker_t *w, const char *from, int line, int col,
                         const char *spec, isl_buf_t *err) {
  isl_buf_t joined = {0};
  if (spec[0] == '/') {
    isl_buf_puts(&joined, spec + 1);
  } else if (spec[0] == '.') {
    const char *slash = strrchr(from, '/');
    if (slash) isl_buf_append(&joined, from, (size_t)(slash - from) + 1);
    isl_buf_puts(&joined, spec);
  } else {
    if (mem_find(w, spec)) return isl_strdup(spec);
    isl_buf_printf(err, "%s:%d:%d: cannot find module '%s' (not a built-in module, and no "
                        "module of that name in the worker)", from, line, col, spec);
    return NULL;
  }
  /* Normalise "." and ".." segments; climbing above the root is refused. */
  isl_buf_t out = {0};
  const char *p = joined.p ? joined.p : "";
  bool escaped = false;
  while (*p) {
    const char *e = strchr(p, '/');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (n == 0 || (n == 1 && p[0] == '.')) {
      /* skip */
    } else if (n == 2 && p[0] == '.' && p[1] == '.') {
      char *last = out.len ? memrchr(out.p, '/', out.len) : NULL;
      if (!out.len) escaped = true;
      else out.len = last ? (size_t)(last - out.p) : 0;
      if (out.p) out.p[out.len] = 0;
    } else {
      if (out.len) isl_buf_putc(&out, '/');
      isl_buf_append(&out, p, n);
    }
    p += n + (e ? 1 : 0);
  }
  isl_buf_free(&joined);
  if (escaped || !out.len || !mem_find(w, out.p)) {
    isl_buf_printf(err, "%s:%d:%d: cannot find module '%s'%s", from, line, col, spec,
                   escaped ? " (it climbs above the worker's root)" : " in the worker's modules");
    isl_buf_free(&out);
    return NULL;
  }
  return isl_buf_take(&out);
}

/* xf: the module's transform when the caller already made it (the main module), else
 * NULL. */
static bool load_esm(isl_worker_t *w, isl_module_t *m, isl_buf_t *src, isl_module_xf_t *xf,
                     isl_buf_t *err) {
  JSContextRef ctx = w->realm->ctx;
  uint64_t t0 = isl_now_ns();
  bool ok;
  if (xf) {
    m->xf = *xf;
    memset(xf, 0, sizeof(*xf));
    ok = true;
  } else {
    ok = isl_transform_module(src->p, src->len, &m->xf);
  }
  uint64_t t1 = isl_now_ns();
  linker_of(w)->t_transform += t1 - t0;
  if (!ok) {
    isl_buf_printf(err, "%s:%d:%d: SyntaxError: %s", m->path, m->xf.err_line, m->xf.err_col,
                   m->xf.err_msg);
    append_source_line(err, src->p, src->len, m->xf.err_line, m->xf.err_col);
    return false;
  }
  JSValueRef exc = NULL;
  JSValueRef fn = isl_eval(ctx, m->xf.code.p, m->xf.code.len, m->path, 1, &exc);
  m->t_transform = t1 - t0;
  m->t_compile = isl_now_ns() - t1;
  linker_of(w)->t_compile += m->t_compile;
  if (!fn)
    describe_error_at(ctx, exc, m->path, src->p, src->len, m->xf.code.p, m->xf.code.len, &m->xf, err);
  isl_buf_free(&m->xf.code); /* the engine has its own copy; keep only the maps */
  if (!fn) return false;
  m->fn = (JSObjectRef)fn;
  keep(w, fn);
  m->deps = isl_calloc((size_t)m->xf.nimports + 1, sizeof(isl_module_t *));
  for (int i = 0; i < m->xf.nimports; i++) {
    isl_import_rec_t *rec = &m->xf.imports[i];
    char *dkey = resolve(w, m->path, rec->line, rec->col, rec->specifier, err);
    if (!dkey) return false;
    m->deps[i] = load(w, dkey, rec->type, NULL, err);
    free(dkey);
    if (!m->deps[i]) {
      isl_buf_printf(err, "\n    imported by %s:%d:%d", m->path, rec->line, rec->col);
      return false;
    }
  }
  return true;
}

static bool load_cjs(isl_worker_t *w, isl_module_t *m, isl_buf_t *src, isl_buf_t *err) {
  JSContextRef ctx = w->realm->ctx;
  isl_buf_t code = {0};
  isl_transform_commonjs(src->p, src->len, &code);
  JSValueRef exc = NULL;
  JSValueRef fn = isl_eval(ctx, code.p, code.len, m->path, 1, &exc);
  if (!fn) {
    /* Line 1 carries the wrapper's prefix: search the source itself there instead. */
    describe_error_at(ctx, exc, m->path, src->p, src->len, src->p, src->len, NULL, err);
  }
  isl_buf_free(&code);
  if (!fn) return false;
  m->fn = (JSObjectRef)fn;
  keep(w, fn);
  return true;
}

static bool load_data(isl_worker_t *w, isl_module_t *m, isl_buf_t *src, isl_buf_t *err) {
  JSContextRef ctx = w->realm->ctx;
  JSValueRef v = NULL, exc = NULL;
  switch (m->kind) {
  case MOD_JSON: {
    JSStringRef s = isl_jsstr_n(src->p, src->len);
    v = JSValueMakeFromJSONString(ctx, s);
    JSStringRelease(s);
    if (!v) {
      isl_buf_printf(err, "%s: SyntaxError: not valid JSON", m->path);
      return false;
    }
    break;
  }
  case MOD_TEXT:
    v = isl_str_n(ctx, src->p, src->len);
    break;
  case MOD_DATA:
    v = isl_arraybuffer_new(ctx, src->p, src->len);
    break;
  case MOD_WASM: {
    /* Compiled now, at load time: request-time code generation stays disabled. */
    JSObjectRef wasm = (JSObjectRef)isl_global(ctx, "WebAssembly");
    JSValueRef ctor = isl_get(ctx, wasm, "Module", NULL);
    JSValueRef arg = isl_uint8array_new(ctx, src->p, src->len);
    v = JSObjectCallAsConstructor(ctx, (JSObjectRef)ctor, 1, &arg, &exc);
    if (!v) {
      isl_buf_printf(err, "%s: ", m->path);
      describe_error(ctx, exc, m->path, NULL, 0, err);
      return false;
    }
    break;
  }
  default:
    ISL_CHECK(0);
  }
  seal_default(w, m, v);
  return true;
}

static bool kind_for(const char *path, const char *type, kind_t *kind, isl_buf_t *err) {
  const char *ext = ext_of(path);
  if (type) {
    if (strcmp(type, "json") == 0) {
      *kind = MOD_JSON;
      return true;
    }
    isl_buf_printf(err, "%s: unsupported import attribute type '%s'", path, type);
    return false;
  }
  if (!strcmp(ext, ".js") || !strcmp(ext, ".mjs")) *kind = MOD_ESM;
  else if (!strcmp(ext, ".cjs")) *kind = MOD_CJS;
  else if (!strcmp(ext, ".json")) *kind = MOD_JSON;
  else if (!strcmp(ext, ".txt") || !strcmp(ext, ".html")) *kind = MOD_TEXT;
  else if (!strcmp(ext, ".bin")) *kind = MOD_DATA;
  else if (!strcmp(ext, ".wasm")) *kind = MOD_WASM;
  else {
    isl_buf_printf(err, "%s: unknown module type '%s' (expected .js, .mjs, .cjs, .json, "
                        ".wasm, .txt, .html or .bin)", path, ext);
    return false;
  }
  return true;
}

/* Phase 1 for one module and, recursively, its static imports. */
static isl_module_t *load(isl_worker_t *w, const char *key, const char *type,
                          isl_module_xf_t *xf, isl_buf_t *err) {
  isl_module_t *m = find_module(w, key);
  if (m && m->failure) {
    isl_buf_puts(err, m->failure);
    return NULL;
  }
  if (m) return m;
  if (isl_builtin_exists(key)) {
    JSContextRef ctx = w->realm->ctx;
    m = module_new(w, key, MOD_BUILTIN);
    JSObjectRef values = JSObjectMake(ctx, NULL, NULL);
    isl_builtin_fill(ctx, key, w->env, values);
    keep(w, values);
    seal_object_values(w, m, values);
    m->done = isl_promise_resolved(ctx, JSValueMakeUndefined(ctx));
    keep(w, m->done);
    m->status = ST_EVALUATED;
    return m;
  }
  kind_t kind;
  isl_buf_t src = {0};
  const isl_worker_module_t *mm = w->mem_modules ? mem_find(w, key) : NULL;
  if (mm) {
    static const kind_t kinds[] = {[ISL_WMOD_ESM] = MOD_ESM,   [ISL_WMOD_CJS] = MOD_CJS,
                                   [ISL_WMOD_TEXT] = MOD_TEXT, [ISL_WMOD_DATA] = MOD_DATA,
                                   [ISL_WMOD_JSON] = MOD_JSON, [ISL_WMOD_WASM] = MOD_WASM,
                                   [ISL_WMOD_CLASSIC] = MOD_ESM};
    kind = type && strcmp(type, "json") == 0 ? MOD_JSON : kinds[mm->kind];
    isl_buf_append(&src, mm->bytes, mm->len);
  } else {
    if (!kind_for(key, type, &kind, err)) return NULL;
    if (!read_file(key, &src, err)) return NULL;
  }
  m = module_new(w, key, kind);
  bool ok;
  if (kind == MOD_ESM) ok = load_esm(w, m, &src, xf, err);
  else if (kind == MOD_CJS) ok = load_cjs(w, m, &src, err);
  else ok = load_data(w, m, &src, err);
  isl_buf_free(&src);
  if (!ok) {
    /* The module stays in the cache, half loaded: later imports get the same error. */
    m->failure = isl_strdup(err->p ? err->p : "failed to load");
    return NULL;
  }
  return m;
}

/* Phase 2a: run each new ES module up to its first yield, collecting its getters. */
static JSValueRef js_register_getters(JSContextRef ctx, void *data, JSObjectRef this_obj,
                                      size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)this_obj;
  (void)exc;
  isl_module_t *m = data;
  if (argc > 0 && JSValueIsObject(ctx, argv[0]) && !m->getters) {
    m->getters = (JSObjectRef)argv[0];
    keep(m->w, m->getters);
  }
  return JSValueMakeUndefined(ctx);
}

static JSValueRef js_dynamic_import(JSContextRef ctx, void *data, JSObjectRef this_obj,
                                    size_t argc, const JSValueRef argv[], JSValueRef *exc);

static bool instantiate(isl_module_t *m, isl_buf_t *err) {
  if (m->status != ST_LOADED) return true;
  m->status = ST_INSTANTIATED;
  if (m->kind != MOD_ESM) return true;
  isl_worker_t *w = m->w;
  JSContextRef ctx = w->realm->ctx;
  JSObjectRef P = (JSObjectRef)glue_call(w, "newLink", 0, NULL, NULL);
  JSValueRef *nss = isl_calloc((size_t)m->xf.nimports + 1, sizeof(JSValueRef));
  for (int i = 0; i < m->xf.nimports; i++) nss[i] = m->deps[i]->ns;
  isl_set(ctx, P, "m", JSObjectMakeArray(ctx, (size_t)m->xf.nimports, nss, NULL), NULL);
  for (int i = 0; i < m->xf.nimports; i++) nss[i] = m->deps[i]->nsp;
  isl_set(ctx, P, "n", JSObjectMakeArray(ctx, (size_t)m->xf.nimports, nss, NULL), NULL);
  free(nss);
  JSObjectRef meta = JSObjectMake(ctx, NULL, NULL);
  JSObjectSetPrototype(ctx, meta, JSValueMakeNull(ctx));
  /* file:// URL of the path, percent-encoding what a URL path may not hold. */
  isl_buf_t url = {0};
  isl_buf_puts(&url, "file://");
  for (const unsigned char *c = (const unsigned char *)m->path; *c; c++) {
    if (*c <= 0x20 || *c >= 0x7F || strchr("\"#%<>?[\\]^`{|}", *c)) isl_buf_printf(&url, "%%%02X", *c);
    else isl_buf_putc(&url, (char)*c);
  }
  isl_set(ctx, meta, "url", isl_str(ctx, url.p), NULL);
  isl_buf_free(&url);
  isl_set(ctx, P, "meta", meta, NULL);
  isl_set(ctx, P, "i", isl_func_with_data(ctx, js_dynamic_import, m, NULL), NULL);
  isl_set(ctx, P, "e", isl_func_with_data(ctx, js_register_getters, m, NULL), NULL);
  keep(w, P);
  JSValueRef exc = NULL;
  JSValueRef pv = P;
  JSValueRef genfn = isl_call(ctx, m->fn, NULL, 1, &pv, &exc);
  /* Through the glue: the C API would make `this` the global object. */
  JSValueRef gen = genfn ? glue_call(w, "callNoThis", 1, &genfn, &exc) : NULL;
  if (gen) isl_call_method(ctx, (JSObjectRef)gen, "next", 0, NULL, &exc);
  if (!gen || exc || !m->getters) {
    if (exc) describe_error(ctx, exc, m->path, NULL, 0, err);
    else isl_buf_printf(err, "%s: internal error: the module did not instantiate", m->path);
    return false;
  }
  m->gen = (JSObjectRef)gen;
  keep(w, gen);
  for (int i = 0; i < m->xf.nimports; i++)
    if (!instantiate(m->deps[i], err)) return false;
  return true;
}

/* ResolveExport (ECMA-262 16.2.1.6.3), on the transform's export records. */
typedef struct {
  isl_module_t *m;
  const char *name; /* the binding's name in m, or "*" for m's namespace */
} binding_t;

#define RESOLVE_DEPTH 256
typedef struct {
  isl_module_t *m[RESOLVE_DEPTH];
  const char *name[RESOLVE_DEPTH];
  int n;
} resolve_set_t;

enum { R_NONE, R_FOUND, R_AMBIGUOUS };

static bool has_local(isl_module_t *m, const char *name) {
  for (int i = 0; i < m->xf.nexports; i++)
    if (m->xf.exports[i].kind == ISL_EXPORT_LOCAL && strcmp(m->xf.exports[i].exported, name) == 0)
      return true;
  return false;
}

static int resolve_export(isl_module_t *m, const char *name, resolve_set_t *set, binding_t *out) {
  for (int i = 0; i < set->n; i++)
    if (set->m[i] == m && strcmp(set->name[i], name) == 0) return R_NONE; /* a cycle */
  if (set->n == RESOLVE_DEPTH) return R_NONE;
  set->m[set->n] = m;
  set->name[set->n] = name;
  set->n++;
  if (m->kind != MOD_ESM) {
    /* CommonJS names are known only once it ran; other kinds have what their namespace
     * has. */
    if (m->kind == MOD_CJS) {
      out->m = m;
      out->name = name;
      return R_FOUND;
    }
    JSContextRef ctx = m->w->realm->ctx;
    JSValueRef args[2] = {m->ns, isl_str(ctx, name)};
    JSValueRef has = glue_call(m->w, "hasOwn", 2, args, NULL);
    if (!has || !JSValueToBoolean(ctx, has)) return R_NONE;
    out->m = m;
    out->name = name;
    return R_FOUND;
  }
  if (has_local(m, name)) {
    out->m = m;
    out->name = name;
    return R_FOUND;
  }
  for (int i = 0; i < m->xf.nexports; i++) {
    isl_export_rec_t *e = &m->xf.exports[i];
    if (e->kind != ISL_EXPORT_FROM || strcmp(e->exported, name) != 0) continue;
    isl_module_t *dep = m->deps[e->module];
    if (strcmp(e->imported, "*") == 0) {
      out->m = dep;
      out->name = "*";
      return R_FOUND;
    }
    return resolve_export(dep, e->imported, set, out);
  }
  if (strcmp(name, "default") == 0) return R_NONE;
  binding_t star = {0};
  for (int i = 0; i < m->xf.nexports; i++) {
    isl_export_rec_t *e = &m->xf.exports[i];
    if (e->kind != ISL_EXPORT_STAR) continue;
    binding_t b;
    int r = resolve_export(m->deps[e->module], name, set, &b);
    if (r == R_AMBIGUOUS) return R_AMBIGUOUS;
    if (r != R_FOUND) continue;
    if (!star.m) star = b;
    else if (star.m != b.m || strcmp(star.name, b.name) != 0) return R_AMBIGUOUS;
  }
  if (!star.m) return R_NONE;
  *out = star;
  return R_FOUND;
}

/* GetExportNames: appends m's export names (without duplicates) to *names. */
static void add_name(char ***names, int *n, int *cap, const char *name) {
  for (int i = 0; i < *n; i++)
    if (strcmp((*names)[i], name) == 0) return;
  if (*n == *cap) {
    *cap = *cap ? *cap * 2 : 16;
    *names = isl_realloc(*names, (size_t)*cap * sizeof(char *));
  }
  (*names)[(*n)++] = isl_strdup(name);
}

static void export_names(isl_module_t *m, isl_module_t **visited, int *nvisited, char ***names,
                         int *n, int *cap, bool star) {
  for (int i = 0; i < *nvisited; i++)
    if (visited[i] == m) return;
  if (*nvisited == RESOLVE_DEPTH) return;
  visited[(*nvisited)++] = m;
  if (m->kind != MOD_ESM) {
    if (m->kind == MOD_CJS) return; /* unknown until it runs */
    JSContextRef ctx = m->w->realm->ctx;
    JSPropertyNameArrayRef pn = JSObjectCopyPropertyNames(ctx, m->ns);
    for (size_t i = 0; i < JSPropertyNameArrayGetCount(pn); i++) {
      isl_buf_t b = {0};
      isl_jsstr_to_utf8(JSPropertyNameArrayGetNameAtIndex(pn, i), &b);
      if (!(star && strcmp(b.p, "default") == 0)) add_name(names, n, cap, b.p);
      isl_buf_free(&b);
    }
    JSPropertyNameArrayRelease(pn);
    return;
  }
  for (int i = 0; i < m->xf.nexports; i++) {
    isl_export_rec_t *e = &m->xf.exports[i];
    if (e->kind == ISL_EXPORT_STAR) {
      export_names(m->deps[e->module], visited, nvisited, names, n, cap, true);
    } else if (!(star && strcmp(e->exported, "default") == 0)) {
      add_name(names, n, cap, e->exported);
    }
  }
}

/* Phase 2b: the namespace's properties. */
static bool link_namespace(isl_module_t *m, isl_buf_t *err) {
  (void)err;
  isl_worker_t *w = m->w;
  JSContextRef ctx = w->realm->ctx;
  isl_module_t *visited[RESOLVE_DEPTH];
  int nvisited = 0, n = 0, cap = 0;
  char **names = NULL;
  export_names(m, visited, &nvisited, &names, &n, &cap, false);
  if (n) qsort(names, (size_t)n, sizeof(char *), cmp_str);
  JSValueRef *jn = isl_calloc((size_t)n + 1, sizeof(JSValueRef));
  JSValueRef *jg = isl_calloc((size_t)n + 1, sizeof(JSValueRef));
  int k = 0;
  for (int i = 0; i < n; i++) {
    resolve_set_t set;
    set.n = 0;
    binding_t b;
    if (resolve_export(m, names[i], &set, &b) != R_FOUND) continue; /* ambiguous: left out */
    JSValueRef getter;
    if (strcmp(b.name, "*") == 0) {
      JSValueRef v = b.m->nsp;
      getter = glue_call(w, "constant", 1, &v, NULL);
    } else if (b.m->kind == MOD_ESM) {
      getter = isl_get(ctx, b.m->getters, b.name, NULL);
    } else {
      JSValueRef args[2] = {b.m->ns, isl_str(ctx, b.name)};
      getter = glue_call(w, "forward", 2, args, NULL);
    }
    jn[k] = isl_str(ctx, names[i]);
    jg[k] = getter;
    k++;
  }
  JSValueRef args[4] = {m->ns, JSObjectMakeArray(ctx, (size_t)k, jn, NULL),
                        JSObjectMakeArray(ctx, (size_t)k, jg, NULL), m->nsparts};
  glue_call(w, "seal", 4, args, NULL);
  for (int i = 0; i < n; i++) free(names[i]);
  free(names);
  free(jn);
  free(jg);
  return true;
}

static bool link_all(isl_module_t *m, isl_buf_t *err) {
  if (m->failure) {
    isl_buf_puts(err, m->failure);
    return false;
  }
  if (m->status != ST_INSTANTIATED) return true;
  m->status = ST_LINKED;
  if (m->kind != MOD_ESM) return true;
  for (int i = 0; i < m->xf.nimports; i++) {
    if (!link_all(m->deps[i], err)) {
      if (!m->failure) m->failure = isl_strdup(err->p ? err->p : "failed to link");
      return false;
    }
  }
  if (!link_namespace(m, err)) return false;
  /* Every re-exported name must exist. */
  for (int i = 0; i < m->xf.nexports; i++) {
    isl_export_rec_t *e = &m->xf.exports[i];
    if (e->kind != ISL_EXPORT_FROM || strcmp(e->imported, "*") == 0) continue;
    isl_module_t *dep = m->deps[e->module];
    if (dep->kind == MOD_CJS) continue;
    resolve_set_t set;
    set.n = 0;
    binding_t out;
    if (resolve_export(dep, e->imported, &set, &out) != R_FOUND) {
      isl_buf_t msg = {0};
      isl_buf_printf(&msg, "%s:%d:%d: SyntaxError: the module '%s' does not provide an export "
                           "named '%s'", m->path, e->line, e->col,
                     m->xf.imports[e->module].specifier, e->imported);
      isl_buf_append(err, msg.p, msg.len);
      m->failure = isl_buf_take(&msg);
      return false;
    }
  }
  /* Every imported name must exist (CommonJS names are only known when it runs). */
  for (int i = 0; i < m->xf.nbindings; i++) {
    isl_import_binding_t *b = &m->xf.bindings[i];
    isl_module_t *dep = m->deps[b->module];
    if (strcmp(b->imported, "*") == 0 || dep->kind == MOD_CJS) continue;
    resolve_set_t set;
    set.n = 0;
    binding_t out;
    int r = resolve_export(dep, b->imported, &set, &out);
    if (r != R_FOUND) {
      isl_buf_t msg = {0};
      isl_buf_printf(&msg, "%s:%d:%d: SyntaxError: the module '%s' %s '%s'", m->path, b->line,
                     b->col, m->xf.imports[b->module].specifier,
                     r == R_AMBIGUOUS ? "has more than one export named" : "does not provide an export named",
                     b->imported);
      isl_buf_append(err, msg.p, msg.len);
      m->failure = isl_buf_take(&msg);
      return false;
    }
  }
  return true;
}

/* Phase 3. */
static JSValueRef js_require(JSContextRef ctx, void *data, JSObjectRef this_obj, size_t argc,
                             const JSValueRef argv[], JSValueRef *exc);

static void run_cjs(isl_module_t *m, JSValueRef *exc) {
  isl_worker_t *w = m->w;
  JSContextRef ctx = w->realm->ctx;
  m->module = JSObjectMake(ctx, NULL, NULL);
  keep(w, m->module);
  JSObjectRef exports = JSObjectMake(ctx, NULL, NULL);
  isl_set(ctx, m->module, "exports", exports, NULL);
  isl_set(ctx, m->module, "id", isl_str(ctx, m->path), NULL);
  isl_set(ctx, m->module, "filename", isl_str(ctx, m->path), NULL);
  isl_set(ctx, m->module, "loaded", JSValueMakeBoolean(ctx, false), NULL);
  const char *slash = strrchr(m->path, '/');
  JSValueRef dir = isl_str_n(ctx, m->path, slash ? (size_t)(slash - m->path) : 0);
  JSValueRef args[5] = {exports, isl_func_with_data(ctx, js_require, m, NULL), m->module,
                        isl_str(ctx, m->path), dir};
  isl_call(ctx, m->fn, exports, 5, args, exc);
  isl_set(ctx, m->module, "loaded", JSValueMakeBoolean(ctx, true), NULL);
  if (*exc) return;
  /* The namespace: default = module.exports, plus its own keys as named exports. */
  JSValueRef value = isl_get(ctx, m->module, "exports", NULL);
  JSObjectRef values = JSObjectMake(ctx, NULL, NULL);
  JSValueRef names = glue_call(w, "cjsNames", 1, &value, NULL);
  unsigned n = (unsigned)JSValueToNumber(ctx, isl_get(ctx, (JSObjectRef)names, "length", NULL), NULL);
  for (unsigned i = 0; i < n; i++) {
    JSValueRef k = JSObjectGetPropertyAtIndex(ctx, (JSObjectRef)names, i, NULL);
    JSStringRef ks = JSValueToStringCopy(ctx, k, NULL);
    JSObjectSetProperty(ctx, values, ks, JSObjectGetProperty(ctx, (JSObjectRef)value, ks, NULL), 0, NULL);
    JSStringRelease(ks);
  }
  isl_set(ctx, values, "default", value, NULL);
  keep(w, values);
  seal_object_values(w, m, values);
}

/* Evaluates m after its dependencies; appends every promise it starts to `all` so the
 * caller learns of any failure. */
static void evaluate(isl_module_t *m, JSObjectRef all) {
  if (m->status >= ST_EVALUATING) return;
  m->status = ST_EVALUATING;
  isl_worker_t *w = m->w;
  JSContextRef ctx = w->realm->ctx;
  JSObjectRef pending = JSObjectMakeArray(ctx, 0, NULL, NULL);
  unsigned npending = 0;
  if (m->kind == MOD_ESM) {
    for (int i = 0; i < m->xf.nimports; i++) {
      isl_module_t *d = m->deps[i];
      evaluate(d, all);
      if (w->realm->stop) return;
      if (d->is_async && d->done) JSObjectSetPropertyAtIndex(ctx, pending, npending++, d->done, NULL);
    }
  }
  JSValueRef exc = NULL;
  /* A dependency that threw: this module does not run, and fails with the same error. */
  for (int i = 0; m->kind == MOD_ESM && i < m->xf.nimports && !m->error; i++)
    if (m->deps[i]->error) m->error = m->deps[i]->error;
  if (m->error) {
    m->done = isl_promise_rejected(ctx, m->error);
  } else if (m->kind == MOD_CJS) {
    run_cjs(m, &exc);
    if (isl_realm_stopped(w->realm)) return;
    if (exc) {
      m->error = exc;
      keep(w, exc);
    }
    m->done = exc ? isl_promise_rejected(ctx, exc) : isl_promise_resolved(ctx, JSValueMakeUndefined(ctx));
  } else if (npending == 0 && m->xf.has_tla) {
    /* Starts now (up to its first await), as the spec's async module evaluation does. */
    m->is_async = true;
    JSValueRef p = isl_call_method(ctx, m->gen, "next", 0, NULL, &exc);
    if (isl_realm_stopped(w->realm)) return;
    m->done = p ? (JSObjectRef)p : isl_promise_rejected(ctx, exc);
  } else if (npending == 0) {
    /* A plain generator: the body runs now and throws now. */
    uint64_t t0 = isl_now_ns();
    isl_call_method(ctx, m->gen, "next", 0, NULL, &exc);
    m->t_eval = isl_now_ns() - t0;
    if (isl_realm_stopped(w->realm)) return;
    if (exc) {
      m->error = exc;
      keep(w, exc);
    }
    m->done = exc ? isl_promise_rejected(ctx, exc) : isl_promise_resolved(ctx, JSValueMakeUndefined(ctx));
  } else {
    m->is_async = true;
    JSValueRef args[2] = {pending, m->gen};
    JSValueRef p = glue_call(w, "after", 2, args, &exc);
    if (isl_realm_stopped(w->realm)) return;
    m->done = p ? (JSObjectRef)p : isl_promise_rejected(ctx, exc);
  }
  keep(w, m->done);
  unsigned n = (unsigned)JSValueToNumber(ctx, isl_get(ctx, all, "length", NULL), NULL);
  JSObjectSetPropertyAtIndex(ctx, all, n, m->done, NULL);
  m->status = ST_EVALUATED;
}

static JSObjectRef evaluate_graph(isl_module_t *m, bool main);

static JSValueRef js_evaluate_later(JSContextRef ctx, void *data, JSObjectRef this_obj,
                                    size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)ctx;
  (void)this_obj;
  (void)argc;
  (void)argv;
  (void)exc;
  return evaluate_graph(data, false);
}

/* Loads, links and evaluates the graph rooted at key. Returns a promise of its namespace
 * (rejected on evaluation errors) or NULL with a message in err. deferred: evaluate a few
 * microtasks later. An import() runs inside JS, where microtasks do not drain, and a
 * module with top-level await has to reach its first pause (an await of its own
 * instantiation) before its body can start synchronously. */
static JSObjectRef import_graph(isl_worker_t *w, const char *key, const char *type,
                               isl_module_xf_t *xf, bool deferred, isl_buf_t *err) {
  JSContextRef ctx = w->realm->ctx;
  isl_module_t *m = load(w, key, type, xf, err);
  if (!m || !instantiate(m, err) || !link_all(m, err)) return NULL;
  if (!deferred) return evaluate_graph(m, true);
  JSValueRef fn = isl_func_with_data(ctx, js_evaluate_later, m, NULL);
  JSValueRef exc = NULL;
  JSValueRef p = glue_call(w, "later", 1, &fn, &exc);
  return p ? (JSObjectRef)p : isl_promise_rejected(ctx, exc);
}

/* main: the worker's main module, whose loader only waits for the promise to settle. */
static JSObjectRef evaluate_graph(isl_module_t *m, bool main) {
  isl_worker_t *w = m->w;
  JSContextRef ctx = w->realm->ctx;
  JSObjectRef all = JSObjectMakeArray(ctx, 0, NULL, NULL);
  evaluate(m, all);
  /* Stopped for its limits (its code, or a microtask it queued, ran too long): the stop
   * is the realm's to report, and no more JS may run. */
  if (w->realm->stop) return NULL;
  /* A main graph that ran to its end synchronously and without an error is done, so it
   * needs no Promise.all, whose first use costs every worker ~0.8M instructions (JSC
   * compiles it from its JS source per VM). import() keeps Promise.all's timing. */
  if (main && !m->is_async && !m->error) return isl_promise_resolved(ctx, m->nsp);
  /* Already evaluated by an earlier import: wait for it all the same (it may be async). */
  unsigned n = (unsigned)JSValueToNumber(ctx, isl_get(ctx, all, "length", NULL), NULL);
  if (m->done) JSObjectSetPropertyAtIndex(ctx, all, n, m->done, NULL);
  JSValueRef args[2] = {all, m->nsp};
  JSValueRef exc = NULL;
  JSValueRef p = glue_call(w, "allThen", 2, args, &exc);
  return p ? (JSObjectRef)p : isl_promise_rejected(ctx, exc);
}

static JSValueRef js_dynamic_import(JSContextRef ctx, void *data, JSObjectRef this_obj,
                                    size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)this_obj;
  (void)exc;
  isl_module_t *from = data;
  JSValueRef e = NULL;
  char *spec = isl_to_cstr(ctx, ISL_ARG(0), NULL, &e);
  if (!spec) return isl_promise_rejected(ctx, e);
  char *type = NULL;
  if (argc > 1 && JSValueIsObject(ctx, argv[1])) {
    JSValueRef with = isl_get(ctx, (JSObjectRef)argv[1], "with", NULL);
    if (with && JSValueIsObject(ctx, with)) {
      JSValueRef t = isl_get(ctx, (JSObjectRef)with, "type", NULL);
      if (t && !JSValueIsUndefined(ctx, t)) type = isl_to_cstr(ctx, t, NULL, NULL);
    }
  }
  isl_buf_t err = {0};
  JSObjectRef p = NULL;
  char *key = resolve(from->w, from->path, 0, 0, spec, &err);
  if (key) p = import_graph(from->w, key, type, NULL, true, &err);
  if (!p) {
    /* Syntax and link errors are SyntaxErrors, as the spec has them; the rest (missing
     * files, unknown modules) TypeErrors, as in engines with a host loader. */
    const char *kind = err.p && strstr(err.p, "SyntaxError: ") ? "SyntaxError" : "TypeError";
    p = isl_promise_rejected(ctx, isl_error_new(ctx, kind, err.p ? err.p : "import failed"));
  }
  free(key);
  free(spec);
  free(type);
  isl_buf_free(&err);
  return p;
}

static JSValueRef js_require(JSContextRef ctx, void *data, JSObjectRef this_obj, size_t argc,
                             const JSValueRef argv[], JSValueRef *exc) {
  (void)this_obj;
  isl_module_t *from = data;
  isl_worker_t *w = from->w;
  char *spec = isl_to_cstr(ctx, ISL_ARG(0), NULL, exc);
  if (!spec) return NULL;
  isl_buf_t err = {0};
  JSValueRef result = NULL;
  char *key = resolve(w, from->path, 0, 0, spec, &err);
  isl_module_t *m = key ? load(w, key, NULL, NULL, &err) : NULL;
  if (m && m->kind == MOD_ESM) {
    isl_buf_printf(&err, "require() of the ES module %s is not supported: use import", m->path);
    m = NULL;
  }
  if (m && m->kind == MOD_CJS) {
    if (m->status < ST_EVALUATING) {
      m->status = ST_EVALUATED;
      JSValueRef e = NULL;
      run_cjs(m, &e);
      m->done = e ? isl_promise_rejected(ctx, e) : isl_promise_resolved(ctx, JSValueMakeUndefined(ctx));
      keep(w, m->done);
      if (e) {
        *exc = e;
        goto out;
      }
    }
    /* A require() cycle gets the exports as they are so far, as in Node. */
    result = m->module ? isl_get(ctx, m->module, "exports", NULL) : JSValueMakeUndefined(ctx);
  } else if (m) {
    result = m->kind == MOD_BUILTIN ? (JSValueRef)m->nsp : isl_get(ctx, m->ns, "default", NULL);
  } else {
    *exc = isl_error_new(ctx, "Error", err.p ? err.p : "require() failed");
  }
out:
  free(key);
  free(spec);
  isl_buf_free(&err);
  return result;
}

/* Maps a column of generated code back to the source (for stack traces). */
static int map_column(void *owner, const char *url, int line, int col) {
  isl_worker_t *w = owner;
  isl_module_t *m = find_module(w, url);
  if (!m || m->kind != MOD_ESM) return col;
  return isl_transform_map_column(&m->xf, line, col);
}

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
  uint64_t t0 = isl_now_ns();
  linker_t *l = isl_calloc(1, sizeof(*l));
  w->linker = l;
  l->roots = JSObjectMakeArray(ctx, 0, NULL, NULL);
  isl_protect(ctx, l->roots);
  JSValueRef exc = NULL;
  JSValueRef g = isl_eval_static(ctx, glue_src, sizeof(glue_src) - 1, "islet:linker", &exc);
  ISL_CHECK(g && JSValueIsObject(ctx, g));
  l->glue = (JSObjectRef)g;
  keep(w, g);
  w->realm->map_column = map_column;

  char real[PATH_MAX];
  isl_buf_t src = {0};
  bool classic_by_config = false;
  if (w->mem_modules) {
    /* A worker from a config: the first module is the main one. */
    const isl_worker_module_t *mm = &w->mem_modules[0];
    snprintf(real, sizeof(real), "%s", mm->name);
    isl_buf_append(&src, mm->bytes, mm->len);
    classic_by_config = mm->kind == ISL_WMOD_CLASSIC;
    if (mm->kind != ISL_WMOD_ESM && !classic_by_config) {
      isl_buf_printf(err, "%s: the main module must be an ES module (esModule) or a "
                          "serviceWorkerScript", mm->name);
      isl_buf_free(&src);
      return false;
    }
  } else {
    if (!realpath(w->main_path, real)) {
      isl_buf_printf(err, "cannot open %s: %s", w->main_path, strerror(errno));
      return false;
    }
    char *slash = strrchr(real, '/');
    w->root_dir = isl_strndup(real, slash > real ? (size_t)(slash - real) : 1);
    if (!read_file(real, &src, err)) return false;
  }
  if (classic_by_config) {
    w->classic = true;
    isl_worker_env_to_globals(w);
    JSValueRef v = isl_eval(ctx, src.p, src.len, real, 1, &exc);
    if (!v) describe_error(ctx, exc, real, src.p, src.len, err);
    isl_buf_free(&src);
    return v != NULL;
  }

  /* A .js file with no import, export or top-level await is a service-worker script:
   * evaluated as a plain script, its bindings as globals. The transform made to find out
   * is handed to the loader, so a module is transformed once. (A config says which it is.) */
  isl_module_xf_t xf = {0};
  uint64_t tx = isl_now_ns();
  bool transformed = isl_transform_module(src.p, src.len, &xf);
  l->t_transform += isl_now_ns() - tx;
  if (transformed && !w->mem_modules && !strcmp(ext_of(real), ".js") && xf.nimports == 0 &&
      xf.nexports == 0 && !xf.has_tla) {
    isl_transform_dispose(&xf);
    w->classic = true;
    isl_worker_env_to_globals(w);
    JSValueRef v = isl_eval(ctx, src.p, src.len, w->main_path, 1, &exc);
    if (!v) describe_error(ctx, exc, w->main_path, src.p, src.len, err);
    isl_buf_free(&src);
    return v != NULL;
  }
  if (!transformed) {
    isl_buf_printf(err, "%s:%d:%d: SyntaxError: %s", real, xf.err_line, xf.err_col, xf.err_msg);
    append_source_line(err, src.p, src.len, xf.err_line, xf.err_col);
    isl_transform_dispose(&xf);
    isl_buf_free(&src);
    return false;
  }
  isl_buf_free(&src);
  JSObjectRef done = import_graph(w, real, NULL, &xf, false, err);
  isl_transform_dispose(&xf);
  if (!done) return false;
  wait_t wt = {0};
  isl_promise_then(ctx, done, on_settled, &wt);
  while (!wt.settled && uv_run(w->loop, UV_RUN_ONCE)) {
  }
  uint64_t t_end = isl_now_ns();
  if (getenv("ISLET_LOAD_STATS"))
    /* "evaluate" is everything else: reading files, linking and running module code. */
    fprintf(stderr, "islet load: %s: transform %.2f ms, compile %.2f ms, evaluate %.2f ms, total %.2f ms\n",
            w->main_path, (double)l->t_transform / 1e6, (double)l->t_compile / 1e6,
            (double)(t_end - t0 - l->t_transform - l->t_compile) / 1e6, (double)(t_end - t0) / 1e6);
  if (getenv("ISLET_LOAD_STATS")) {
    for (isl_module_t *m = w->modules; m; m = m->next) {
      if (m->kind != MOD_ESM || strcmp(m->path, real) == 0) continue;
      fprintf(stderr, "islet load: %s: transform %.2f ms, compile %.2f ms, evaluate %.2f ms, total %.2f ms\n",
              m->path, (double)m->t_transform / 1e6, (double)m->t_compile / 1e6,
              (double)m->t_eval / 1e6, (double)(m->t_transform + m->t_compile + m->t_eval) / 1e6);
    }
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
  while (w->modules) {
    isl_module_t *m = w->modules;
    w->modules = m->next;
    isl_transform_dispose(&m->xf);
    free(m->failure);
    free(m->deps);
    free(m->path);
    free(m);
  }
  linker_t *l = w->linker;
  if (l) {
    isl_unprotect(w->realm->ctx, l->roots);
    free(l);
    w->linker = NULL;
  }
  w->realm->map_column = NULL;
  free(w->root_dir);
  w->root_dir = NULL;
}
