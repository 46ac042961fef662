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

void isl_define_value(JSContextRef ctx, JSObjectRef o, const char *name, JSValueRef v,
                      int flags) {
  isl_realm_t *r = isl_realm_of(ctx);
  JSObjectRef desc = JSObjectMake(ctx, NULL, NULL);
  isl_set(ctx, desc, "value", v, NULL);
  isl_set(ctx, desc, "writable", JSValueMakeBoolean(ctx, flags & ISL_W), NULL);
  isl_set(ctx, desc, "enumerable", JSValueMakeBoolean(ctx, flags & ISL_E), NULL);
  isl_set(ctx, desc, "configurable", JSValueMakeBoolean(ctx, flags & ISL_C), NULL);
  JSValueRef args[3] = {o, isl_str(ctx, name), desc};
  JSValueRef dp = isl_get(ctx, r->helpers, "defineProperty", NULL);
  JSValueRef exc = NULL;
  JSObjectCallAsFunction(ctx, (JSObjectRef)dp, NULL, 3, args, &exc);
  ISL_CHECK(exc == NULL);
}

/* Symbol-keyed variant for Symbol.toStringTag: { writable: false, enumerable: false,
 * configurable: true } (Web IDL). All three are spelled out because JSC gives a class's
 * automatic prototype a writable Symbol.toStringTag of its own, whose flags a partial
 * descriptor would keep. */
static void define_to_string_tag(JSContextRef ctx, JSObjectRef o, const char *tag) {
  isl_realm_t *r = isl_realm_of(ctx);
  JSObjectRef sym = (JSObjectRef)isl_global(ctx, "Symbol");
  JSValueRef key = isl_get(ctx, sym, "toStringTag", NULL);
  JSObjectRef desc = JSObjectMake(ctx, NULL, NULL);
  isl_set(ctx, desc, "value", isl_str(ctx, tag), NULL);
  isl_set(ctx, desc, "writable", JSValueMakeBoolean(ctx, false), NULL);
  isl_set(ctx, desc, "enumerable", JSValueMakeBoolean(ctx, false), NULL);
  isl_set(ctx, desc, "configurable", JSValueMakeBoolean(ctx, true), NULL);
  JSValueRef args[3] = {o, key, desc};
  JSValueRef dp = isl_get(ctx, r->helpers, "defineProperty", NULL);
  JSObjectCallAsFunction(ctx, (JSObjectRef)dp, NULL, 3, args, NULL);
}

JSObjectRef isl_func_new(JSContextRef ctx, const char *name, isl_fn_t fn, int length) {
  JSStringRef n = JSStringCreateWithUTF8CString(name);
  JSObjectRef f = JSObjectMakeFunctionWithCallback(ctx, n, fn);
  JSStringRelease(n);
  if (length) isl_define_value(ctx, f, "length", JSValueMakeNumber(ctx, length), ISL_C);
  return f;
}

void isl_define_method(JSContextRef ctx, JSObjectRef o, const char *name, isl_fn_t fn,
                       int length) {
  isl_define_value(ctx, o, name, isl_func_new(ctx, name, fn, length), ISL_W | ISL_E | ISL_C);
}

void isl_define_accessor(JSContextRef ctx, JSObjectRef o, const char *name, isl_fn_t get,
                         isl_fn_t set) {
  isl_realm_t *r = isl_realm_of(ctx);
  isl_buf_t b = {0};
  JSObjectRef desc = JSObjectMake(ctx, NULL, NULL);
  if (get) {
    isl_buf_printf(&b, "get %s", name);
    isl_set(ctx, desc, "get", isl_func_new(ctx, b.p, get, 0), NULL);
  }
  if (set) {
    b.len = 0;
    isl_buf_printf(&b, "set %s", name);
    isl_set(ctx, desc, "set", isl_func_new(ctx, b.p, set, 1), NULL);
  }
  isl_buf_free(&b);
  isl_set(ctx, desc, "enumerable", JSValueMakeBoolean(ctx, true), NULL);
  isl_set(ctx, desc, "configurable", JSValueMakeBoolean(ctx, true), NULL);
  JSValueRef args[3] = {o, isl_str(ctx, name), desc};
  JSValueRef dp = isl_get(ctx, r->helpers, "defineProperty", NULL);
  JSValueRef exc = NULL;
  JSObjectCallAsFunction(ctx, (JSObjectRef)dp, NULL, 3, args, &exc);
  ISL_CHECK(exc == NULL);
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
  JSObjectSetPrototype(ctx, proto, def->parent ? r->protos[def->parent->id]
                                               : JSObjectGetPrototype(ctx, JSObjectMake(ctx, NULL, NULL)));
  for (const isl_method_t *m = def->methods; m && m->name; m++)
    isl_define_method(ctx, proto, m->name, m->fn, m->length);
  for (const isl_accessor_t *a = def->accessors; a && a->name; a++)
    isl_define_accessor(ctx, proto, a->name, a->get, a->set);
  define_to_string_tag(ctx, proto, def->name);

  JSObjectRef native = isl_func_with_data(ctx, ctor_trampoline, def, NULL);
  JSValueRef args[3] = {native, isl_str(ctx, def->name), JSValueMakeNumber(ctx, def->length)};
  JSValueRef exc = NULL;
  JSValueRef c = isl_call_method(ctx, r->helpers, "ctor", 3, args, &exc);
  ISL_CHECK(c && !exc);
  JSObjectRef ctor = (JSObjectRef)c;
  if (def->parent) JSObjectSetPrototype(ctx, ctor, r->ctors[def->parent->id]);
  isl_define_value(ctx, ctor, "prototype", proto, 0);
  isl_define_value(ctx, proto, "constructor", ctor, ISL_W | ISL_C);
  for (const isl_method_t *m = def->statics; m && m->name; m++)
    isl_define_method(ctx, ctor, m->name, m->fn, m->length);
  /* Constants: { writable: false, enumerable: true, configurable: false } on both. */
  for (const isl_const_t *k = def->constants; k && k->name; k++) {
    isl_define_value(ctx, ctor, k->name, JSValueMakeNumber(ctx, k->value), ISL_E);
    isl_define_value(ctx, proto, k->name, JSValueMakeNumber(ctx, k->value), ISL_E);
  }
  if (!def->not_global) isl_define_value(ctx, r->global, def->name, ctor, ISL_W | ISL_C);

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
