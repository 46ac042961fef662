/* Async iteration of a ReadableStream (Streams Standard §4.2.5 on Web IDL's asynchronous
 * iterators: values(), [Symbol.asyncIterator], next() and return()) and
 * ReadableStream.from(asyncIterable) (ReadableStreamFromIterable).
 *
 * The iterator follows Web IDL's "default asynchronous iterator object": each next() or
 * return() waits for the previous call's promise (the ongoing promise) before it runs, so
 * at most one read is outstanding. ReadableStream.from on a synchronous iterable uses
 * ECMAScript's CreateAsyncFromSyncIterator, which the C API cannot reach: its next() and
 * return() are written out here step by step, so values that are promises are awaited and
 * promises settle in the same order as the spec's composition. */
#include <stdlib.h>

#include "streams_internal.h"

/* ---- The async iterator --------------------------------------------------------------- */

enum { IT_J_READER, IT_J_ONGOING, IT_J_NEXT_RESOLVE, IT_J_NEXT_REJECT };
typedef struct {
  st_obj_t o;
  st_reader_t *reader;
  bool prevent_cancel, finished;
} iter_t;

static void iter_finalize(void *p) { free(p); }

static JSValueRef js_iter_next(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                               const JSValueRef argv[], JSValueRef *exc);
static JSValueRef js_iter_return(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc);

static const isl_method_t iter_methods[] = {
    {"next", js_iter_next, 0},
    {"return", js_iter_return, 1},
    {0},
};

static isl_class_def_t iter_class = {
    .name = "ReadableStream AsyncIterator",
    .methods = iter_methods,
    .finalize = iter_finalize,
    .not_global = true,
};

static iter_t *iter_of(JSContextRef ctx, JSValueRef v) {
  iter_t *it = isl_priv(ctx, v, &iter_class);
  ISL_CHECK(it);
  return it;
}

JSObjectRef st_iter_new(JSContextRef ctx, st_rs_t *s, JSValueRef options, JSValueRef *exc) {
  /* ReadableStreamIteratorOptions { boolean preventCancel = false }, converted before the
   * initialization steps. */
  if (!st_dict_check(ctx, options, "The iterator options", exc)) return NULL;
  JSValueRef pc = st_dict_get(ctx, options, "preventCancel", exc);
  if (!pc) return NULL;
  st_reader_t *r = st_reader_acquire(ctx, s, false, exc);
  if (!r) return NULL;
  iter_t *it = isl_calloc(1, sizeof(*it));
  JSObjectRef w = isl_wrap(ctx, &iter_class, it);
  st_obj_init(ctx, &it->o, w);
  it->reader = r;
  ST_SET(ctx, it, IT_J_READER, r->o.self);
  it->prevent_cancel = JSValueToBoolean(ctx, pc);
  return w;
}

/* Get the next iteration result: a promise for the next chunk or end of iteration. */
static JSObjectRef iter_next_result(JSContextRef ctx, iter_t *it) {
  st_reader_t *r = it->reader;
  if (!r->stream) return st_rejected_type(ctx, "The iterator's reader was released");
  st_deferred_t d = st_deferred(ctx);
  ST_SET(ctx, it, IT_J_NEXT_RESOLVE, d.resolve);
  ST_SET(ctx, it, IT_J_NEXT_REJECT, d.reject);
  st_req_t rq = {ST_REQ_ITER, it->o.self, NULL};
  st_reader_read(ctx, r, &rq);
  return d.promise;
}

static void iter_settle(JSContextRef ctx, iter_t *it, bool ok, JSValueRef v) {
  JSValueRef fn = ST_JS(it, ok ? IT_J_NEXT_RESOLVE : IT_J_NEXT_REJECT);
  ST_SET(ctx, it, IT_J_NEXT_RESOLVE, NULL);
  ST_SET(ctx, it, IT_J_NEXT_REJECT, NULL);
  if (fn) st_settle(ctx, (JSObjectRef)fn, v);
}

void st_iter_req_chunk(JSContextRef ctx, const st_req_t *rq, JSValueRef chunk) {
  iter_settle(ctx, iter_of(ctx, rq->a), true, chunk);
}

void st_iter_req_close(JSContextRef ctx, const st_req_t *rq) {
  iter_t *it = iter_of(ctx, rq->a);
  st_reader_release(ctx, it->reader);
  iter_settle(ctx, it, true, st_end_of_iteration(ctx));
}

void st_iter_req_error(JSContextRef ctx, const st_req_t *rq, JSValueRef e) {
  iter_t *it = iter_of(ctx, rq->a);
  st_reader_release(ctx, it->reader);
  iter_settle(ctx, it, false, e);
}

/* Web IDL's nextSteps. */
static JSObjectRef iter_next_steps(JSContextRef ctx, iter_t *it) {
  if (it->finished) return st_resolved(ctx, st_iter_result(ctx, NULL, true));
  JSObjectRef p = iter_next_result(ctx, it);
  return st_react(ctx, p, it->o.self, ST_RX_iter_next_ok, ST_RX_iter_next_fail);
}

JSValueRef st_rx_iter_next_steps(JSContextRef ctx, JSValueRef target, JSValueRef v,
                                 JSValueRef *exc) {
  (void)v, (void)exc;
  return iter_next_steps(ctx, iter_of(ctx, target));
}

JSValueRef st_rx_iter_next_ok(JSContextRef ctx, JSValueRef target, JSValueRef next,
                              JSValueRef *exc) {
  (void)exc;
  iter_t *it = iter_of(ctx, target);
  ST_SET(ctx, it, IT_J_ONGOING, NULL);
  if (next == st_end_of_iteration(ctx)) {
    it->finished = true;
    return st_iter_result(ctx, NULL, true);
  }
  return st_iter_result(ctx, next, false);
}

JSValueRef st_rx_iter_next_fail(JSContextRef ctx, JSValueRef target, JSValueRef reason,
                                JSValueRef *exc) {
  iter_t *it = iter_of(ctx, target);
  ST_SET(ctx, it, IT_J_ONGOING, NULL);
  it->finished = true;
  *exc = reason;
  return NULL;
}

static JSValueRef js_iter_next(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                               const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv, (void)exc;
  iter_t *it = isl_priv(ctx, this_obj, &iter_class);
  if (!it) return st_rejected_type(ctx, "Illegal invocation");
  JSValueRef ongoing = ST_JS(it, IT_J_ONGOING);
  JSObjectRef p;
  if (ongoing) {
    p = st_react(ctx, ongoing, it->o.self, ST_RX_iter_next_steps, ST_RX_iter_next_steps);
  } else {
    p = iter_next_steps(ctx, it);
  }
  ST_SET(ctx, it, IT_J_ONGOING, p);
  return p;
}

/* Web IDL's returnSteps, with the stream's asynchronous iterator return steps. */
static JSObjectRef iter_return_steps(JSContextRef ctx, iter_t *it, JSValueRef value) {
  if (it->finished) return st_resolved(ctx, st_iter_result(ctx, value, true));
  it->finished = true;
  st_reader_t *r = it->reader;
  if (!r->stream) return st_resolved(ctx, NULL);
  if (!it->prevent_cancel) {
    JSObjectRef result = st_reader_cancel(ctx, r, value);
    st_reader_release(ctx, r);
    return result;
  }
  st_reader_release(ctx, r);
  return st_resolved(ctx, NULL);
}

/* The reaction target of return(): [iterator, value]. */
JSValueRef st_rx_iter_return_steps(JSContextRef ctx, JSValueRef target, JSValueRef v,
                                   JSValueRef *exc) {
  (void)v, (void)exc;
  return iter_return_steps(ctx, iter_of(ctx, st_index(ctx, target, 0)), st_index(ctx, target, 1));
}

JSValueRef st_rx_iter_return_ok(JSContextRef ctx, JSValueRef target, JSValueRef v,
                                JSValueRef *exc) {
  (void)v, (void)exc;
  return st_iter_result(ctx, st_index(ctx, target, 1), true);
}

static JSValueRef js_iter_return(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)exc;
  iter_t *it = isl_priv(ctx, this_obj, &iter_class);
  if (!it) return st_rejected_type(ctx, "Illegal invocation");
  JSValueRef value = ISL_ARG(0);
  JSObjectRef target = st_pair(ctx, it->o.self, value);
  JSValueRef ongoing = ST_JS(it, IT_J_ONGOING);
  JSObjectRef p;
  if (ongoing) {
    p = st_react(ctx, ongoing, target, ST_RX_iter_return_steps, ST_RX_iter_return_steps);
  } else {
    p = iter_return_steps(ctx, it, value);
  }
  ST_SET(ctx, it, IT_J_ONGOING, p);
  return st_react(ctx, p, target, ST_RX_iter_return_ok, ST_RX_NONE);
}

static isl_class_def_t from_class;

void st_iter_install(isl_realm_t *r) {
  JSContextRef ctx = r->ctx;
  isl_class_install(r, &iter_class);
  isl_class_install(r, &from_class);
  /* The prototype inherits from %AsyncIteratorPrototype% and has no constructor. */
  static const char src[] =
      "Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}).prototype)";
  JSValueRef exc = NULL;
  JSValueRef aip = isl_eval_static(ctx, src, sizeof(src) - 1, "islet:streams", &exc);
  ISL_CHECK(aip && !exc && JSValueIsObject(ctx, aip));
  JSObjectRef proto = isl_proto(ctx, &iter_class);
  JSObjectSetPrototype(ctx, proto, aip);
  JSStringRef c = JSStringCreateWithUTF8CString("constructor");
  JSObjectDeleteProperty(ctx, proto, c, NULL);
  JSStringRelease(c);
}

/* ---- ReadableStream.from ---------------------------------------------------------------- */

enum { FROM_J_ITERATOR, FROM_J_NEXT, FROM_J_STREAM };
typedef struct {
  st_obj_t o;
  st_rs_t *stream;
  bool sync; /* the iterator is synchronous, seen through CreateAsyncFromSyncIterator */
} from_t;

static void from_finalize(void *p) { free(p); }

static isl_class_def_t from_class = {
    .name = "ReadableStream from",
    .finalize = from_finalize,
    .not_global = true,
};

static from_t *from_of(JSContextRef ctx, JSValueRef v) {
  from_t *f = isl_priv(ctx, v, &from_class);
  ISL_CHECK(f);
  return f;
}

/* GetMethod(v, key): NULL in *out when undefined or null; TypeError when not callable. */
static bool get_method(JSContextRef ctx, JSValueRef v, JSValueRef key, const char *name,
                       JSValueRef *out, JSValueRef *exc) {
  *out = NULL;
  JSObjectRef o = JSValueToObject(ctx, v, exc);
  if (!o) return false;
  JSValueRef e = NULL;
  JSValueRef m = key ? JSObjectGetPropertyForKey(ctx, o, key, &e) : isl_get(ctx, o, name, &e);
  if (e) {
    *exc = e;
    return false;
  }
  if (JSValueIsUndefined(ctx, m) || JSValueIsNull(ctx, m)) return true;
  if (!JSValueIsObject(ctx, m) || !JSObjectIsFunction(ctx, (JSObjectRef)m)) {
    isl_throw_type(ctx, exc, "The iterable's %s is not a function", name);
    return false;
  }
  *out = m;
  return true;
}

/* IteratorClose(iterator, throw completion): calls return() if there is one; whatever it
 * does, the original error wins. */
static void iterator_close_throw(JSContextRef ctx, JSValueRef iterator) {
  JSValueRef ret = NULL, e = NULL;
  if (!get_method(ctx, iterator, NULL, "return", &ret, &e) || !ret) return;
  JSObjectCallAsFunction(ctx, (JSObjectRef)ret, (JSObjectRef)iterator, 0, NULL, &e);
}

/* AsyncFromSyncIteratorContinuation(result, capability, syncIteratorRecord,
 * closeOnRejection): the promise of { value: await result.value, done }. */
static JSObjectRef from_sync_continuation(JSContextRef ctx, from_t *f, JSValueRef result,
                                          bool close_on_rejection) {
  JSValueRef e = NULL;
  JSValueRef d = isl_get(ctx, (JSObjectRef)result, "done", &e);
  if (e) return st_rejected(ctx, e);
  bool done = JSValueToBoolean(ctx, d);
  JSValueRef value = isl_get(ctx, (JSObjectRef)result, "value", &e);
  if (e) return st_rejected(ctx, e);
  JSValueRef wrapper = st_promise_resolve(ctx, value, &e);
  if (e) {
    if (!done && close_on_rejection) iterator_close_throw(ctx, ST_GET(ctx, f, FROM_J_ITERATOR));
    return st_rejected(ctx, e);
  }
  int fail = done || !close_on_rejection ? ST_RX_NONE : ST_RX_from_sync_close;
  return st_react(ctx, wrapper, f->o.self, done ? ST_RX_from_sync_done : ST_RX_from_sync_value,
                  fail);
}

JSValueRef st_rx_from_sync_value(JSContextRef ctx, JSValueRef target, JSValueRef v,
                                 JSValueRef *exc) {
  (void)target, (void)exc;
  return st_iter_result(ctx, v, false);
}

JSValueRef st_rx_from_sync_done(JSContextRef ctx, JSValueRef target, JSValueRef v,
                                JSValueRef *exc) {
  (void)target, (void)exc;
  return st_iter_result(ctx, v, true);
}

JSValueRef st_rx_from_sync_close(JSContextRef ctx, JSValueRef target, JSValueRef e,
                                 JSValueRef *exc) {
  iterator_close_throw(ctx, ST_GET(ctx, from_of(ctx, target), FROM_J_ITERATOR));
  *exc = e;
  return NULL;
}

/* IteratorNext(record): the result must be an object. */
static JSValueRef iterator_next(JSContextRef ctx, from_t *f, JSValueRef *exc) {
  JSValueRef it = ST_GET(ctx, f, FROM_J_ITERATOR);
  JSValueRef next = ST_GET(ctx, f, FROM_J_NEXT);
  if (!JSValueIsObject(ctx, next) || !JSObjectIsFunction(ctx, (JSObjectRef)next)) {
    isl_throw_type(ctx, exc, "The iterator's next is not a function");
    return NULL;
  }
  JSValueRef r = JSObjectCallAsFunction(ctx, (JSObjectRef)next, (JSObjectRef)it, 0, NULL, exc);
  if (!r || *exc) return NULL;
  if (!JSValueIsObject(ctx, r)) {
    isl_throw_type(ctx, exc, "The iterator's next() returned a non-object");
    return NULL;
  }
  return r;
}

/* pullAlgorithm. */
JSObjectRef st_from_pull(JSContextRef ctx, JSValueRef host) {
  from_t *f = from_of(ctx, host);
  JSValueRef e = NULL;
  JSValueRef next = iterator_next(ctx, f, &e);
  if (f->sync) {
    /* %AsyncFromSyncIteratorPrototype%.next. */
    next = e ? st_rejected(ctx, e) : from_sync_continuation(ctx, f, next, true);
  } else if (e) {
    return st_rejected(ctx, e);
  }
  JSObjectRef p = st_resolved(ctx, next);
  return st_react(ctx, p, host, ST_RX_from_next_ok, ST_RX_NONE);
}

JSValueRef st_rx_from_next_ok(JSContextRef ctx, JSValueRef target, JSValueRef result,
                              JSValueRef *exc) {
  from_t *f = from_of(ctx, target);
  if (!JSValueIsObject(ctx, result))
    return isl_throw_type(ctx, exc, "The iterator's next() result is not an object");
  JSValueRef d = isl_get(ctx, (JSObjectRef)result, "done", exc);
  if (*exc) return NULL;
  if (JSValueToBoolean(ctx, d)) {
    st_rdc_close(ctx, f->stream->dc);
  } else {
    JSValueRef value = isl_get(ctx, (JSObjectRef)result, "value", exc);
    if (*exc) return NULL;
    JSValueRef ignored = NULL;
    st_rdc_enqueue(ctx, f->stream->dc, value, &ignored);
  }
  return NULL;
}

/* cancelAlgorithm. */
JSObjectRef st_from_cancel(JSContextRef ctx, JSValueRef host, JSValueRef reason) {
  from_t *f = from_of(ctx, host);
  JSValueRef iterator = ST_GET(ctx, f, FROM_J_ITERATOR);
  JSValueRef ret = NULL, e = NULL, result;
  if (f->sync) {
    /* %AsyncFromSyncIteratorPrototype%.return(reason). */
    if (!get_method(ctx, iterator, NULL, "return", &ret, &e)) {
      result = st_rejected(ctx, e);
    } else if (!ret) {
      result = st_resolved(ctx, st_iter_result(ctx, reason, true));
    } else {
      JSValueRef r =
          JSObjectCallAsFunction(ctx, (JSObjectRef)ret, (JSObjectRef)iterator, 1, &reason, &e);
      if (e)
        result = st_rejected(ctx, e);
      else if (!JSValueIsObject(ctx, r))
        result = st_rejected_type(ctx, "The iterator's return() returned a non-object");
      else
        result = from_sync_continuation(ctx, f, r, false);
    }
  } else {
    if (!get_method(ctx, iterator, NULL, "return", &ret, &e)) return st_rejected(ctx, e);
    if (!ret) return st_resolved(ctx, NULL);
    result = JSObjectCallAsFunction(ctx, (JSObjectRef)ret, (JSObjectRef)iterator, 1, &reason, &e);
    if (e) return st_rejected(ctx, e);
  }
  JSObjectRef p = st_resolved(ctx, result);
  return st_react(ctx, p, host, ST_RX_from_return_ok, ST_RX_NONE);
}

JSValueRef st_rx_from_return_ok(JSContextRef ctx, JSValueRef target, JSValueRef result,
                                JSValueRef *exc) {
  (void)target;
  if (!JSValueIsObject(ctx, result))
    return isl_throw_type(ctx, exc, "The iterator's return() result is not an object");
  return NULL;
}

/* ReadableStreamFromIterable. */
JSValueRef st_from(JSContextRef ctx, JSValueRef iterable, JSValueRef *exc) {
  st_realm_t *st = st_realm(ctx);
  /* GetIterator(asyncIterable, async). */
  JSValueRef method = NULL;
  bool sync = false;
  if (!get_method(ctx, iterable, st->sym_async_iterator, "Symbol.asyncIterator", &method, exc))
    return NULL;
  if (!method) {
    if (!get_method(ctx, iterable, st->sym_iterator, "Symbol.iterator", &method, exc)) return NULL;
    if (!method)
      return isl_throw_type(ctx, exc, "ReadableStream.from needs an async iterable or an iterable");
    sync = true;
  }
  /* GetIteratorFromMethod. A primitive receiver (a string) is passed as its wrapper. */
  JSObjectRef obj = JSValueToObject(ctx, iterable, exc);
  if (!obj) return NULL;
  JSValueRef iterator = JSObjectCallAsFunction(ctx, (JSObjectRef)method, obj, 0, NULL, exc);
  if (!iterator || *exc) return NULL;
  if (!JSValueIsObject(ctx, iterator))
    return isl_throw_type(ctx, exc, "The iterable's iterator is not an object");
  JSValueRef next = isl_get(ctx, (JSObjectRef)iterator, "next", exc);
  if (*exc) return NULL;
  from_t *f = isl_calloc(1, sizeof(*f));
  JSObjectRef w = isl_wrap(ctx, &from_class, f);
  st_obj_init(ctx, &f->o, w);
  f->sync = sync;
  ST_SET(ctx, f, FROM_J_ITERATOR, iterator);
  ST_SET(ctx, f, FROM_J_NEXT, next);
  f->stream = st_rs_create(ctx, ST_ALG_FROM, w, 0, 0, NULL, NULL);
  ST_SET(ctx, f, FROM_J_STREAM, f->stream->o.self);
  return f->stream->o.self;
}
