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

/* native(new_target, ...args) called by the JS constructor wrapper, with the arguments
 * the constructor was given (at most four). */
static JSValueRef ctor_trampoline(JSContextRef ctx, void *data, JSObjectRef this_obj,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)this_obj;
  isl_class_def_t *def = data;
  if (!def->construct) return isl_throw_type(ctx, exc, "Illegal constructor");
  if (argc < 1) return isl_throw_type(ctx, exc, "Illegal constructor");
  return def->construct(ctx, (JSObjectRef)argv[0], argc - 1, argv + 1, exc);
}

/* Properties are defined by calling the natives realm.c captured (Object.defineProperty,
 * __defineGetter__, __defineSetter__) straight from C: no JS runs per property (see
 * realm.c for why). A data property's descriptor is one of eight per-realm objects, one
 * per combination of flags, with a null prototype; only its value changes per call (the
 * last value stays there: properties are defined while a realm is set up, with values
 * that live as long as the realm). */

/* Property names used for every class, made once per process. */
static JSStringRef value_key, length_key, prototype_key, constructor_key;

static JSValueRef key_of(JSContextRef ctx, JSStringRef *cache, const char *name) {
  if (!*cache) *cache = JSStringCreateWithUTF8CString(name);
  return JSValueMakeString(ctx, *cache);
}

/* The realm's data descriptor for flags, made on first use. */
static JSObjectRef descriptor(JSContextRef ctx, isl_realm_t *r, int flags) {
  if (r->descs[flags]) return r->descs[flags];
  JSObjectRef d = JSObjectMake(ctx, NULL, NULL);
  JSObjectSetPrototype(ctx, d, JSValueMakeNull(ctx));
  isl_set(ctx, d, "writable", JSValueMakeBoolean(ctx, flags & ISL_W), NULL);
  isl_set(ctx, d, "enumerable", JSValueMakeBoolean(ctx, flags & ISL_E), NULL);
  isl_set(ctx, d, "configurable", JSValueMakeBoolean(ctx, flags & ISL_C), NULL);
  JSValueProtect(ctx, d);
  r->descs[flags] = d;
  return d;
}

/* A call to a captured native that cannot fail on the objects islet hands it. */
static void call_native(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                        const JSValueRef argv[]) {
  JSValueRef exc = NULL;
  JSObjectCallAsFunction(ctx, fn, this_obj, argc, argv, &exc);
  ISL_CHECK(exc == NULL);
}

/* Object.defineProperty(o, key, {value: v, writable, enumerable, configurable per flags}). */
static void define_key(JSContextRef ctx, isl_realm_t *r, JSObjectRef o, JSValueRef key,
                       JSValueRef v, int flags) {
  if (!value_key) value_key = JSStringCreateWithUTF8CString("value");
  JSObjectRef desc = descriptor(ctx, r, flags & (ISL_W | ISL_E | ISL_C));
  JSObjectSetProperty(ctx, desc, value_key, v, 0, NULL);
  JSValueRef args[3] = {o, key, desc};
  call_native(ctx, r->h_define_property, NULL, 3, args);
}

void isl_define_value(JSContextRef ctx, JSObjectRef o, const char *name, JSValueRef v,
                      int flags) {
  define_key(ctx, isl_realm_of(ctx), o, isl_str(ctx, name), v, flags);
}

/* A native function named name, with its length (configurable, as for any function). */
static JSObjectRef make_function_n(JSContextRef ctx, isl_realm_t *r, JSStringRef name,
                                   isl_fn_t fn, int length) {
  JSObjectRef f = JSObjectMakeFunctionWithCallback(ctx, name, fn);
  if (length)
    define_key(ctx, r, f, key_of(ctx, &length_key, "length"), JSValueMakeNumber(ctx, length),
               ISL_C);
  return f;
}

static JSObjectRef make_function(JSContextRef ctx, isl_realm_t *r, const char *name,
                                 isl_fn_t fn, int length) {
  JSStringRef n = JSStringCreateWithUTF8CString(name);
  JSObjectRef f = make_function_n(ctx, r, n, fn, length);
  JSStringRelease(n);
  return f;
}

JSObjectRef isl_func_new(JSContextRef ctx, const char *name, isl_fn_t fn, int length) {
  return make_function(ctx, isl_realm_of(ctx), name, fn, length);
}

/* A Web IDL operation: writable, enumerable, configurable. The name is both the key and
 * the function's name. */
static void define_method(JSContextRef ctx, isl_realm_t *r, JSObjectRef o, const char *name,
                          isl_fn_t fn, int length) {
  JSStringRef n = JSStringCreateWithUTF8CString(name);
  JSObjectRef f = make_function_n(ctx, r, n, fn, length);
  define_key(ctx, r, o, JSValueMakeString(ctx, n), f, ISL_W | ISL_E | ISL_C);
  JSStringRelease(n);
}

void isl_define_method(JSContextRef ctx, JSObjectRef o, const char *name, isl_fn_t fn,
                       int length) {
  define_method(ctx, isl_realm_of(ctx), o, name, fn, length);
}

/* A Web IDL attribute: an enumerable, configurable accessor, defined as
 * __defineGetter__/__defineSetter__ define one. The functions are "get name" and
 * "set name" (length 1). */
static void define_accessor(JSContextRef ctx, isl_realm_t *r, JSObjectRef o, const char *name,
                            isl_fn_t get, isl_fn_t set) {
  isl_buf_t b = {0};
  JSValueRef key = isl_str(ctx, name);
  if (get) {
    isl_buf_printf(&b, "get %s", name);
    JSValueRef args[2] = {key, make_function(ctx, r, b.p, get, 0)};
    call_native(ctx, r->h_define_getter, o, 2, args);
  }
  if (set) {
    b.len = 0;
    isl_buf_printf(&b, "set %s", name);
    JSValueRef args[2] = {key, make_function(ctx, r, b.p, set, 1)};
    call_native(ctx, r->h_define_setter, o, 2, args);
  }
  isl_buf_free(&b);
}

void isl_define_accessor(JSContextRef ctx, JSObjectRef o, const char *name, isl_fn_t get,
                         isl_fn_t set) {
  define_accessor(ctx, isl_realm_of(ctx), o, name, get, set);
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
  JSObjectSetPrototype(ctx, proto, def->parent ? r->protos[def->parent->id] : r->object_prototype);
  for (const isl_method_t *m = def->methods; m && m->name; m++)
    define_method(ctx, r, proto, m->name, m->fn, m->length);
  for (const isl_accessor_t *a = def->accessors; a && a->name; a++)
    define_accessor(ctx, r, proto, a->name, a->get, a->set);
  /* Symbol.toStringTag: { writable: false, enumerable: false, configurable: true } (Web
   * IDL). All three are spelled out because JSC gives a class's automatic prototype a
   * writable Symbol.toStringTag of its own, whose flags a partial descriptor would keep. */
  JSValueRef name = isl_str(ctx, def->name);
  define_key(ctx, r, proto, r->to_string_tag, name, ISL_C);

  JSValueRef args[3] = {isl_func_with_data(ctx, ctor_trampoline, def, NULL), name,
                        JSValueMakeNumber(ctx, def->length)};
  JSValueRef exc = NULL;
  JSValueRef c = JSObjectCallAsFunction(ctx, r->h_ctor, NULL, 3, args, &exc);
  ISL_CHECK(c && !exc && JSValueIsObject(ctx, c));
  JSObjectRef ctor = (JSObjectRef)c;
  if (def->parent) JSObjectSetPrototype(ctx, ctor, r->ctors[def->parent->id]);
  define_key(ctx, r, ctor, key_of(ctx, &prototype_key, "prototype"), proto, 0);
  define_key(ctx, r, proto, key_of(ctx, &constructor_key, "constructor"), ctor, ISL_W | ISL_C);
  for (const isl_method_t *m = def->statics; m && m->name; m++)
    define_method(ctx, r, ctor, m->name, m->fn, m->length);
  /* Constants: { writable: false, enumerable: true, configurable: false } on both. */
  for (const isl_const_t *k = def->constants; k && k->name; k++) {
    JSValueRef key = isl_str(ctx, k->name), v = JSValueMakeNumber(ctx, k->value);
    define_key(ctx, r, ctor, key, v, ISL_E);
    define_key(ctx, r, proto, key, v, ISL_E);
  }
  if (!def->not_global) define_key(ctx, r, r->global, name, ctor, ISL_W | ISL_C);

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
