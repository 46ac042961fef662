/* The Body mixin: BodyInit extraction and the readers. See body.h. */
#include <stdlib.h>
#include <string.h>

#include "../base/mime.h"
#include "../base/multipart.h"
#include "../url/urlencoded.h"
#include "api.h"
#include "blob.h"
#include "body.h"
#include "formdata.h"
#include "streams_api.h"
#include "url_api.h"

/* A UTF-8 string as a header value: each code point (all at most U+00FF in what is put
 * here: a Blob's type) becomes one byte, as "isomorphic encode" does. */
static char *isomorphic_encode(const char *s) {
  size_t n = strlen(s);
  char *out = isl_malloc(n + 1), *o = out;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c == 0xC2 || c == 0xC3) && i + 1 < n) {
      *o++ = (char)(((c & 0x03) << 6) | ((unsigned char)s[++i] & 0x3F));
    } else {
      *o++ = (char)c;
    }
  }
  *o = 0;
  return out;
}

/* FormData: the HTML multipart/form-data encoding of its entries, with a fresh boundary. */
static isl_body_t *encode_form(const isl_formdata_t *fd, char **content_type) {
  char boundary[ISL_MULTIPART_BOUNDARY_SIZE];
  isl_multipart_boundary(boundary);
  isl_mp_out_t *parts = isl_calloc(fd->n ? fd->n : 1, sizeof(*parts));
  for (size_t i = 0; i < fd->n; i++) {
    const isl_fd_entry_t *e = &fd->v[i];
    parts[i].name = e->name;
    parts[i].name_len = e->name_len;
    if (e->file) {
      parts[i].filename = e->file->name;
      parts[i].filename_len = e->file->name_len;
      parts[i].type = e->file->type;
      parts[i].data = isl_blob_bytes(e->file);
      parts[i].len = e->file->len;
    } else {
      parts[i].data = e->value;
      parts[i].len = e->value_len;
    }
  }
  isl_buf_t b = {0};
  isl_multipart_encode(&b, boundary, parts, fd->n);
  free(parts);
  isl_buf_t ct = {0};
  isl_buf_printf(&ct, "multipart/form-data; boundary=%s", boundary);
  *content_type = isl_buf_take(&ct);
  size_t len = b.len;
  return isl_body_new(isl_buf_take(&b), len);
}

bool isl_body_extract(JSContextRef ctx, JSValueRef init, isl_body_t **out, JSObjectRef *stream,
                      const char **content_type, char **ct_owned, JSValueRef *exc) {
  *out = NULL;
  *stream = NULL;
  *content_type = NULL;
  *ct_owned = NULL;
  if (JSValueIsUndefined(ctx, init) || JSValueIsNull(ctx, init)) return true;
  uint8_t *p;
  size_t n;
  isl_buf_t b = {0};
  const char *ct = NULL;
  if (JSValueIsString(ctx, init)) {
    /* USVString: UTF-8 encoded, lone surrogates become U+FFFD. */
    isl_to_utf8(ctx, init, &b, exc);
    ct = "text/plain;charset=UTF-8";
  } else if (isl_stream_is(ctx, init)) {
    /* ReadableStream: it is the body; one a reader holds or has read from cannot be. */
    if (isl_stream_locked(ctx, init) || isl_stream_disturbed(ctx, init)) {
      isl_throw_type(ctx, exc, "The ReadableStream given as a body is locked or disturbed");
      return false;
    }
    *stream = (JSObjectRef)init;
    return true;
  } else if (isl_buffer_source(ctx, init, &p, &n)) {
    /* BufferSource: a copy of the bytes held now, so later writes do not show. */
    *out = isl_body_copy_of(p, n);
    return true;
  } else if (isl_blob_priv(ctx, init)) {
    /* Blob: its bytes (never written to, so shared) and its type when it has one. */
    isl_blob_t *blob = isl_blob_priv(ctx, init);
    *out = isl_blob_body(blob);
    if (blob->type[0]) *content_type = *ct_owned = isomorphic_encode(blob->type);
    return true;
  } else if (isl_formdata_priv(ctx, init)) {
    *out = encode_form(isl_formdata_priv(ctx, init), ct_owned);
    *content_type = *ct_owned;
    return true;
  } else if (isl_urlsearchparams_serialize(ctx, init, &b)) {
    /* URLSearchParams: its application/x-www-form-urlencoded serialization. */
    ct = "application/x-www-form-urlencoded;charset=UTF-8";
  } else {
    /* Everything else that is none of BodyInit's types converts to USVString, as Web
     * IDL's union conversion does for an object when the union has a string type:
     * new Response({}) has the body "[object Object]". */
    ct = "text/plain;charset=UTF-8";
    if (!isl_to_utf8(ctx, init, &b, exc)) {
      isl_buf_free(&b);
      return false;
    }
  }
  *content_type = ct;
  size_t len = b.len;
  *out = isl_body_new(isl_buf_take(&b), len);
  return true;
}

void isl_bodystate_init(isl_bodystate_t *s, isl_body_t *body) {
  s->bytes = body;
  s->stream = NULL;
  s->present = body != NULL;
  s->used = false;
}

void isl_bodystate_set_stream(JSContextRef ctx, isl_bodystate_t *s, JSObjectRef owner,
                              JSObjectRef stream) {
  isl_body_unref(s->bytes);
  s->bytes = NULL;
  s->stream = stream;
  s->present = true;
  isl_slot_set(ctx, owner, ISL_BODY_SLOT, stream);
}

void isl_bodystate_dispose(isl_bodystate_t *s) {
  isl_body_unref(s->bytes);
  s->bytes = NULL;
  s->stream = NULL; /* the wrapper's slot held it */
}

bool isl_bodystate_unusable(JSContextRef ctx, const isl_bodystate_t *s) {
  if (!s->present) return false;
  return s->used || (s->stream && isl_stream_disturbed(ctx, s->stream));
}

bool isl_bodystate_locked(JSContextRef ctx, const isl_bodystate_t *s) {
  return s->present && s->stream && isl_stream_locked(ctx, s->stream);
}

/* Takes the bytes out (the caller owns the reference; NULL for a null body) and marks a
 * non-null body disturbed. */
static isl_body_t *take_bytes(isl_bodystate_t *s) {
  isl_body_t *b = s->bytes;
  s->bytes = NULL;
  if (s->present) s->used = true;
  return b;
}

void isl_bodystate_move(JSContextRef ctx, isl_bodystate_t *dst, JSObjectRef dst_owner,
                        isl_bodystate_t *src) {
  if (!src->present) return;
  if (src->stream) {
    /* The new body reads the same stream; the old one is used up (its `body` still is
     * that stream, as Fetch's proxy would leave it locked to the new one). */
    isl_bodystate_set_stream(ctx, dst, dst_owner, src->stream);
    src->used = true;
    return;
  }
  isl_bodystate_init(dst, take_bytes(src));
  dst->present = true;
}

bool isl_bodystate_clone(JSContextRef ctx, isl_bodystate_t *s, JSObjectRef owner,
                         isl_bodystate_t *dst, JSObjectRef dst_owner, JSValueRef *exc) {
  isl_bodystate_init(dst, NULL);
  if (!s->present) return true;
  /* A C stream can be read only once: it becomes a JS stream, which can be teed. */
  if (!s->stream && isl_body_is_stream(s->bytes) && !isl_body_get_stream(ctx, s, owner, exc))
    return false;
  if (!s->stream) {
    /* Bytes are never written to: both bodies share them. */
    dst->bytes = isl_body_ref(s->bytes);
    dst->present = true;
    return true;
  }
  /* Fetch's "clone a body": tee the stream; this body keeps the first branch. */
  JSObjectRef b1, b2;
  if (!isl_stream_tee(ctx, s->stream, &b1, &b2, exc)) return false;
  JSValueRef len = isl_slot_get(ctx, s->stream, ISL_BODY_LENGTH_SLOT);
  if (!JSValueIsUndefined(ctx, len)) {
    isl_slot_set(ctx, b1, ISL_BODY_LENGTH_SLOT, len);
    isl_slot_set(ctx, b2, ISL_BODY_LENGTH_SLOT, len);
  }
  isl_bodystate_set_stream(ctx, s, owner, b1);
  isl_bodystate_set_stream(ctx, dst, dst_owner, b2);
  return true;
}

bool isl_bodystate_to_c(JSContextRef ctx, isl_bodystate_t *s, isl_body_t **out, JSValueRef *exc) {
  *out = NULL;
  if (isl_bodystate_unusable(ctx, s)) {
    isl_throw_type(ctx, exc, "The body was already used");
    return false;
  }
  if (!s->stream) {
    *out = take_bytes(s);
    return true;
  }
  if (isl_stream_locked(ctx, s->stream)) {
    isl_throw_type(ctx, exc, "The body's ReadableStream is locked");
    return false;
  }
  *out = isl_body_from_js_stream(ctx, s->stream, exc);
  if (!*out) return false;
  s->used = true;
  return true;
}

/* Hands the body's bytes to an ArrayBuffer/Uint8Array without copying when nothing else
 * holds them (the usual case); a clone sharing them gets a copy made instead, since the
 * buffer is writable. */
static void unref_body(void *bytes, void *data) {
  (void)bytes;
  isl_body_unref(data);
}

static JSObjectRef bytes_object(JSContextRef ctx, isl_body_t *b, bool typed) {
  static const char empty;
  if (!b) {
    return typed ? isl_uint8array_new(ctx, &empty, 0) : isl_arraybuffer_new(ctx, &empty, 0);
  }
  if (b->refs > 1) {
    JSObjectRef o = typed ? isl_uint8array_new(ctx, b->data, b->len)
                          : isl_arraybuffer_new(ctx, b->data, b->len);
    isl_body_unref(b);
    return o;
  }
  if (typed)
    return JSObjectMakeTypedArrayWithBytesNoCopy(ctx, kJSTypedArrayTypeUint8Array, b->data,
                                                 b->len, unref_body, b, NULL);
  return JSObjectMakeArrayBufferWithBytesNoCopy(ctx, b->data, b->len, unref_body, b, NULL);
}

/* UTF-8 decode: a leading BOM is dropped, invalid sequences become U+FFFD. */
static JSStringRef decode_utf8(const isl_body_t *b) {
  const char *p = b ? b->data : "";
  size_t n = b ? b->len : 0;
  if (n >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
      (unsigned char)p[2] == 0xBF)
    p += 3, n -= 3;
  return isl_jsstr_n(p, n);
}

/* Header bytes as a UTF-8 string: each byte is the code point of the same value. */
static char *isomorphic_decode(const char *s) {
  isl_buf_t b = {0};
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c < 0x80) {
      isl_buf_putc(&b, (char)c);
    } else {
      isl_buf_putc(&b, (char)(0xC0 | (c >> 6)));
      isl_buf_putc(&b, (char)(0x80 | (c & 0x3F)));
    }
  }
  return isl_buf_take(&b);
}

/* application/x-www-form-urlencoded: the URL Standard's parser; every value a string. */
static void parse_urlencoded(isl_body_t *b, isl_formdata_t *fd) {
  isl_form_list_t l = {0};
  isl_urlencoded_parse(b ? b->data : "", b ? b->len : 0, &l);
  for (size_t i = 0; i < l.n; i++)
    isl_formdata_append_string(fd, l.v[i].name, l.v[i].name_len, l.v[i].value,
                               l.v[i].value_len);
  isl_form_list_dispose(&l);
}

/* Fetch's "get the MIME type": extracted from the Content-Type headers (all of them,
 * combined as "get" combines them). false: failure. */
static bool body_mime_type(const isl_headers_t *h, isl_mime_t *out) {
  isl_buf_t v = {0};
  bool found = false;
  for (size_t i = 0; h && i < h->n; i++) {
    if (strcmp(h->v[i].name, "content-type") != 0) continue;
    if (found) isl_buf_puts(&v, ", ");
    isl_buf_puts(&v, h->v[i].value);
    found = true;
  }
  bool ok = found && isl_mime_extract(out, v.p, v.len);
  isl_buf_free(&v);
  return ok;
}

/* blob(): a Blob on the body's bytes (no copy), typed by the Content-Type ("" if none). */
static JSValueRef consume_blob(JSContextRef ctx, isl_body_t *b, const isl_headers_t *h) {
  isl_mime_t m;
  isl_buf_t type = {0};
  if (body_mime_type(h, &m)) {
    isl_mime_serialize(&type, &m);
    isl_mime_dispose(&m);
  }
  size_t len = b ? b->len : 0;
  if (b && len == 0) {
    isl_body_unref(b);
    b = NULL;
  }
  isl_blob_t *blob = isl_blob_new(b, 0, len, type.p ? type.p : "");
  isl_buf_free(&type);
  return isl_blob_wrap(ctx, blob);
}

/* Bytes that should be text, as valid UTF-8 (FormData keeps scalar value strings):
 * a copy, with U+FFFD for invalid sequences; a leading BOM dropped if strip_bom. */
static char *utf8_clean(const char *p, size_t n, bool strip_bom, size_t *out_len) {
  if (strip_bom && n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3, n -= 3;
  if (isl_utf8_valid(p, n)) {
    *out_len = n;
    return isl_strndup(p, n);
  }
  size_t un;
  uint16_t *u = isl_utf8_to_utf16(p, n, &un);
  isl_buf_t b = {0};
  isl_utf16_to_utf8(&b, u, un);
  free(u);
  *out_len = b.len;
  return isl_buf_take(&b);
}

/* The entries of a multipart/form-data body. File parts share the body's bytes. */
static bool parse_multipart(isl_body_t *b, const isl_mime_t *m, isl_formdata_t *fd,
                            const char **why) {
  const char *boundary = isl_mime_param(m, "boundary");
  if (!boundary || !boundary[0]) {
    *why = "the multipart/form-data Content-Type has no boundary";
    return false;
  }
  isl_mp_parts_t parts;
  if (!isl_multipart_parse(b ? b->data : "", b ? b->len : 0, boundary, strlen(boundary),
                           &parts)) {
    *why = "the body is not valid multipart/form-data";
    return false;
  }
  for (size_t i = 0; i < parts.n; i++) {
    isl_mp_part_t *p = &parts.v[i];
    size_t nl;
    char *name = utf8_clean(p->name, p->name_len, false, &nl);
    if (p->filename) {
      /* A File named by the filename, typed by the part's Content-Type (text/plain when
       * it has none, RFC 7578 §4.4). */
      size_t fl;
      char *fname = utf8_clean(p->filename, p->filename_len, false, &fl);
      char *type = p->type ? isomorphic_decode(p->type) : isl_strdup("text/plain");
      isl_blob_t *f = isl_blob_new(p->len ? isl_body_ref(b) : NULL, p->len ? p->off : 0,
                                   p->len, type);
      f->is_file = true;
      f->name = fname;
      f->name_len = fl;
      f->last_modified = isl_blob_now_ms();
      free(type);
      isl_formdata_append_file(fd, name, nl, f);
    } else {
      /* Text: UTF-8 decoded without BOM, whatever the part's Content-Type says. */
      size_t vl;
      char *v = utf8_clean(b->data + p->off, p->len, true, &vl);
      isl_formdata_append_string(fd, name, nl, v, vl);
      free(v);
    }
    free(name);
  }
  isl_multipart_dispose(&parts);
  return true;
}

/* formData(): multipart/form-data or application/x-www-form-urlencoded, by the
 * Content-Type's essence; anything else (or a body that does not parse) is a TypeError.
 * Takes b. false with *out the error. */
static bool consume_form(JSContextRef ctx, isl_body_t *b, const isl_headers_t *h,
                         JSValueRef *out) {
  isl_mime_t m;
  const char *why = NULL;
  isl_formdata_t *fd = isl_formdata_new();
  if (!body_mime_type(h, &m)) {
    why = "the Content-Type is missing or not a valid MIME type";
  } else {
    if (isl_mime_essence_is(&m, "multipart/form-data")) {
      parse_multipart(b, &m, fd, &why);
    } else if (isl_mime_essence_is(&m, "application/x-www-form-urlencoded")) {
      parse_urlencoded(b, fd);
    } else {
      why = "the Content-Type is neither multipart/form-data nor "
            "application/x-www-form-urlencoded";
    }
    isl_mime_dispose(&m);
  }
  isl_body_unref(b);
  if (why) {
    isl_formdata_free(fd);
    isl_buf_t msg = {0};
    isl_buf_printf(&msg, "Could not parse the body as FormData: %s", why);
    *out = isl_error_new(ctx, "TypeError", msg.p);
    isl_buf_free(&msg);
    return false;
  }
  *out = isl_formdata_wrap(ctx, fd);
  return true;
}

/* Fetch's "consume body" steps after the bytes are read: complete bytes (taken; NULL reads
 * as empty) become the value kind asks for. false with *out the error. */
static bool convert(JSContextRef ctx, isl_body_t *b, const isl_headers_t *headers,
                    isl_read_kind_t kind, JSValueRef *out) {
  if (kind == ISL_READ_ARRAYBUFFER || kind == ISL_READ_BYTES) {
    *out = bytes_object(ctx, b, kind == ISL_READ_BYTES);
    return true;
  }
  if (kind == ISL_READ_BLOB) {
    *out = consume_blob(ctx, b, headers);
    return true;
  }
  if (kind == ISL_READ_FORMDATA) return consume_form(ctx, b, headers, out);
  JSStringRef str = decode_utf8(b);
  isl_body_unref(b);
  bool ok = true;
  if (kind == ISL_READ_TEXT) {
    *out = JSValueMakeString(ctx, str);
  } else {
    *out = JSValueMakeFromJSONString(ctx, str);
    if (!*out) {
      *out = isl_error_new(ctx, "SyntaxError", "Failed to parse the body as JSON");
      ok = false;
    }
  }
  JSStringRelease(str);
  return ok;
}

/* Reading a stream body: the promise's resolvers wait (protected) for the whole body. */
typedef struct {
  isl_realm_t *realm;
  JSObjectRef resolve, reject;
  isl_read_kind_t kind;
  isl_headers_t headers; /* a copy: blob() and formData() need the Content-Type */
} consume_t;

static void consume_free(consume_t *c) {
  isl_unprotect(c->realm->ctx, c->resolve);
  isl_unprotect(c->realm->ctx, c->reject);
  isl_headers_dispose(&c->headers);
  free(c);
}

static void on_collected(JSContextRef ctx, void *data, isl_body_t *body, JSValueRef error) {
  consume_t *c = data;
  if (!ctx) {
    /* The realm is being torn down: nobody waits any more. */
    consume_free(c);
    return;
  }
  JSValueRef v = error;
  bool ok = body && convert(ctx, body, &c->headers, c->kind, &v);
  if (!v) v = JSValueMakeUndefined(ctx);
  isl_call(ctx, ok ? c->resolve : c->reject, NULL, 1, &v, NULL);
  consume_free(c);
}

static JSValueRef consume_stream(JSContextRef ctx, JSObjectRef stream,
                                 const isl_headers_t *headers, isl_read_kind_t kind) {
  consume_t *c = isl_calloc(1, sizeof(*c));
  c->realm = isl_realm_of(ctx);
  c->kind = kind;
  if (headers) isl_headers_copy(&c->headers, headers);
  JSObjectRef p = isl_promise_new(ctx, &c->resolve, &c->reject);
  isl_protect(ctx, c->resolve);
  isl_protect(ctx, c->reject);
  JSValueRef exc = NULL;
  if (!isl_stream_collect(ctx, stream, ISL_BODY_READ_LIMIT, on_collected, c, &exc)) {
    isl_call(ctx, c->reject, NULL, 1, &exc, NULL);
    consume_free(c);
  }
  return p;
}

JSValueRef isl_body_consume(JSContextRef ctx, isl_bodystate_t *s, JSObjectRef owner,
                            const isl_headers_t *headers, isl_read_kind_t kind) {
  /* 1. If this is unusable, return a promise rejected with a TypeError. */
  if (isl_bodystate_unusable(ctx, s))
    return isl_promise_rejected(ctx, isl_error_new(ctx, "TypeError", "Body has already been used"));
  /* A C stream is read through its JS stream, made now. */
  JSValueRef exc = NULL;
  if (!s->stream && isl_body_is_stream(s->bytes) && !isl_body_get_stream(ctx, s, owner, &exc))
    return isl_promise_rejected(ctx, exc);
  if (s->stream) {
    /* 2-4. Fully read the stream: a locked one cannot be (getting a reader throws). */
    if (isl_stream_locked(ctx, s->stream))
      return isl_promise_rejected(
          ctx, isl_error_new(ctx, "TypeError", "The body's ReadableStream is locked"));
    return consume_stream(ctx, s->stream, headers, kind);
  }
  /* 2-5. Complete bytes (a null body reads as empty), converted at once. */
  JSValueRef v;
  bool ok = convert(ctx, take_bytes(s), headers, kind, &v);
  return ok ? isl_promise_resolved(ctx, v) : isl_promise_rejected(ctx, v);
}

/* A reader that only holds the lock of a stream that was consumed before it was made. */
static bool lock_chunk(JSContextRef ctx, isl_rreader_t *r, void *data, const uint8_t *p, size_t n) {
  (void)ctx, (void)r, (void)data, (void)p, (void)n;
  return false;
}

static void lock_end(JSContextRef ctx, isl_rreader_t *r, void *data, isl_rread_end_t how,
                     JSValueRef error) {
  (void)ctx, (void)r, (void)data, (void)how, (void)error;
}

static const isl_rreader_ops_t lock_ops = {lock_chunk, lock_end, true};

JSValueRef isl_body_get_stream(JSContextRef ctx, isl_bodystate_t *s, JSObjectRef owner,
                               JSValueRef *exc) {
  (void)exc;
  if (!s->present) return JSValueMakeNull(ctx);
  if (s->stream) return s->stream;
  JSObjectRef stream;
  if (s->used) {
    /* Read or handed on before anyone asked for the stream: it is an empty one, already
     * disturbed (bodyUsed stays true) and locked, as the stream that was read would be. */
    stream = isl_body_js_stream(ctx, NULL);
    isl_stream_cancel(ctx, stream, NULL);
    JSValueRef e = NULL;
    isl_rreader_new(ctx, stream, &lock_ops, NULL, &e);
  } else {
    stream = isl_body_js_stream(ctx, s->bytes);
  }
  isl_bodystate_set_stream(ctx, s, owner, stream);
  return stream;
}

/* The mixin has no class of its own: Request and Response install its methods. */
void isl_api_body_install(isl_realm_t *r) { (void)r; }
