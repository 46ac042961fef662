/* The toolkit the Streams Standard files are written with (see streams_internal.h): object
 * stores, rings, promise reactions, Web IDL dictionary helpers and the per-realm state. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "streams_internal.h"

/* ---- Per-realm state ------------------------------------------------------------------ */

/* The glue the C API lacks, compiled once per realm: reactions that keep their target
 * alive (closures), marking a promise handled, queueing a microtask, iterator results and
 * PromiseResolve. The intrinsics are captured now, so user code that later replaces
 * Promise.prototype.then or queueMicrotask changes nothing here. */
static const char glue_src[] =
    "(function (native) {\n"
    "  'use strict';\n"
    "  const P = Promise, then = P.prototype.then, presolve = P.resolve, preject = P.reject;\n"
    "  const apply = Reflect.apply, qm = queueMicrotask, noop = () => {};\n"
    "  const getter = (o, k) => Object.getOwnPropertyDescriptor(o, k).get;\n"
    "  const AB = ArrayBuffer, abTransfer = AB.prototype.transfer;\n"
    "  const abDetached = getter(ArrayBuffer.prototype, 'detached');\n"
    "  const TA = Object.getPrototypeOf(Uint8Array).prototype, DV = DataView;\n"
    "  const taTag = getter(TA, Symbol.toStringTag), taBuffer = getter(TA, 'buffer');\n"
    "  const taOffset = getter(TA, 'byteOffset'), taLength = getter(TA, 'byteLength');\n"
    "  const dvBuffer = getter(DV.prototype, 'buffer');\n"
    "  const dvOffset = getter(DV.prototype, 'byteOffset');\n"
    "  const dvLength = getter(DV.prototype, 'byteLength');\n"
    "  const ctors = Object.create(null), sizes = Object.create(null);\n"
    "  for (const c of [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array,\n"
    "                   Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array,\n"
    "                   BigUint64Array, globalThis.Float16Array]) {\n"
    "    if (c) { ctors[c.name] = c; sizes[c.name] = c.BYTES_PER_ELEMENT; }\n"
    "  }\n"
    "  return {\n"
    "    react(p, t, ok, fail) {\n"
    "      return apply(then, p, [ok < 0 ? undefined : (v) => native(t, ok, v),\n"
    "                             fail < 0 ? undefined : (e) => native(t, fail, e)]);\n"
    "    },\n"
    "    handled(p) { apply(then, p, [undefined, noop]); },\n"
    "    microtask(t, id, v) { qm(() => { native(t, id, v); }); },\n"
    "    result(value, done) { return { value, done }; },\n"
    "    promiseResolve(v) { return apply(presolve, P, [v]); },\n"
    "    call1(fn, self, a) { return apply(fn, self, [a]); },\n"
    "    invoke(fn, self, n, a, b, t, ok, fail) {\n"
    "      let p;\n"
    "      try {\n"
    "        const r = n === 0 ? apply(fn, self, []) : n === 1 ? apply(fn, self, [a]) : apply(fn, "
    "self, [a, b]);\n"
    "        p = new P((resolve) => resolve(r));\n"
    "      } catch (e) { p = apply(preject, P, [e]); }\n"
    "      return apply(then, p, [ok < 0 ? undefined : (v) => native(t, ok, v),\n"
    "                             fail < 0 ? undefined : (e) => native(t, fail, e)]);\n"
    "    },\n"
    "    transfer(b) { return apply(abTransfer, b, []); },\n"
    "    detached(b) { return apply(abDetached, b, []); },\n"
    "    view(v) {\n"
    "      const tag = apply(taTag, v, []);\n"
    "      if (tag !== undefined) {\n"
    "        const b = apply(taBuffer, v, []), d = apply(abDetached, b, []);\n"
    "        return [b, d ? 0 : apply(taOffset, v, []), d ? 0 : apply(taLength, v, []), "
    "ctors[tag], sizes[tag]];\n"
    "      }\n"
    "      let b;\n"
    "      try { b = apply(dvBuffer, v, []); } catch { return undefined; }\n"
    "      const d = apply(abDetached, b, []);\n"
    "      return [b, d ? 0 : apply(dvOffset, v, []), d ? 0 : apply(dvLength, v, []), DV, 1];\n"
    "    },\n"
    "    construct(c, b, offset, length) { return new c(b, offset, length); },\n"
    "    ctor(name) { return ctors[name]; },\n"
    "    alloc(n) { return new AB(n); },\n"
    "  };\n"
    "})";

/* Undefined, null, booleans and small numbers are immediates: on 64-bit JSC a JSValueRef
 * for them is the encoded value itself, the same in every realm, and making one through
 * the API takes the engine's lock each time. They are made once and reused. */
static JSValueRef v_undefined, v_null, v_true, v_false;
static JSValueRef v_ids[ST_RX_COUNT + 1]; /* reaction id + 1, so ST_RX_NONE is index 0 */

static void init_immediates(JSContextRef ctx) {
  v_undefined = JSValueMakeUndefined(ctx);
  v_null = JSValueMakeNull(ctx);
  v_true = JSValueMakeBoolean(ctx, true);
  v_false = JSValueMakeBoolean(ctx, false);
  for (int i = 0; i <= ST_RX_COUNT; i++) v_ids[i] = JSValueMakeNumber(ctx, i - 1);
}

JSValueRef st_null(JSContextRef ctx) {
  (void)ctx;
  return v_null;
}

JSValueRef st_bool(JSContextRef ctx, bool b) {
  (void)ctx;
  return b ? v_true : v_false;
}

#define ST_RX_ENTRY(name) st_rx_##name,
static const st_rx_fn reactions[ST_RX_COUNT] = {ST_REACTIONS(ST_RX_ENTRY)};

/* native(target, id, value): the one native function the glue's closures call. */
static JSValueRef js_native_react(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)this_obj;
  if (argc < 3) return v_undefined;
  double id = JSValueToNumber(ctx, argv[1], NULL);
  ISL_CHECK(id >= 0 && id < ST_RX_COUNT);
  JSValueRef r = reactions[(int)id](ctx, argv[0], argv[2], exc);
  return r ? r : v_undefined;
}

/* st_run's call in progress: a native function reads it (calls nest, so it is saved). */
static _Thread_local struct {
  st_body_fn fn;
  void *arg;
} run_pending;

static JSValueRef js_runner(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                            const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)this_obj, (void)argc, (void)argv, (void)exc;
  st_body_fn body = run_pending.fn;
  void *arg = run_pending.arg;
  run_pending.fn = NULL;
  if (body) body(ctx, arg);
  return v_undefined;
}

void st_run(JSContextRef ctx, st_body_fn fn, void *arg) {
  run_pending.fn = fn;
  run_pending.arg = arg;
  JSObjectCallAsFunction(ctx, st_realm(ctx)->runner, NULL, 0, NULL, NULL);
}

static void realm_teardown(isl_realm_t *r) {
  st_realm_t *st = r->api_state[ISL_STATE_STREAMS];
  /* C handles still holding roots: abort them (no JS is called from here on). */
  while (st->croots) {
    st_croot_t *c = st->croots;
    st->croots = c->next;
    if (st->croots) st->croots->prev = NULL;
    c->prev = c->next = NULL;
    c->abort(r, c);
  }
  free(r->api_state[ISL_STATE_STREAMS]);
  r->api_state[ISL_STATE_STREAMS] = NULL;
}

st_realm_t *st_realm(JSContextRef ctx) { return isl_realm_of(ctx)->api_state[ISL_STATE_STREAMS]; }

/* Every JS value of the state is also a property of the realm's helper object (a root
 * held by the realm), which keeps them alive. */
static JSObjectRef keep_fn(JSContextRef ctx, JSObjectRef glue, const char *name, const char *key) {
  isl_realm_t *r = isl_realm_of(ctx);
  JSValueRef f = isl_get(ctx, glue, name, NULL);
  ISL_CHECK(f && JSValueIsObject(ctx, f));
  isl_set(ctx, r->helpers, key, f, NULL);
  return (JSObjectRef)f;
}

void st_realm_init(isl_realm_t *r) {
  JSContextRef ctx = r->ctx;
  ISL_CHECK(r->api_state[ISL_STATE_STREAMS] == NULL);
  st_realm_t *st = isl_calloc(1, sizeof(*st));
  r->api_state[ISL_STATE_STREAMS] = st;
  init_immediates(ctx);
  isl_realm_add_teardown(r, realm_teardown);

  JSValueRef exc = NULL;
  JSValueRef maker = isl_eval_static(ctx, glue_src, sizeof(glue_src) - 1, "islet:streams", &exc);
  ISL_CHECK(maker && !exc);
  JSValueRef native = isl_func_new(ctx, "native", js_native_react, 3);
  JSValueRef g = JSObjectCallAsFunction(ctx, (JSObjectRef)maker, NULL, 1, &native, &exc);
  ISL_CHECK(g && !exc && JSValueIsObject(ctx, g));
  JSObjectRef glue = (JSObjectRef)g;
  st->react = keep_fn(ctx, glue, "react", "stReact");
  st->handled = keep_fn(ctx, glue, "handled", "stHandled");
  st->microtask = keep_fn(ctx, glue, "microtask", "stMicrotask");
  st->result = keep_fn(ctx, glue, "result", "stResult");
  st->promise_resolve = keep_fn(ctx, glue, "promiseResolve", "stPromiseResolve");
  st->call1 = keep_fn(ctx, glue, "call1", "stCall1");
  st->invoke = keep_fn(ctx, glue, "invoke", "stInvoke");
  st->transfer = keep_fn(ctx, glue, "transfer", "stTransfer");
  st->detached = keep_fn(ctx, glue, "detached", "stDetached");
  st->view = keep_fn(ctx, glue, "view", "stView");
  st->construct = keep_fn(ctx, glue, "construct", "stConstruct");
  st->alloc = keep_fn(ctx, glue, "alloc", "stAlloc");
  /* The typed array constructors the C API can make directly, by JSTypedArrayType. */
  static const char *names[] = {"Int8Array",     "Int16Array",        "Int32Array",
                                "Uint8Array",    "Uint8ClampedArray", "Uint16Array",
                                "Uint32Array",   "Float32Array",      "Float64Array",
                                "BigInt64Array", "BigUint64Array"};
  static const JSTypedArrayType types[] = {
      kJSTypedArrayTypeInt8Array,         kJSTypedArrayTypeInt16Array,
      kJSTypedArrayTypeInt32Array,        kJSTypedArrayTypeUint8Array,
      kJSTypedArrayTypeUint8ClampedArray, kJSTypedArrayTypeUint16Array,
      kJSTypedArrayTypeUint32Array,       kJSTypedArrayTypeFloat32Array,
      kJSTypedArrayTypeFloat64Array,      kJSTypedArrayTypeBigInt64Array,
      kJSTypedArrayTypeBigUint64Array};
  JSObjectRef ctor_fn = (JSObjectRef)isl_get(ctx, glue, "ctor", NULL);
  for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
    JSValueRef n = isl_str(ctx, names[i]);
    JSValueRef c = JSObjectCallAsFunction(ctx, ctor_fn, NULL, 1, &n, NULL);
    ISL_CHECK(c && JSValueIsObject(ctx, c));
    st->ctors[types[i]] = c;
    char key[40];
    snprintf(key, sizeof(key), "stCtor%s", names[i]);
    isl_set(ctx, r->helpers, key, c, NULL);
  }
  st->runner = isl_func_new(ctx, "run", js_runner, 0);
  isl_set(ctx, r->helpers, "stRunner", st->runner, NULL);
  st->end_of_iteration = isl_array_new_internal(ctx);
  isl_set(ctx, r->helpers, "stEndOfIteration", st->end_of_iteration, NULL);
  st->pins = isl_array_new_internal(ctx);
  isl_set(ctx, r->helpers, "stPins", st->pins, NULL);
  JSObjectRef sym = (JSObjectRef)isl_global(ctx, "Symbol");
  st->sym_async_iterator = isl_get(ctx, sym, "asyncIterator", NULL);
  st->sym_iterator = isl_get(ctx, sym, "iterator", NULL);
  isl_set(ctx, r->helpers, "stSymAsyncIterator", st->sym_async_iterator, NULL);
  isl_set(ctx, r->helpers, "stSymIterator", st->sym_iterator, NULL);
}

void st_croot_link(JSContextRef ctx, st_croot_t *root) {
  st_realm_t *st = st_realm(ctx);
  root->prev = NULL;
  root->next = st->croots;
  if (st->croots) st->croots->prev = root;
  st->croots = root;
}

void st_croot_unlink(JSContextRef ctx, st_croot_t *root) {
  st_realm_t *st = st_realm(ctx);
  if (root->prev)
    root->prev->next = root->next;
  else if (st->croots == root)
    st->croots = root->next;
  if (root->next) root->next->prev = root->prev;
  root->prev = root->next = NULL;
}

/* ---- Objects -------------------------------------------------------------------------- */

/* A wrapper is made, its pointer kept in a C struct, and only later (after more objects
 * were allocated, any of which may start a collection) written into another object's
 * store. JSC's collector finds roots on the machine stack and in registers but not in
 * malloc'ed memory, so in between, a wrapper whose pointer the compiler did not keep on
 * the stack could be collected and its struct freed under the operation making it (the
 * streams of `new TransformStream()` under memory pressure were). So every wrapper is
 * pinned in a realm-held array as it is made, and the array is emptied by a microtask
 * queued with the first pin: microtasks run only once the synchronous operation (a call
 * from JS, or C from the loop inside st_run) has returned, by which time everything it
 * made is linked or garbage. */
void st_obj_init(JSContextRef ctx, st_obj_t *o, JSObjectRef self) {
  st_realm_t *st = st_realm(ctx);
  JSObjectSetPropertyAtIndex(ctx, st->pins, st->npins++, self, NULL);
  /* C code outside any call from JS sees the microtask run at once, at the end of this API
   * call: no worse than without pins, and nothing stays pinned. A run stopped by the CPU
   * limit in a microtask loses the rest of the queue, this one included: queueing again
   * every 1024 pins bounds what such a loss keeps alive. */
  if (!st->pins_clear_queued || st->npins % 1024 == 0) {
    st->pins_clear_queued = true;
    st_microtask(ctx, st_undef(ctx), ST_RX_pins_clear, NULL);
  }
  o->self = self;
  o->store = isl_array_new_internal(ctx);
  isl_slot_set(ctx, self, "streams", o->store);
}

void st_set(JSContextRef ctx, st_obj_t *o, int i, JSValueRef v) {
  ISL_CHECK(i >= 0 && i < ST_MAX_JS);
  o->js[i] = v;
  JSObjectSetPropertyAtIndex(ctx, o->store, (unsigned)i, v ? v : v_undefined, NULL);
}

JSValueRef st_get(JSContextRef ctx, st_obj_t *o, int i) {
  (void)ctx;
  return o->js[i] ? o->js[i] : v_undefined;
}

/* ---- Rings ---------------------------------------------------------------------------- */

void st_ring_init(st_ring_t *r, int width, size_t csize, int slot) {
  memset(r, 0, sizeof(*r));
  r->width = (uint8_t)width;
  r->csize = (uint16_t)csize;
  r->slot = (uint8_t)slot;
}

static uint32_t ring_pos(const st_ring_t *r, uint32_t i) { return (r->head + i) & (r->cap - 1); }

/* Doubles the capacity in place: entries that wrapped around to the start move to just
 * past the old end, so they follow the others again. */
static void ring_grow(JSContextRef ctx, st_ring_t *r) {
  uint32_t old = r->cap, cap = old ? old * 2 : 4;
  r->cdata = isl_realloc(r->cdata, (size_t)cap * (r->csize ? r->csize : 1));
  uint32_t wrapped = r->head + r->len > old ? r->head + r->len - old : 0;
  for (uint32_t k = 0; k < wrapped; k++) {
    for (int j = 0; j < r->width; j++) {
      JSValueRef v = JSObjectGetPropertyAtIndex(ctx, r->arr, k * r->width + j, NULL);
      JSObjectSetPropertyAtIndex(ctx, r->arr, (old + k) * r->width + j, v, NULL);
      JSObjectSetPropertyAtIndex(ctx, r->arr, k * r->width + j, v_undefined, NULL);
    }
    if (r->csize)
      memcpy(r->cdata + (size_t)(old + k) * r->csize, r->cdata + (size_t)k * r->csize, r->csize);
  }
  r->cap = cap;
}

void *st_ring_push(JSContextRef ctx, st_obj_t *owner, st_ring_t *r, const JSValueRef *vals) {
  if (!r->arr) {
    r->arr = isl_array_new_internal(ctx);
    st_set(ctx, owner, r->slot, r->arr);
  }
  if (r->len == r->cap) ring_grow(ctx, r);
  uint32_t p = ring_pos(r, r->len);
  for (int j = 0; j < r->width; j++)
    JSObjectSetPropertyAtIndex(ctx, r->arr, p * r->width + j, vals[j] ? vals[j] : v_undefined,
                               NULL);
  r->len++;
  void *c = r->cdata + (size_t)p * r->csize;
  if (r->csize) memset(c, 0, r->csize);
  return c;
}

JSValueRef st_ring_val(JSContextRef ctx, st_ring_t *r, uint32_t i, int j) {
  ISL_CHECK(i < r->len);
  return JSObjectGetPropertyAtIndex(ctx, r->arr, ring_pos(r, i) * r->width + j, NULL);
}

void *st_ring_cdata(st_ring_t *r, uint32_t i) {
  ISL_CHECK(i < r->len);
  return r->cdata + (size_t)ring_pos(r, i) * r->csize;
}

void st_ring_shift(JSContextRef ctx, st_ring_t *r) {
  ISL_CHECK(r->len > 0);
  for (int j = 0; j < r->width; j++)
    JSObjectSetPropertyAtIndex(ctx, r->arr, r->head * r->width + j, v_undefined, NULL);
  r->head = (r->head + 1) & (r->cap - 1);
  if (--r->len == 0) r->head = 0;
}

void st_ring_take(JSContextRef ctx, st_obj_t *owner, st_ring_t *r, st_ring_t *out) {
  *out = *r;
  st_ring_init(r, out->width, out->csize, out->slot);
  if (out->arr) st_set(ctx, owner, out->slot, NULL);
}

void st_ring_clear(JSContextRef ctx, st_obj_t *owner, st_ring_t *r) {
  st_ring_t old;
  st_ring_take(ctx, owner, r, &old);
  st_ring_dispose(&old);
}

void st_ring_dispose(st_ring_t *r) {
  free(r->cdata);
  r->cdata = NULL;
  r->arr = NULL;
  r->len = r->cap = r->head = 0;
}

/* ---- Reactions and promises ---------------------------------------------------------- */

JSObjectRef st_react(JSContextRef ctx, JSValueRef p, JSValueRef target, int ok, int fail) {
  st_realm_t *st = st_realm(ctx);
  JSValueRef args[4] = {p, target ? target : v_undefined, v_ids[ok + 1], v_ids[fail + 1]};
  JSValueRef exc = NULL;
  JSValueRef r = JSObjectCallAsFunction(ctx, st->react, NULL, 4, args, &exc);
  ISL_CHECK(r && !exc && JSValueIsObject(ctx, r));
  return (JSObjectRef)r;
}

void st_mark_handled(JSContextRef ctx, JSValueRef p) {
  JSObjectCallAsFunction(ctx, st_realm(ctx)->handled, NULL, 1, &p, NULL);
}

void st_microtask(JSContextRef ctx, JSValueRef target, int id, JSValueRef v) {
  JSValueRef args[3] = {target ? target : v_undefined, v_ids[id + 1], v ? v : v_undefined};
  JSObjectCallAsFunction(ctx, st_realm(ctx)->microtask, NULL, 3, args, NULL);
}

JSValueRef st_rx_undefined(JSContextRef ctx, JSValueRef target, JSValueRef v, JSValueRef *exc) {
  (void)ctx, (void)target, (void)v, (void)exc;
  return v_undefined;
}

st_deferred_t st_deferred(JSContextRef ctx) {
  st_deferred_t d;
  d.promise = isl_promise_new(ctx, &d.resolve, &d.reject);
  return d;
}

JSObjectRef st_resolved(JSContextRef ctx, JSValueRef v) {
  return isl_promise_resolved(ctx, v ? v : v_undefined);
}

JSObjectRef st_rejected(JSContextRef ctx, JSValueRef e) {
  return isl_promise_rejected(ctx, e ? e : v_undefined);
}

JSObjectRef st_type_error(JSContextRef ctx, const char *msg) {
  return isl_error_new(ctx, "TypeError", msg);
}

JSObjectRef st_rejected_type(JSContextRef ctx, const char *msg) {
  return st_rejected(ctx, st_type_error(ctx, msg));
}

JSValueRef st_promise_resolve(JSContextRef ctx, JSValueRef v, JSValueRef *exc) {
  return JSObjectCallAsFunction(ctx, st_realm(ctx)->promise_resolve, NULL, 1, &v, exc);
}

void st_settle(JSContextRef ctx, JSObjectRef fn, JSValueRef v) {
  if (!v) v = v_undefined;
  JSObjectCallAsFunction(ctx, fn, NULL, 1, &v, NULL);
}

JSObjectRef st_iter_result(JSContextRef ctx, JSValueRef value, bool done) {
  JSValueRef args[2] = {value ? value : v_undefined, done ? v_true : v_false};
  JSValueRef r = JSObjectCallAsFunction(ctx, st_realm(ctx)->result, NULL, 2, args, NULL);
  ISL_CHECK(r && JSValueIsObject(ctx, r));
  return (JSObjectRef)r;
}

JSValueRef st_rx_pins_clear(JSContextRef ctx, JSValueRef target, JSValueRef v, JSValueRef *exc) {
  (void)target, (void)v, (void)exc;
  st_realm_t *st = st_realm(ctx);
  isl_set(ctx, st->pins, "length", JSValueMakeNumber(ctx, 0), NULL);
  st->npins = 0;
  st->pins_clear_queued = false;
  return NULL;
}

JSValueRef st_undef(JSContextRef ctx) {
  (void)ctx;
  return v_undefined;
}

bool st_is_undef(JSContextRef ctx, JSValueRef v) { return !v || JSValueIsUndefined(ctx, v); }

JSObjectRef st_invoke_react(JSContextRef ctx, JSValueRef fn, JSValueRef self, size_t argc,
                            const JSValueRef *argv, JSValueRef target, int ok, int fail) {
  ISL_CHECK(argc <= 2);
  JSValueRef args[8] = {fn,
                        self ? self : v_undefined,
                        v_ids[argc + 1],
                        argc > 0 ? argv[0] : v_undefined,
                        argc > 1 ? argv[1] : v_undefined,
                        target ? target : v_undefined,
                        v_ids[ok + 1],
                        v_ids[fail + 1]};
  JSValueRef exc = NULL;
  JSValueRef r = JSObjectCallAsFunction(ctx, st_realm(ctx)->invoke, NULL, 8, args, &exc);
  ISL_CHECK(r && !exc && JSValueIsObject(ctx, r));
  return (JSObjectRef)r;
}

JSObjectRef st_invoke_promise(JSContextRef ctx, JSValueRef fn, JSValueRef self, size_t argc,
                              const JSValueRef *argv) {
  JSValueRef exc = NULL;
  JSValueRef r = JSObjectCallAsFunction(ctx, (JSObjectRef)fn,
                                        JSValueIsObject(ctx, self) ? (JSObjectRef)self : NULL, argc,
                                        argv, &exc);
  if (exc) return st_rejected(ctx, exc);
  return st_resolved(ctx, r);
}

JSValueRef st_call1(JSContextRef ctx, JSValueRef fn, JSValueRef self, JSValueRef arg,
                    JSValueRef *exc) {
  JSValueRef args[3] = {fn, self ? self : v_undefined, arg ? arg : v_undefined};
  return JSObjectCallAsFunction(ctx, st_realm(ctx)->call1, NULL, 3, args, exc);
}

JSValueRef st_end_of_iteration(JSContextRef ctx) { return st_realm(ctx)->end_of_iteration; }

JSObjectRef st_pair(JSContextRef ctx, JSValueRef a, JSValueRef b) {
  JSObjectRef p = isl_array_new_internal(ctx);
  JSObjectSetPropertyAtIndex(ctx, p, 0, a ? a : v_undefined, NULL);
  JSObjectSetPropertyAtIndex(ctx, p, 1, b ? b : v_undefined, NULL);
  return p;
}

JSValueRef st_index(JSContextRef ctx, JSValueRef arr, unsigned i) {
  return JSObjectGetPropertyAtIndex(ctx, (JSObjectRef)arr, i, NULL);
}

/* ---- Web IDL dictionaries -------------------------------------------------------------- */

bool st_dict_check(JSContextRef ctx, JSValueRef dict, const char *what, JSValueRef *exc) {
  if (st_is_undef(ctx, dict) || JSValueIsNull(ctx, dict) || JSValueIsObject(ctx, dict)) return true;
  isl_throw_type(ctx, exc, "%s must be an object", what);
  return false;
}

JSValueRef st_dict_get(JSContextRef ctx, JSValueRef dict, const char *name, JSValueRef *exc) {
  if (st_is_undef(ctx, dict) || !JSValueIsObject(ctx, dict)) return v_undefined;
  JSValueRef e = NULL;
  JSValueRef v = isl_get(ctx, (JSObjectRef)dict, name, &e);
  if (e) {
    *exc = e;
    return NULL;
  }
  return v;
}

bool st_dict_callback(JSContextRef ctx, JSValueRef dict, const char *name, const char *what,
                      JSValueRef *out, JSValueRef *exc) {
  *out = NULL;
  JSValueRef v = st_dict_get(ctx, dict, name, exc);
  if (!v) return false;
  if (JSValueIsUndefined(ctx, v)) return true;
  if (!JSValueIsObject(ctx, v) || !JSObjectIsFunction(ctx, (JSObjectRef)v)) {
    isl_throw_type(ctx, exc, "%s's '%s' member is not a function", what, name);
    return false;
  }
  *out = v;
  return true;
}

/* ---- ArrayBuffers and views ------------------------------------------------------------ */

bool st_is_detached(JSContextRef ctx, JSValueRef buffer) {
  JSValueRef r = JSObjectCallAsFunction(ctx, st_realm(ctx)->detached, NULL, 1, &buffer, NULL);
  return r && JSValueToBoolean(ctx, r);
}

JSObjectRef st_transfer(JSContextRef ctx, JSValueRef buffer, JSValueRef *exc) {
  JSValueRef r = JSObjectCallAsFunction(ctx, st_realm(ctx)->transfer, NULL, 1, &buffer, exc);
  return r && !*exc ? (JSObjectRef)r : NULL;
}

static const unsigned element_sizes[] = {
    [kJSTypedArrayTypeInt8Array] = 1,         [kJSTypedArrayTypeInt16Array] = 2,
    [kJSTypedArrayTypeInt32Array] = 4,        [kJSTypedArrayTypeUint8Array] = 1,
    [kJSTypedArrayTypeUint8ClampedArray] = 1, [kJSTypedArrayTypeUint16Array] = 2,
    [kJSTypedArrayTypeUint32Array] = 4,       [kJSTypedArrayTypeFloat32Array] = 4,
    [kJSTypedArrayTypeFloat64Array] = 8,      [kJSTypedArrayTypeBigInt64Array] = 8,
    [kJSTypedArrayTypeBigUint64Array] = 8,
};

bool st_view_get(JSContextRef ctx, JSValueRef v, st_view_t *out) {
  if (!v || !JSValueIsObject(ctx, v)) return false;
  JSObjectRef o = (JSObjectRef)v;
  JSTypedArrayType t = JSValueGetTypedArrayType(ctx, v, NULL);
  if (t != kJSTypedArrayTypeNone && t != kJSTypedArrayTypeArrayBuffer) {
    out->type = (int)t;
    out->ctor = st_realm(ctx)->ctors[t];
    out->elem = element_sizes[t];
    out->buffer = JSObjectGetTypedArrayBuffer(ctx, o, NULL);
    /* A detached buffer has no bytes: the view's offset and length read as 0. */
    bool detached = st_is_detached(ctx, out->buffer);
    out->offset = detached ? 0 : JSObjectGetTypedArrayByteOffset(ctx, o, NULL);
    out->length = detached ? 0 : JSObjectGetTypedArrayByteLength(ctx, o, NULL);
    return true;
  }
  if (t == kJSTypedArrayTypeArrayBuffer) return false;
  /* DataView, or a typed array the C API does not know (Float16Array). */
  JSValueRef info = JSObjectCallAsFunction(ctx, st_realm(ctx)->view, NULL, 1, &v, NULL);
  if (!info || !JSValueIsObject(ctx, info)) return false;
  out->type = ST_VIEW_OTHER;
  out->buffer = (JSObjectRef)st_index(ctx, info, 0);
  out->offset = (size_t)JSValueToNumber(ctx, st_index(ctx, info, 1), NULL);
  out->length = (size_t)JSValueToNumber(ctx, st_index(ctx, info, 2), NULL);
  out->ctor = st_index(ctx, info, 3);
  out->elem = (unsigned)JSValueToNumber(ctx, st_index(ctx, info, 4), NULL);
  return true;
}

JSObjectRef st_view_make(JSContextRef ctx, int type, JSValueRef ctor, JSObjectRef buffer,
                         size_t byte_offset, size_t count, JSValueRef *exc) {
  if (type != ST_VIEW_OTHER)
    return JSObjectMakeTypedArrayWithArrayBufferAndOffset(ctx, (JSTypedArrayType)type, buffer,
                                                          byte_offset, count, exc);
  JSValueRef args[4] = {ctor, buffer, JSValueMakeNumber(ctx, (double)byte_offset),
                        JSValueMakeNumber(ctx, (double)count)};
  JSValueRef r = JSObjectCallAsFunction(ctx, st_realm(ctx)->construct, NULL, 4, args, exc);
  return r && !*exc ? (JSObjectRef)r : NULL;
}

JSObjectRef st_arraybuffer_new(JSContextRef ctx, double n, JSValueRef *exc) {
  JSValueRef arg = JSValueMakeNumber(ctx, n);
  JSValueRef r = JSObjectCallAsFunction(ctx, st_realm(ctx)->alloc, NULL, 1, &arg, exc);
  return r && !*exc ? (JSObjectRef)r : NULL;
}

uint8_t *st_buffer_bytes(JSContextRef ctx, JSObjectRef buffer) {
  return JSObjectGetArrayBufferBytesPtr(ctx, buffer, NULL);
}

size_t st_buffer_length(JSContextRef ctx, JSObjectRef buffer) {
  return JSObjectGetArrayBufferByteLength(ctx, buffer, NULL);
}

void st_ring_set_val(JSContextRef ctx, st_ring_t *r, uint32_t i, int j, JSValueRef v) {
  ISL_CHECK(i < r->len);
  JSObjectSetPropertyAtIndex(ctx, r->arr, ring_pos(r, i) * r->width + j, v, NULL);
}
