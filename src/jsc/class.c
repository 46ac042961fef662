/* Web IDL classes on the JSC C API. See jsc.h for the shape every class gets. */
#include <stdlib.h>
#include <string.h>

#include "jsc.h"

static int next_class_id;

/* Wrappers with native state: the finalizer releases it through the class's finalize. The
 * def is recovered from the JSClassRef's private table below. */
typedef struct {
  isl_class_def_t *def;
  void *priv;
} wrapper_t;

static void wrapper_finalize(JSObjectRef o) {
  wrapper_t *w = JSObjectGetPrivate(o);
  if (!w) return;
  if (w->def->finalize && w->priv) w->def->finalize(w->priv);
  free(w);
}

static void ensure_class(isl_class_def_t *def) {
  if (def->jsclass) return;
  if (def->parent) ensure_class(def->parent);
  ISL_CHECK(next_class_id < ISL_MAX_CLASSES);
  def->id = next_class_id++;
  JSClassDefinition d = kJSClassDefinitionEmpty;
  d.className = def->name;
  /* JSC runs the finalizer of every class in the chain; only the root class has one, and
   * it dispatches on the wrapper's own (most derived) def. */
  d.finalize = def->parent ? NULL : wrapper_finalize;
  d.parentClass = def->parent ? def->parent->jsclass : NULL;
  def->jsclass = JSClassCreate(&d);
}

/* Callable objects that carry a C pointer: the constructor trampolines and
 * isl_func_with_data functions. */
typedef struct {
  isl_data_fn_t fn;
  void *data;
  void (*free_data)(void *);
} datafn_t;

static void datafn_finalize(JSObjectRef o) {
  datafn_t *d = JSObjectGetPrivate(o);
  if (!d) return;
  if (d->free_data) d->free_data(d->data);
  free(d);
}

static JSValueRef datafn_call(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                              size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  datafn_t *d = JSObjectGetPrivate(fn);
  return d->fn(ctx, d->data, this_obj, argc, argv, exc);
}

static JSClassRef datafn_class;

JSObjectRef isl_func_with_data(JSContextRef ctx, isl_data_fn_t fn, void *data,
                               void (*free_data)(void *data)) {
  if (!datafn_class) {
    JSClassDefinition d = kJSClassDefinitionEmpty;
    d.className = "Function";
    d.callAsFunction = datafn_call;
    d.finalize = datafn_finalize;
    datafn_class = JSClassCreate(&d);
  }
  datafn_t *d = isl_malloc(sizeof(*d));
  d->fn = fn;
  d->data = data;
  d->free_data = free_data;
  return JSObjectMake(ctx, datafn_class, d);
}

/* native(new_target, argc, a, b, c, d) called by the JS constructor wrapper. */
static JSValueRef ctor_trampoline(JSContextRef ctx, void *data, JSObjectRef this_obj,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)this_obj;
  isl_class_def_t *def = data;
  if (!def->construct) return isl_throw_type(ctx, exc, "Illegal constructor");
  JSObjectRef nt = (JSObjectRef)argv[0];
  size_t n = (size_t)JSValueToNumber(ctx, argv[1], NULL);
  if (n > argc - 2) n = argc - 2;
  return def->construct(ctx, nt, n, argv + 2, exc);
}

/* Calls one of the realm's property helpers (realm.c), which cannot fail on the objects
 * islet hands them. */
static void call_helper(JSContextRef ctx, JSObjectRef helper, size_t argc,
                        const JSValueRef argv[]) {
  JSValueRef exc = NULL;
  JSObjectCallAsFunction(ctx, helper, NULL, argc, argv, &exc);
  ISL_CHECK(exc == NULL);
}

void isl_define_value(JSContextRef ctx, JSObjectRef o, const char *name, JSValueRef v,
                      int flags) {
  JSValueRef args[4] = {o, isl_str(ctx, name), v, JSValueMakeNumber(ctx, flags)};
  call_helper(ctx, isl_realm_of(ctx)->h_define_value, 4, args);
}

/* A native function named name (length 0: the caller sets it). */
static JSObjectRef make_function(JSContextRef ctx, const char *name, isl_fn_t fn) {
  JSStringRef n = JSStringCreateWithUTF8CString(name);
  JSObjectRef f = JSObjectMakeFunctionWithCallback(ctx, n, fn);
  JSStringRelease(n);
  return f;
}

JSObjectRef isl_func_new(JSContextRef ctx, const char *name, isl_fn_t fn, int length) {
  JSObjectRef f = make_function(ctx, name, fn);
  if (length) isl_define_value(ctx, f, "length", JSValueMakeNumber(ctx, length), ISL_C);
  return f;
}

void isl_define_method(JSContextRef ctx, JSObjectRef o, const char *name, isl_fn_t fn,
                       int length) {
  JSValueRef args[4] = {o, isl_str(ctx, name), make_function(ctx, name, fn),
                        JSValueMakeNumber(ctx, length)};
  call_helper(ctx, isl_realm_of(ctx)->h_define_method, 4, args);
}

/* The getter or setter of an accessor: "get name" / "set name" (or undefined). */
static JSValueRef accessor_function(JSContextRef ctx, const char *prefix, const char *name,
                                    isl_fn_t fn, isl_buf_t *scratch) {
  if (!fn) return JSValueMakeUndefined(ctx);
  scratch->len = 0;
  isl_buf_printf(scratch, "%s %s", prefix, name);
  return make_function(ctx, scratch->p, fn);
}

void isl_define_accessor(JSContextRef ctx, JSObjectRef o, const char *name, isl_fn_t get,
                         isl_fn_t set) {
  isl_buf_t b = {0};
  JSValueRef args[4] = {o, isl_str(ctx, name), accessor_function(ctx, "get", name, get, &b),
                        accessor_function(ctx, "set", name, set, &b)};
  isl_buf_free(&b);
  call_helper(ctx, isl_realm_of(ctx)->h_define_accessor, 4, args);
}

/* The members of a class in the form the realm's defineClass helper takes: their names
 * joined by ',' and two values each (see realm.c). */
typedef struct {
  isl_buf_t keys;
  JSValueRef *fns;
  size_t n, cap;
} members_t;

static void members_add(JSContextRef ctx, members_t *m, const char *name, JSValueRef a,
                        JSValueRef b) {
  (void)ctx;
  ISL_CHECK(!strchr(name, ','));
  if (m->keys.len) isl_buf_putc(&m->keys, ',');
  isl_buf_puts(&m->keys, name);
  if (m->n + 2 > m->cap) {
    m->cap = m->cap ? m->cap * 2 : 32;
    m->fns = isl_realloc(m->fns, m->cap * sizeof(JSValueRef));
  }
  m->fns[m->n++] = a;
  m->fns[m->n++] = b;
}

static int add_methods(JSContextRef ctx, members_t *m, const isl_method_t *list) {
  int count = 0;
  for (const isl_method_t *f = list; f && f->name; f++, count++)
    members_add(ctx, m, f->name, make_function(ctx, f->name, f->fn),
                JSValueMakeNumber(ctx, f->length));
  return count;
}

static int add_accessors(JSContextRef ctx, members_t *m, const isl_accessor_t *list) {
  int count = 0;
  isl_buf_t b = {0};
  for (const isl_accessor_t *a = list; a && a->name; a++, count++) {
    JSValueRef get = accessor_function(ctx, "get", a->name, a->get, &b);
    members_add(ctx, m, a->name, get, accessor_function(ctx, "set", a->name, a->set, &b));
  }
  isl_buf_free(&b);
  return count;
}

JSObjectRef isl_class_install(isl_realm_t *r, isl_class_def_t *def) {
  JSContextRef ctx = r->ctx;
  ensure_class(def);
  /* The prototype is the one JSC makes for the class in this realm (its "automatic
   * prototype"), so JSObjectMake gives every new instance the right prototype without a
   * prototype change per object. Its own prototype is the parent class's. */
  ISL_CHECK(!def->parent || r->protos[def->parent->id] != NULL);
  JSObjectRef probe = JSObjectMake(ctx, def->jsclass, NULL);
  JSObjectRef proto = (JSObjectRef)JSObjectGetPrototype(ctx, probe);
  ISL_CHECK(proto && JSValueIsObject(ctx, proto) && !JSValueIsObjectOfClass(ctx, proto, def->jsclass));

  /* Everything else is one call to the realm's defineClass helper. */
  members_t m = {0};
  int nmethods = add_methods(ctx, &m, def->methods);
  int naccessors = add_accessors(ctx, &m, def->accessors);
  add_methods(ctx, &m, def->statics);
  JSValueRef null = JSValueMakeNull(ctx);
  JSValueRef args[11] = {
      proto,
      def->parent ? r->protos[def->parent->id] : null,
      def->parent ? r->ctors[def->parent->id] : null,
      isl_func_with_data(ctx, ctor_trampoline, def, NULL),
      isl_str(ctx, def->name),
      JSValueMakeNumber(ctx, def->length),
      isl_str_n(ctx, m.keys.p ? m.keys.p : "", m.keys.len),
      JSObjectMakeArray(ctx, m.n, m.fns, NULL),
      JSValueMakeNumber(ctx, nmethods),
      JSValueMakeNumber(ctx, naccessors),
      def->not_global ? null : r->global,
  };
  isl_buf_free(&m.keys);
  free(m.fns);
  JSValueRef exc = NULL;
  JSValueRef c = JSObjectCallAsFunction(ctx, r->h_define_class, NULL, 11, args, &exc);
  ISL_CHECK(c && !exc && JSValueIsObject(ctx, c));
  JSObjectRef ctor = (JSObjectRef)c;

  r->protos[def->id] = proto;
  r->ctors[def->id] = ctor;
  JSValueProtect(ctx, proto);
  JSValueProtect(ctx, ctor);
  return ctor;
}

JSObjectRef isl_proto(JSContextRef ctx, isl_class_def_t *def) {
  return isl_realm_of(ctx)->protos[def->id];
}

JSObjectRef isl_ctor(JSContextRef ctx, isl_class_def_t *def) {
  return isl_realm_of(ctx)->ctors[def->id];
}

JSObjectRef isl_wrap(JSContextRef ctx, isl_class_def_t *def, void *priv) {
  return isl_wrap_new(ctx, def, priv, NULL);
}

JSObjectRef isl_wrap_new(JSContextRef ctx, isl_class_def_t *def, void *priv,
                         JSObjectRef new_target) {
  isl_realm_t *r = isl_realm_of(ctx);
  ISL_CHECK(def->jsclass && r->protos[def->id]);
  wrapper_t *w = isl_malloc(sizeof(*w));
  w->def = def;
  w->priv = priv;
  JSObjectRef o = JSObjectMake(ctx, def->jsclass, w);
  /* A subclass constructor (new.target) gives its own prototype. */
  if (new_target && new_target != r->ctors[def->id]) {
    JSValueRef p = isl_get(ctx, new_target, "prototype", NULL);
    if (p && JSValueIsObject(ctx, p)) JSObjectSetPrototype(ctx, o, p);
  }
  return o;
}

void *isl_priv(JSContextRef ctx, JSValueRef v, isl_class_def_t *def) {
  if (!def->jsclass || !v || !JSValueIsObjectOfClass(ctx, v, def->jsclass)) return NULL;
  wrapper_t *w = JSObjectGetPrivate((JSObjectRef)v);
  return w ? w->priv : NULL;
}

void *isl_unwrap(JSContextRef ctx, JSValueRef v, isl_class_def_t *def, JSValueRef *exc) {
  void *p = isl_priv(ctx, v, def);
  if (!p) isl_throw_type(ctx, exc, "Illegal invocation");
  return p;
}

void isl_slot_set(JSContextRef ctx, JSObjectRef o, const char *name, JSValueRef v) {
  JSStringRef n = JSStringCreateWithUTF8CString(name);
  bool ok = JSObjectSetPrivateProperty(ctx, o, n, v);
  JSStringRelease(n);
  ISL_CHECK(ok);
}

JSValueRef isl_slot_get(JSContextRef ctx, JSObjectRef o, const char *name) {
  JSStringRef n = JSStringCreateWithUTF8CString(name);
  JSValueRef v = JSObjectGetPrivateProperty(ctx, o, n);
  JSStringRelease(n);
  return v ? v : JSValueMakeUndefined(ctx);
}

void isl_slot_delete(JSContextRef ctx, JSObjectRef o, const char *name) {
  JSStringRef n = JSStringCreateWithUTF8CString(name);
  JSObjectDeletePrivateProperty(ctx, o, n);
  JSStringRelease(n);
}
