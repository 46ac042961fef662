/* The C interface of streams (src/api/streams_api.h) in a real realm: C sources (a body's
 * bytes, an asynchronous source with back-pressure, cancel), C readers (pause and resume,
 * errors, non-byte chunks, cancel), reading everything with a limit, the Fetch-facing
 * operations, and what only forced garbage collections show: handles held by C survive a
 * collection, synchronous sources nobody reads are released, and the realm's teardown
 * aborts every handle still open and leaves no root behind. */
#include <stdlib.h>

#include "api/api.h"
#include "api/streams_api.h"
#include "check.h"
#define REALM_EVAL_URL "streams_test"
#include "realm_eval.h"

static uv_loop_t loop;

static double eval_num(const char *src) { return JSValueToNumber(realm->ctx, eval(src), NULL); }

static void set_global(const char *name, JSValueRef v) {
  isl_set(realm->ctx, realm->global, name, v, NULL);
}

static void gc(void) { JSSynchronousGarbageCollectForDebugging(realm->ctx); }

/* ---- A body as a stream -------------------------------------------------------------------- */

static void test_body_stream(void) {
  JSContextRef ctx = realm->ctx;
  size_t n = 200000;
  char *bytes = malloc(n);
  for (size_t i = 0; i < n; i++) bytes[i] = (char)(i * 7);
  isl_body_t *body = isl_body_new(bytes, n);
  JSObjectRef s = isl_stream_from_body(ctx, body);
  isl_body_unref(body); /* the stream holds its own reference */
  CHECK(isl_stream_is(ctx, s));
  set_global("bodyStream", s);
  eval(
      "globalThis.bodyResult = (async () => {"
      "  let total = 0, max = 0, ok = true;"
      "  for await (const c of bodyStream) {"
      "    if (!(c instanceof Uint8Array)) ok = false;"
      "    for (let i = 0; i < c.length; i++) if (c[i] !== ((total + i) * 7 & 255)) ok = false;"
      "    total += c.length; max = Math.max(max, c.length);"
      "  }"
      "  return ok && total === 200000 && max === 65536;"
      "})().then((r) => { globalThis.bodyOk = r; })");
  CHECK(eval_true("bodyOk === true"));
  /* BYOB readers work too: the bytes are copied into the reader's buffer. */
  isl_body_t *small = isl_body_copy_of("hello", 5);
  set_global("smallStream", isl_stream_from_body(ctx, small));
  isl_body_unref(small);
  eval(
      "(async () => {"
      "  const r = smallStream.getReader({ mode: 'byob' });"
      "  const a = await r.read(new Uint8Array(3));"
      "  const b = await r.read(new Uint8Array(3));"
      "  const c = await r.read(new Uint8Array(3));"
      "  globalThis.byob = String.fromCharCode(...a.value, ...b.value) + '|' + c.done;"
      "})()");
  CHECK(eval_true("byob === 'hello|true'"));
  set_global("emptyStream", isl_stream_from_body(ctx, NULL));
  eval("emptyStream.getReader().read().then((r) => { globalThis.emptyDone = r.done; })");
  CHECK(eval_true("emptyDone === true"));
}

/* ---- An asynchronous source --------------------------------------------------------------------
 */

typedef struct {
  int pulls, cancels, releases;
  isl_rsource_t *handle;
  char reason[32];
} async_src_t;

static void async_pull(JSContextRef ctx, isl_rsource_t *s, void *data) {
  (void)ctx;
  async_src_t *a = data;
  CHECK(s == a->handle);
  a->pulls++;
}

static void async_cancel(JSContextRef ctx, isl_rsource_t *s, void *data, JSValueRef reason) {
  (void)s;
  async_src_t *a = data;
  a->cancels++;
  if (ctx && reason) {
    char *r = isl_to_cstr(ctx, reason, NULL, NULL);
    snprintf(a->reason, sizeof(a->reason), "%s", r ? r : "");
    free(r);
  }
}

static void async_release(void *data) { ((async_src_t *)data)->releases++; }

static const isl_rsource_ops_t async_ops = {
    .pull = async_pull, .cancel = async_cancel, .release = async_release};

static void test_async_source(void) {
  JSContextRef ctx = realm->ctx;
  long roots = realm->protected_count;
  async_src_t a = {0};
  JSObjectRef s = isl_rsource_new(ctx, &async_ops, &a, 0, ISL_RSOURCE_ASYNC, &a.handle);
  CHECK(realm->protected_count == roots + 1);
  set_global("asyncStream", s);
  eval("globalThis.asyncReader = asyncStream.getReader(); globalThis.got = [];");
  CHECK(a.pulls == 0); /* high water mark 0: no read, no pull */
  eval("asyncReader.read().then((r) => got.push(r.value.length))");
  CHECK(a.pulls == 1);
  CHECK(isl_rsource_desired_size(a.handle) == 0);
  /* The bytes arrive later, from outside pull (an I/O callback), after collections. */
  gc();
  gc();
  CHECK(isl_rsource_push(ctx, a.handle, "abc", 3));
  CHECK(eval_true("got.length === 1 && got[0] === 3"));
  CHECK(a.pulls == 1); /* nobody is reading: no new pull */
  /* Pushing ahead of demand queues the bytes and shows back-pressure. */
  CHECK(isl_rsource_push_owned(ctx, a.handle, strdup("defgh"), 5));
  CHECK(isl_rsource_desired_size(a.handle) == -5);
  eval("asyncReader.read().then((r) => got.push(r.value.length))");
  CHECK(eval_true("got[1] === 5"));
  eval("asyncReader.cancel('enough').then(() => { globalThis.canceled = true; })");
  CHECK(eval_true("canceled === true"));
  CHECK(a.cancels == 1);
  CHECK_STR(a.reason, "enough");
  CHECK(a.releases == 1);
  CHECK(realm->protected_count == roots);               /* the root went with the source */
  CHECK(!isl_rsource_push(ctx, a.handle, "x", 1) || 1); /* dead handle: not used further */
}

static void test_async_source_close_and_error(void) {
  JSContextRef ctx = realm->ctx;
  long roots = realm->protected_count;
  async_src_t a = {0};
  set_global("s2", isl_rsource_new(ctx, &async_ops, &a, 16, ISL_RSOURCE_ASYNC, &a.handle));
  CHECK(isl_rsource_push(ctx, a.handle, "12345", 5));
  isl_rsource_close(ctx, a.handle);
  CHECK(a.releases == 1 && a.cancels == 0);
  CHECK(realm->protected_count == roots);
  eval(
      "(async () => { const out = []; for await (const c of s2) out.push(c.length);"
      " globalThis.s2out = out.join(); })()");
  CHECK(eval_true("s2out === '5'"));

  async_src_t b = {0};
  set_global("s3", isl_rsource_new(ctx, &async_ops, &b, 0, ISL_RSOURCE_ASYNC, &b.handle));
  eval(
      "s3.getReader().read().catch((e) => { globalThis.s3err = e instanceof TypeError && "
      "e.message; })");
  isl_rsource_error(ctx, b.handle, NULL, "connection reset");
  CHECK(eval_true("s3err === 'connection reset'"));
  CHECK(b.releases == 1);
  CHECK(realm->protected_count == roots);
}

/* A synchronous source nobody reads is collected with its stream; its data is released. */
static int sync_released;
static void sync_pull(JSContextRef ctx, isl_rsource_t *s, void *data) {
  (void)data;
  isl_rsource_push(ctx, s, "z", 1);
}
static void sync_release(void *data) {
  (void)data;
  sync_released++;
}
static const isl_rsource_ops_t sync_ops = {.pull = sync_pull, .release = sync_release};

static void test_sync_source_collected(void) {
  JSContextRef ctx = realm->ctx;
  long roots = realm->protected_count;
  sync_released = 0;
  for (int i = 0; i < 50; i++) isl_rsource_new(ctx, &sync_ops, NULL, 4, 0, NULL);
  CHECK(realm->protected_count == roots);
  for (int i = 0; i < 5 && sync_released < 50; i++) gc();
  CHECK(sync_released >= 40); /* a few may still be seen on the stack */
}

/* ---- C readers ------------------------------------------------------------------------------- */

typedef struct {
  int chunks, ends;
  size_t bytes;
  bool pause;
  isl_rread_end_t how;
  char error[64];
} rd_t;

static bool rd_chunk(JSContextRef ctx, isl_rreader_t *r, void *data, const uint8_t *p, size_t n) {
  (void)ctx, (void)r, (void)p;
  rd_t *d = data;
  d->chunks++;
  d->bytes += n;
  return !d->pause;
}

static void rd_end(JSContextRef ctx, isl_rreader_t *r, void *data, isl_rread_end_t how,
                   JSValueRef error) {
  (void)r;
  rd_t *d = data;
  d->ends++;
  d->how = how;
  if (ctx && error) {
    char *m = isl_to_cstr(ctx, error, NULL, NULL);
    snprintf(d->error, sizeof(d->error), "%s", m ? m : "");
    free(m);
  }
}

static const isl_rreader_ops_t rd_ops = {.chunk = rd_chunk, .end = rd_end};

static void test_reader_back_pressure(void) {
  JSContextRef ctx = realm->ctx;
  long roots = realm->protected_count;
  eval(
      "globalThis.pulls = 0; globalThis.src = new ReadableStream({"
      "  pull(c) { pulls++; if (pulls > 5) c.close(); else c.enqueue(new Uint8Array(pulls)); }"
      "}, { highWaterMark: 0 });");
  rd_t d = {.pause = true};
  JSValueRef exc = NULL;
  isl_rreader_t *r = isl_rreader_new(ctx, eval("src"), &rd_ops, &d, &exc);
  CHECK(r && !exc);
  CHECK(eval_true("src.locked"));
  CHECK(d.chunks == 1 && d.bytes == 1);
  CHECK(eval_num("pulls") == 1); /* paused: nothing read ahead */
  eval("delete globalThis.src");
  gc();
  gc();
  d.pause = false;
  isl_rreader_resume(ctx, r);
  CHECK(d.chunks == 5 && d.bytes == 15);
  CHECK(d.ends == 1 && d.how == ISL_RREAD_CLOSED);
  CHECK(realm->protected_count == roots);
}

static void test_reader_errors(void) {
  JSContextRef ctx = realm->ctx;
  JSValueRef exc = NULL;
  /* The stream errors. */
  rd_t d = {0};
  eval("globalThis.ctl = null; globalThis.es = new ReadableStream({ start(c) { ctl = c; } });");
  CHECK(isl_rreader_new(ctx, eval("es"), &rd_ops, &d, &exc) != NULL);
  eval("ctl.enqueue(new Uint8Array(2)); ctl.error(new RangeError('boom'))");
  CHECK(d.chunks == 1 && d.ends == 1 && d.how == ISL_RREAD_ERRORED);
  CHECK_STR(d.error, "RangeError: boom");
  /* A chunk that is not bytes: the reading errors and the stream is canceled. */
  rd_t e = {0};
  eval(
      "globalThis.whyCanceled = null;"
      "globalThis.ss = new ReadableStream({ start(c) { c.enqueue('text'); },"
      "  cancel(r) { whyCanceled = r instanceof TypeError; } });");
  CHECK(isl_rreader_new(ctx, eval("ss"), &rd_ops, &e, &exc) != NULL);
  CHECK(e.ends == 1 && e.how == ISL_RREAD_ERRORED && e.chunks == 0);
  CHECK(eval_true("whyCanceled === true"));
  /* ArrayBuffers and other views count as bytes. */
  rd_t f = {0};
  eval(
      "globalThis.vs = new ReadableStream({ start(c) { c.enqueue(new ArrayBuffer(3));"
      " c.enqueue(new DataView(new ArrayBuffer(4))); c.enqueue(new Uint16Array(2)); c.close(); } "
      "});");
  CHECK(isl_rreader_new(ctx, eval("vs"), &rd_ops, &f, &exc) != NULL);
  CHECK(f.bytes == 11 && f.how == ISL_RREAD_CLOSED);
  /* Locked streams and non-streams are refused. */
  exc = NULL;
  CHECK(isl_rreader_new(ctx, eval("vs.getReader(), vs"), &rd_ops, &f, &exc) == NULL && exc);
  exc = NULL;
  CHECK(isl_rreader_new(ctx, eval("({})"), &rd_ops, &f, &exc) == NULL && exc);
}

static void test_reader_cancel(void) {
  JSContextRef ctx = realm->ctx;
  long roots = realm->protected_count;
  rd_t d = {.pause = true};
  JSValueRef exc = NULL;
  eval(
      "globalThis.cancelReason = null;"
      "globalThis.cs = new ReadableStream({ pull(c) { c.enqueue(new Uint8Array(1)); },"
      "  cancel(r) { cancelReason = r; } });");
  isl_rreader_t *r = isl_rreader_new(ctx, eval("cs"), &rd_ops, &d, &exc);
  CHECK(r && d.chunks == 1);
  isl_rreader_cancel(ctx, r, isl_str(ctx, "client went away"));
  CHECK(eval_true("cancelReason === 'client went away'"));
  CHECK(d.ends == 0); /* no callback after cancel */
  CHECK(eval_true("!cs.locked"));
  CHECK(realm->protected_count == roots);
}

/* A C source read by a C reader: no JS reference anywhere, collections in between. */
static void test_c_to_c(void) {
  JSContextRef ctx = realm->ctx;
  async_src_t a = {0};
  JSObjectRef s = isl_rsource_new(ctx, &async_ops, &a, 0, ISL_RSOURCE_ASYNC, &a.handle);
  rd_t d = {0};
  JSValueRef exc = NULL;
  CHECK(isl_rreader_new(ctx, s, &rd_ops, &d, &exc) != NULL);
  s = NULL;
  CHECK(a.pulls == 1);
  for (int i = 0; i < 10; i++) {
    gc();
    CHECK(isl_rsource_push(ctx, a.handle, "0123456789", 10));
  }
  isl_rsource_close(ctx, a.handle);
  CHECK(d.bytes == 100 && d.how == ISL_RREAD_CLOSED);
  CHECK(a.pulls == 11);
}

/* ---- Reading everything -----------------------------------------------------------------------
 */

static char collected[64];
static int collect_calls;

static void on_collect(JSContextRef ctx, void *data, isl_body_t *body, JSValueRef error) {
  (void)data;
  collect_calls++;
  if (body) {
    snprintf(collected, sizeof(collected), "%.*s", (int)body->len, body->data);
    isl_body_unref(body);
  } else if (ctx && error) {
    char *m = isl_to_cstr(ctx, error, NULL, NULL);
    snprintf(collected, sizeof(collected), "error: %s", m ? m : "");
    free(m);
  } else {
    snprintf(collected, sizeof(collected), "aborted");
  }
}

static void test_collect(void) {
  JSContextRef ctx = realm->ctx;
  JSValueRef exc = NULL;
  collect_calls = 0;
  eval(
      "globalThis.te = new TextEncoder(); globalThis.cs1 = new ReadableStream({ async start(c) {"
      " c.enqueue(te.encode('hello ')); await null; c.enqueue(te.encode('world')); c.close(); } "
      "});");
  CHECK(isl_stream_collect(ctx, eval("cs1"), 100, on_collect, NULL, &exc));
  CHECK(collect_calls == 1);
  CHECK_STR(collected, "hello world");
  eval(
      "globalThis.big = new ReadableStream({ pull(c) { c.enqueue(new Uint8Array(40)); },"
      " cancel() { globalThis.bigCanceled = true; } });");
  CHECK(isl_stream_collect(ctx, eval("big"), 100, on_collect, NULL, &exc));
  CHECK(collect_calls == 2);
  CHECK_STR(collected, "error: TypeError: The body is larger than allowed");
  CHECK(eval_true("bigCanceled === true"));
}

/* ---- Fetch-facing operations --------------------------------------------------------------------
 */

static void test_fetch_operations(void) {
  JSContextRef ctx = realm->ctx;
  JSValueRef s =
      eval("globalThis.fs = new ReadableStream({ start(c) { c.enqueue(1); c.close(); } }); fs");
  CHECK(isl_stream_is(ctx, s));
  CHECK(!isl_stream_is(ctx, eval("({})")));
  CHECK(!isl_stream_locked(ctx, s) && !isl_stream_disturbed(ctx, s));
  JSObjectRef b1, b2;
  JSValueRef exc = NULL;
  CHECK(isl_stream_tee(ctx, s, &b1, &b2, &exc));
  CHECK(isl_stream_locked(ctx, s));
  CHECK(!isl_stream_tee(ctx, s, &b1, &b2, &exc) && exc);
  set_global("b1", b1);
  eval("b1.getReader().read().then((r) => { globalThis.teeValue = r.value; })");
  CHECK(eval_true("teeValue === 1"));
  CHECK(isl_stream_disturbed(ctx, b1));
  set_global("cp", isl_stream_cancel(ctx, b2, NULL));
  eval("cp.then(() => { globalThis.cancelDone = true; })");
  CHECK(eval_true("cancelDone === true"));
  set_global("bad", isl_stream_cancel(ctx, eval("({})"), NULL));
  eval("bad.catch((e) => { globalThis.badErr = e instanceof TypeError; })");
  CHECK(eval_true("badErr === true"));
}

/* ---- Teardown ---------------------------------------------------------------------------------
 */

static async_src_t open_source;
static rd_t open_reader = {.pause = true};

static void test_teardown_aborts_open_handles(void) {
  JSContextRef ctx = realm->ctx;
  isl_rsource_new(ctx, &async_ops, &open_source, 0, ISL_RSOURCE_ASYNC, &open_source.handle);
  eval("globalThis.forever = new ReadableStream({ pull(c) { c.enqueue(new Uint8Array(1)); } });");
  JSValueRef exc = NULL;
  CHECK(isl_rreader_new(ctx, eval("forever"), &rd_ops, &open_reader, &exc) != NULL);
  CHECK(realm->protected_count > 0);
}

int main(void) {
  uv_loop_init(&loop);
  realm = isl_realm_new(&loop);
  isl_api_install_all(realm);
  long roots = realm->protected_count;
  test_body_stream();
  test_async_source();
  test_async_source_close_and_error();
  test_sync_source_collected();
  test_reader_back_pressure();
  test_reader_errors();
  test_reader_cancel();
  test_c_to_c();
  test_collect();
  test_fetch_operations();
  CHECK(realm->protected_count == roots);
  test_teardown_aborts_open_handles();
  isl_realm_teardown(realm);
  CHECK(open_source.cancels == 1 && open_source.releases == 1);
  CHECK(open_reader.ends == 1 && open_reader.how == ISL_RREAD_ABORTED);
  CHECK(realm->protected_count == 0);
  isl_realm_free(realm);
  uv_loop_close(&loop);
  return check_summary();
}
