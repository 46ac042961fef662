/* CompressionStream and DecompressionStream (Compression Standard,
 * https://compression.spec.whatwg.org/) for the formats "deflate" (RFC 1950, zlib),
 * "deflate-raw" (RFC 1951) and "gzip" (RFC 1952), with zlib.
 *
 * Each is a GenericTransformStream over a TransformStream whose transform and flush
 * algorithms are the C functions below (isl_transform_stream_new_c). Output leaves as zlib
 * makes it, in Uint8Arrays of at most 64 KiB: a full buffer is handed to JS without a
 * copy, a last partial one is copied to its size. Nothing is held back between chunks
 * beyond zlib's own state, so a stream of any length runs in bounded memory as far as
 * its reader keeps up (one chunk's output is still enqueued whole, as the standard says).
 *
 * Decompression errors are TypeErrors that error the stream: corrupt data, data after the
 * end of the compressed stream (in the same chunk or a later one), and a stream closed
 * before its end. zlib's state is freed when the stream finishes (flushed, errored,
 * canceled, aborted) or, for one abandoned unfinished, when it is garbage-collected
 * (isl_transform_ops_t.release).
 *
 * Not like the standard: chunks in a SharedArrayBuffer are refused like any other
 * non-BufferSource (the standard refuses them too, but isl_buffer_source cannot tell them
 * apart from other unreadable buffers). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "api.h"
#include "streams_api.h"

/* The most bytes one output chunk holds. */
#define OUT_CHUNK (64 * 1024)

/* What zlib's state costs (zlib's zconf.h: deflate (1 << (windowBits + 2)) +
 * (1 << (memLevel + 9)), inflate 1 << windowBits, plus the state itself) and our output
 * buffer, roughly. */
#define DEFLATE_COST ((1 << 17) + (1 << 17) + 8192 + OUT_CHUNK)
#define INFLATE_COST ((1 << 15) + 8192 + OUT_CHUNK)

/* zlib takes at most UINT_MAX input bytes per call: larger chunks go in slices. */
#define IN_SLICE ((size_t)1 << 30)

typedef struct {
  const char *name;
  int window_bits; /* zlib's windowBits: 15 zlib wrapper, -15 raw, 15 + 16 gzip only */
} format_t;

static const format_t FORMATS[] = {
    {"deflate", 15},
    {"deflate-raw", -15},
    {"gzip", 15 + 16},
};

/* One stream's zlib state. */
typedef struct {
  z_stream z;
  bool inflate; /* a DecompressionStream */
  bool ended;   /* inflate: the end of the compressed data was reached */
  uint8_t *out; /* the output buffer (OUT_CHUNK bytes), made on first use */
  const char *iface;
} zstate_t;

static void zstate_release(void *data) {
  zstate_t *st = data;
  if (st->inflate) inflateEnd(&st->z);
  else deflateEnd(&st->z);
  free(st->out);
  free(st);
}

static void free_bytes(void *bytes, void *unused) {
  (void)unused;
  free(bytes);
}

/* Enqueues the first used bytes of the output buffer: a full buffer itself (a new one is
 * made for what follows), a partial one as a copy of its size. */
static bool emit(JSContextRef ctx, zstate_t *st, size_t used, JSObjectRef controller,
                 JSValueRef *exc) {
  JSObjectRef chunk;
  if (used == OUT_CHUNK) {
    chunk = JSObjectMakeTypedArrayWithBytesNoCopy(ctx, kJSTypedArrayTypeUint8Array, st->out,
                                                  used, free_bytes, NULL, NULL);
    st->out = NULL;
  } else {
    chunk = isl_uint8array_new(ctx, st->out, used);
  }
  return isl_transform_controller_enqueue(ctx, controller, chunk, exc);
}

/* Runs zlib over p[0..n) (finish: deflate's end, Z_FINISH) and enqueues its output as it
 * fills buffers. Enqueuing may run user code (a reader's promise resolved with a chunk
 * looks up `then`), which could detach or shrink the chunk's buffer: before the first
 * enqueue that happens while input is left, the rest of the input is copied. */
static bool zrun(JSContextRef ctx, zstate_t *st, const uint8_t *p, size_t n, bool finish,
                 JSObjectRef controller, JSValueRef *exc) {
  z_stream *z = &st->z;
  uint8_t *copy = NULL;
  size_t left = n; /* input not yet given to zlib */
  size_t used = 0; /* bytes of the output buffer filled */
  bool ok = true;
  z->avail_in = 0;
  for (;;) {
    if (z->avail_in == 0 && left > 0) {
      size_t slice = left < IN_SLICE ? left : IN_SLICE;
      z->next_in = (Bytef *)p;
      z->avail_in = (uInt)slice;
      p += slice;
      left -= slice;
    }
    if (!st->out) st->out = isl_malloc(OUT_CHUNK);
    z->next_out = st->out + used;
    z->avail_out = (uInt)(OUT_CHUNK - used);
    int ret = st->inflate ? inflate(z, Z_NO_FLUSH) : deflate(z, finish ? Z_FINISH : Z_NO_FLUSH);
    used = OUT_CHUNK - z->avail_out;
    if (ret == Z_STREAM_END) {
      st->ended = true;
      break;
    }
    if (ret != Z_OK && ret != Z_BUF_ERROR) {
      /* Z_DATA_ERROR (corrupt), Z_NEED_DICT (a preset dictionary the format does not
       * allow), Z_MEM_ERROR. */
      const char *why = ret == Z_NEED_DICT ? "it needs a preset dictionary"
                        : z->msg            ? z->msg
                                            : "zlib error";
      isl_throw_type(ctx, exc, "%s: the compressed data is invalid (%s)", st->iface, why);
      ok = false;
      break;
    }
    if (used == OUT_CHUNK) {
      /* More may follow: hand the full buffer over and go on. */
      if (z->avail_in + left > 0 && !copy) {
        size_t rest = z->avail_in + left;
        copy = isl_malloc(rest);
        memcpy(copy, z->next_in, z->avail_in);
        memcpy(copy + z->avail_in, p, left);
        z->next_in = copy;
        p = copy + z->avail_in;
      }
      used = 0;
      if (!emit(ctx, st, OUT_CHUNK, controller, exc)) {
        ok = false;
        break;
      }
      continue;
    }
    /* The output buffer has room, so zlib has taken all the input it was given; at the
     * end (finish) it stops only with Z_STREAM_END, unless it can make no progress. */
    if (ret == Z_BUF_ERROR || (z->avail_in == 0 && left == 0 && !finish)) break;
  }
  /* 3. (decompression) If the end of the compressed input has been reached and the chunk
   * was not fully consumed, throw a TypeError. */
  if (ok && st->inflate && st->ended && z->avail_in + left > 0) {
    isl_throw_type(ctx, exc, "%s: there is data after the end of the compressed stream",
                   st->iface);
    ok = false;
  }
  if (ok && used > 0) ok = emit(ctx, st, used, controller, exc);
  free(copy);
  return ok;
}

/* The chunk's bytes, or a TypeError. */
static bool chunk_bytes(JSContextRef ctx, zstate_t *st, JSValueRef chunk, uint8_t **p, size_t *n,
                        JSValueRef *exc) {
  /* 1. If chunk is not a BufferSource type, then throw a TypeError. */
  if (isl_buffer_source(ctx, chunk, p, n)) return true;
  isl_throw_type(ctx, exc, "%s: a chunk written to it must be an ArrayBuffer or "
                           "ArrayBufferView",
                 st->iface);
  return false;
}

/* "Compress and enqueue a chunk". */
static bool compress_transform(JSContextRef ctx, void *data, JSValueRef chunk,
                               JSObjectRef controller, JSValueRef *exc) {
  zstate_t *st = data;
  uint8_t *p;
  size_t n;
  if (!chunk_bytes(ctx, st, chunk, &p, &n, exc)) return false;
  return n == 0 || zrun(ctx, st, p, n, false, controller, exc);
}

/* "Compress flush and enqueue": the end of the format (final block, trailer). */
static bool compress_flush(JSContextRef ctx, void *data, JSObjectRef controller,
                           JSValueRef *exc) {
  return zrun(ctx, data, NULL, 0, true, controller, exc);
}

/* "Decompress and enqueue a chunk". */
static bool decompress_transform(JSContextRef ctx, void *data, JSValueRef chunk,
                                 JSObjectRef controller, JSValueRef *exc) {
  zstate_t *st = data;
  uint8_t *p;
  size_t n;
  if (!chunk_bytes(ctx, st, chunk, &p, &n, exc)) return false;
  if (n == 0) return true;
  if (st->ended) {
    isl_throw_type(ctx, exc, "%s: there is data after the end of the compressed stream",
                   st->iface);
    return false;
  }
  return zrun(ctx, st, p, n, false, controller, exc);
}

/* "Decompress flush and enqueue": all output has been enqueued already; what is left to
 * check is that the compressed data was complete. */
static bool decompress_flush(JSContextRef ctx, void *data, JSObjectRef controller,
                             JSValueRef *exc) {
  (void)controller;
  zstate_t *st = data;
  if (st->ended) return true;
  isl_throw_type(ctx, exc, "%s: the compressed data ended before the end of its stream",
                 st->iface);
  return false;
}

static const isl_transform_ops_t compress_ops = {
    .transform = compress_transform,
    .flush = compress_flush,
    .release = zstate_release,
};

static const isl_transform_ops_t decompress_ops = {
    .transform = decompress_transform,
    .flush = decompress_flush,
    .release = zstate_release,
};

/* ---- The classes ------------------------------------------------------------------------ */

static isl_class_def_t compression_def, decompression_def;

/* The CompressionFormat enum: an exact match after ToString, else a TypeError. */
static const format_t *format_arg(JSContextRef ctx, size_t argc, const JSValueRef argv[],
                                  const char *iface, JSValueRef *exc) {
  if (argc < 1) {
    isl_throw_type(ctx, exc,
                   "Failed to construct '%s': 1 argument required, but only 0 present.", iface);
    return NULL;
  }
  isl_buf_t name = {0};
  if (!isl_to_utf8(ctx, argv[0], &name, exc)) {
    isl_buf_free(&name);
    return NULL;
  }
  const format_t *found = NULL;
  for (size_t i = 0; i < sizeof(FORMATS) / sizeof(FORMATS[0]); i++)
    if (name.p && strlen(FORMATS[i].name) == name.len && !memcmp(FORMATS[i].name, name.p, name.len))
      found = &FORMATS[i];
  if (!found)
    isl_throw_type(ctx, exc,
                   "Failed to construct '%s': The provided value '%s' is not a valid enum value "
                   "of type CompressionFormat.",
                   iface, name.p ? name.p : "");
  isl_buf_free(&name);
  return found;
}

/* The constructors' common steps: the format, zlib's state, the transform. */
static JSObjectRef construct(JSContextRef ctx, isl_class_def_t *def, JSObjectRef new_target,
                             size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  bool inflating = def == &decompression_def;
  const format_t *f = format_arg(ctx, argc, argv, def->name, exc);
  if (!f) return NULL;
  zstate_t *st = isl_calloc(1, sizeof(*st));
  st->inflate = inflating;
  st->iface = def->name;
  int ret = inflating ? inflateInit2(&st->z, f->window_bits)
                      : deflateInit2(&st->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, f->window_bits,
                                     8, Z_DEFAULT_STRATEGY);
  if (ret != Z_OK) {
    free(st);
    return (JSObjectRef)isl_throw_type(ctx, exc, "Failed to construct '%s': zlib could not start "
                                                 "(%d)",
                                       def->name, ret);
  }
  /* The wrapper's private pointer is its format (static): nothing to free. */
  JSObjectRef self = isl_wrap_new(ctx, def, (void *)f, new_target);
  isl_generic_transform_init(ctx, self, inflating ? &decompress_ops : &compress_ops, st);
  /* An abandoned unfinished stream is freed only by the collector, which does not see
   * zlib's memory: tell it, or thousands could pile up between collections. */
  JSReportExtraMemoryCost(ctx, inflating ? INFLATE_COST : DEFLATE_COST);
  return self;
}

static JSObjectRef js_compression_new(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                      const JSValueRef argv[], JSValueRef *exc) {
  return construct(ctx, &compression_def, new_target, argc, argv, exc);
}

static JSObjectRef js_decompression_new(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                        const JSValueRef argv[], JSValueRef *exc) {
  return construct(ctx, &decompression_def, new_target, argc, argv, exc);
}

static JSValueRef js_compression_readable(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                          size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  if (!isl_unwrap(ctx, this_obj, &compression_def, exc)) return NULL;
  return isl_generic_transform_readable(ctx, this_obj);
}

static JSValueRef js_compression_writable(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                          size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  if (!isl_unwrap(ctx, this_obj, &compression_def, exc)) return NULL;
  return isl_generic_transform_writable(ctx, this_obj);
}

static JSValueRef js_decompression_readable(JSContextRef ctx, JSObjectRef fn,
                                            JSObjectRef this_obj, size_t argc,
                                            const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  if (!isl_unwrap(ctx, this_obj, &decompression_def, exc)) return NULL;
  return isl_generic_transform_readable(ctx, this_obj);
}

static JSValueRef js_decompression_writable(JSContextRef ctx, JSObjectRef fn,
                                            JSObjectRef this_obj, size_t argc,
                                            const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  if (!isl_unwrap(ctx, this_obj, &decompression_def, exc)) return NULL;
  return isl_generic_transform_writable(ctx, this_obj);
}

static const isl_accessor_t compression_accessors[] = {
    {"readable", js_compression_readable, NULL},
    {"writable", js_compression_writable, NULL},
    {0},
};

static const isl_accessor_t decompression_accessors[] = {
    {"readable", js_decompression_readable, NULL},
    {"writable", js_decompression_writable, NULL},
    {0},
};

static isl_class_def_t compression_def = {
    .name = "CompressionStream",
    .construct = js_compression_new,
    .length = 1,
    .accessors = compression_accessors,
};

static isl_class_def_t decompression_def = {
    .name = "DecompressionStream",
    .construct = js_decompression_new,
    .length = 1,
    .accessors = decompression_accessors,
};

void isl_api_compressionstream_install(isl_realm_t *r) {
  isl_class_install(r, &compression_def);
  isl_class_install(r, &decompression_def);
}
