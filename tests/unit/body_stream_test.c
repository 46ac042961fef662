/* Streaming bodies (src/base/body_stream.c): the source/reader protocol of message.h —
 * flow and pause, chunks kept while the reader is away, the end, cancellation from either
 * side and from inside callbacks, declared lengths, and reading everything with a limit. */
#include <stdlib.h>

#include "../../src/base/message.h"
#include "check.h"

/* A test source: pushes `left` chunks of "ab" each time it flows, until told to stop. */
typedef struct {
  int flows, cancels, left;
  bool async;    /* push nothing in flow: the test pushes by hand */
  bool end_when_empty;
  char reason[64];
  isl_push_t last;
} src_t;

static void src_flow(isl_body_t *b, void *data) {
  src_t *s = data;
  s->flows++;
  if (s->async) return;
  while (s->left > 0) {
    s->left--;
    s->last = isl_body_push(b, "ab", 2);
    if (s->last != ISL_PUSH_MORE) return;
  }
  if (s->end_when_empty) isl_body_end(b, NULL);
}

static void src_cancel(isl_body_t *b, void *data, const char *reason) {
  (void)b;
  src_t *s = data;
  s->cancels++;
  snprintf(s->reason, sizeof s->reason, "%s", reason);
}

static const isl_body_source_t test_src = {.flow = src_flow, .cancel = src_cancel};

/* A test reader: collects bytes, pauses after `pause_after` chunks, may cancel or drop
 * the body from inside chunk(). */
typedef struct {
  isl_buf_t got;
  int chunks, ends, pause_after;
  bool cancel_in_chunk, unref_in_chunk;
  char error[64];
  bool ended_ok;
} rd_t;

static bool rd_chunk(void *data, isl_body_t *b, const char *p, size_t n) {
  rd_t *r = data;
  r->chunks++;
  isl_buf_append(&r->got, p, n);
  if (r->cancel_in_chunk) {
    isl_body_cancel(b, "stop");
    return false;
  }
  if (r->unref_in_chunk) {
    isl_body_unref(b);
    return false;
  }
  return !(r->pause_after && r->chunks % r->pause_after == 0);
}

static void rd_end(void *data, isl_body_t *b, const char *error) {
  (void)b;
  rd_t *r = data;
  r->ends++;
  r->ended_ok = error == NULL;
  snprintf(r->error, sizeof r->error, "%s", error ? error : "");
}

static const isl_body_sink_t test_sink = {.chunk = rd_chunk, .end = rd_end};

static bool got_is(rd_t *r, const char *s) {
  return r->got.len == strlen(s) && memcmp(r->got.p, s, r->got.len) == 0;
}

static void test_flow_pause_resume(void) {
  src_t s = {.left = 5, .end_when_empty = true};
  rd_t r = {.pause_after = 2};
  isl_body_t *b = isl_body_stream_new(&test_src, &s, ISL_BODY_LENGTH_UNKNOWN);
  CHECK(isl_body_is_stream(b));
  CHECK(isl_body_length(b) == ISL_BODY_LENGTH_UNKNOWN);
  CHECK(isl_body_read(b, &test_sink, &r));
  CHECK(!isl_body_read(b, &test_sink, &r)); /* read once */
  CHECK(r.chunks == 2 && s.last == ISL_PUSH_PAUSE && s.flows == 1);
  isl_body_resume(b);
  CHECK(r.chunks == 4 && s.flows == 2 && r.ends == 0);
  isl_body_resume(b);
  isl_body_resume(b); /* not paused: nothing happens */
  CHECK(r.chunks == 5 && r.ends == 1 && r.ended_ok && s.flows == 3);
  CHECK(got_is(&r, "ababababab"));
  CHECK(s.cancels == 0);
  isl_body_unref(b);
  CHECK(s.cancels == 0); /* ended: nothing to cancel */
  isl_buf_free(&r.got);
}

static void test_pushed_before_read_is_kept(void) {
  src_t s = {.async = true};
  rd_t r = {0};
  isl_body_t *b = isl_body_stream_new(&test_src, &s, 6);
  CHECK(isl_body_length(b) == 6);
  CHECK(isl_body_push(b, "abc", 3) == ISL_PUSH_PAUSE);
  CHECK(isl_body_push(b, "de", 2) == ISL_PUSH_PAUSE);
  CHECK(isl_body_read(b, &test_sink, &r));
  /* The kept bytes come as one chunk, then the source is asked. */
  CHECK(r.chunks == 1 && got_is(&r, "abcde") && s.flows == 1);
  CHECK(isl_body_push(b, "f", 1) == ISL_PUSH_MORE);
  isl_body_end(b, NULL);
  CHECK(r.ends == 1 && r.ended_ok && got_is(&r, "abcdef"));
  isl_body_unref(b);
  isl_buf_free(&r.got);
}

static void test_end_waits_for_kept_chunks(void) {
  src_t s = {.async = true};
  rd_t r = {.pause_after = 1};
  isl_body_t *b = isl_body_stream_new(&test_src, &s, ISL_BODY_LENGTH_UNKNOWN);
  isl_body_read(b, &test_sink, &r);
  CHECK(isl_body_push(b, "a", 1) == ISL_PUSH_PAUSE);
  /* A source that cannot hold back: the chunk is kept, then the end waits behind it. */
  CHECK(isl_body_push(b, "b", 1) == ISL_PUSH_PAUSE);
  isl_body_end(b, NULL);
  CHECK(r.ends == 0 && got_is(&r, "a"));
  isl_body_resume(b);
  CHECK(got_is(&r, "ab") && r.ends == 1 && r.ended_ok);
  isl_body_unref(b);
  isl_buf_free(&r.got);
}

static void test_end_reaches_paused_reader(void) {
  src_t s = {.async = true};
  rd_t r = {.pause_after = 1};
  isl_body_t *b = isl_body_stream_new(&test_src, &s, ISL_BODY_LENGTH_UNKNOWN);
  isl_body_read(b, &test_sink, &r);
  CHECK(isl_body_push(b, "a", 1) == ISL_PUSH_PAUSE);
  isl_body_end(b, "the worker's stream errored");
  CHECK(r.ends == 1 && !r.ended_ok);
  CHECK_STR(r.error, "the worker's stream errored");
  isl_body_resume(b); /* ended: nothing more */
  CHECK(r.ends == 1 && r.chunks == 1);
  isl_body_unref(b);
  isl_buf_free(&r.got);
}

static void test_cancel_inside_chunk(void) {
  src_t s = {.left = 3};
  rd_t r = {.cancel_in_chunk = true};
  isl_body_t *b = isl_body_stream_new(&test_src, &s, ISL_BODY_LENGTH_UNKNOWN);
  isl_body_read(b, &test_sink, &r);
  /* The push answers CANCELED; cancel() is not called on top of it. */
  CHECK(s.last == ISL_PUSH_CANCELED && s.cancels == 0 && r.chunks == 1 && r.ends == 0);
  isl_body_unref(b);
  CHECK(s.cancels == 0);
  isl_buf_free(&r.got);
}

static void test_cancel_outside_push(void) {
  src_t s = {.async = true};
  rd_t r = {0};
  isl_body_t *b = isl_body_stream_new(&test_src, &s, ISL_BODY_LENGTH_UNKNOWN);
  isl_body_read(b, &test_sink, &r);
  isl_body_cancel(b, "the client disconnected");
  CHECK(s.cancels == 1);
  CHECK_STR(s.reason, "the client disconnected");
  CHECK(isl_body_push(b, "x", 1) == ISL_PUSH_CANCELED); /* a late push is refused */
  isl_body_cancel(b, "again");
  CHECK(s.cancels == 1 && r.ends == 0 && r.chunks == 0);
  isl_body_unref(b);
  CHECK(s.cancels == 1);
  isl_buf_free(&r.got);
}

static void test_unread_body_dropped(void) {
  src_t s = {.async = true};
  isl_body_t *b = isl_body_stream_new(&test_src, &s, ISL_BODY_LENGTH_UNKNOWN);
  isl_body_push(b, "kept", 4);
  isl_body_unref(b);
  CHECK(s.cancels == 1);
  CHECK_STR(s.reason, "the body was not read");
}

static void test_reader_drops_body_in_chunk(void) {
  src_t s = {.left = 3};
  rd_t r = {.unref_in_chunk = true};
  isl_body_t *b = isl_body_stream_new(&test_src, &s, ISL_BODY_LENGTH_UNKNOWN);
  isl_body_read(b, &test_sink, &r); /* the reader's reference is b's only one */
  /* Pushed inside flow(): the source learns it by cancel() once flow() has returned. */
  CHECK(s.last == ISL_PUSH_PAUSE && s.cancels == 1 && r.chunks == 1);
  isl_buf_free(&r.got);

  /* Pushed from an I/O callback: the push's answer says it, and cancel() is not called. */
  src_t s2 = {.async = true};
  rd_t r2 = {.unref_in_chunk = true};
  b = isl_body_stream_new(&test_src, &s2, ISL_BODY_LENGTH_UNKNOWN);
  isl_body_read(b, &test_sink, &r2);
  CHECK(isl_body_push(b, "x", 1) == ISL_PUSH_CANCELED);
  CHECK(s2.cancels == 0 && r2.chunks == 1);
  isl_buf_free(&r2.got);
}

static void test_declared_length(void) {
  src_t s = {.async = true};
  rd_t r = {0};
  isl_body_t *b = isl_body_stream_new(&test_src, &s, 3);
  isl_body_read(b, &test_sink, &r);
  CHECK(isl_body_push(b, "ab", 2) == ISL_PUSH_MORE);
  CHECK(isl_body_push(b, "cd", 2) == ISL_PUSH_CANCELED);
  CHECK(r.ends == 1 && !r.ended_ok);
  CHECK_STR(r.error, "the body is longer than its declared length");
  isl_body_unref(b);
  CHECK(s.cancels == 0);
  isl_buf_free(&r.got);

  src_t s2 = {.async = true};
  rd_t r2 = {0};
  b = isl_body_stream_new(&test_src, &s2, 3);
  isl_body_read(b, &test_sink, &r2);
  isl_body_push(b, "ab", 2);
  isl_body_end(b, NULL);
  CHECK(r2.ends == 1 && !r2.ended_ok);
  CHECK_STR(r2.error, "the body is shorter than its declared length");
  isl_body_unref(b);
  isl_buf_free(&r2.got);
}

typedef struct {
  int calls;
  isl_body_t *bytes;
  char error[64];
} coll_t;

static void on_collected(void *data, isl_body_t *bytes, const char *error) {
  coll_t *c = data;
  c->calls++;
  c->bytes = bytes;
  snprintf(c->error, sizeof c->error, "%s", error ? error : "");
}

static void test_collect(void) {
  src_t s = {.left = 4, .end_when_empty = true};
  coll_t c = {0};
  isl_body_t *b = isl_body_stream_new(&test_src, &s, ISL_BODY_LENGTH_UNKNOWN);
  isl_body_collect(b, 100, on_collected, &c);
  isl_body_unref(b);
  CHECK(c.calls == 1 && c.bytes && c.bytes->len == 8 && memcmp(c.bytes->data, "abababab", 8) == 0);
  CHECK(!isl_body_is_stream(c.bytes));
  isl_body_unref(c.bytes);

  src_t s2 = {.left = 10, .end_when_empty = true};
  coll_t c2 = {0};
  b = isl_body_stream_new(&test_src, &s2, ISL_BODY_LENGTH_UNKNOWN);
  isl_body_collect(b, 5, on_collected, &c2);
  CHECK(c2.calls == 1 && !c2.bytes);
  CHECK_STR(c2.error, "the body is larger than allowed");
  CHECK(s2.last == ISL_PUSH_CANCELED && s2.cancels == 0);
  isl_body_unref(b);

  coll_t c3 = {0};
  b = isl_body_copy_of("xyz", 3);
  isl_body_collect(b, 1, on_collected, &c3); /* bytes are handed over as they are */
  CHECK(c3.calls == 1 && c3.bytes == b && b->refs == 2);
  isl_body_unref(c3.bytes);
  isl_body_unref(b);
}

int main(void) {
  test_flow_pause_resume();
  test_pushed_before_read_is_kept();
  test_end_waits_for_kept_chunks();
  test_end_reaches_paused_reader();
  test_cancel_inside_chunk();
  test_cancel_outside_push();
  test_unread_body_dropped();
  test_reader_drops_body_in_chunk();
  test_declared_length();
  test_collect();
  return check_summary();
}
