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

bool isl_body_extract(JSContextRef ctx, JSValueRef init, isl_body_t **out,
                      char **content_type, JSValueRef *exc) {
  *out = NULL;
  *content_type = NULL;
  if (JSValueIsUndefined(ctx, init) || JSValueIsNull(ctx, init)) return true;
  uint8_t *p;
  size_t n;
  isl_buf_t b = {0};
  const char *ct = NULL;
  if (JSValueIsString(ctx, init)) {
    /* USVString: UTF-8 encoded, lone surrogates become U+FFFD. */
    isl_to_utf8(ctx, init, &b, exc);
    ct = "text/plain;charset=UTF-8";
  } else if (isl_buffer_source(ctx, init, &p, &n)) {
    /* BufferSource: a copy of the bytes held now, so later writes do not show. */
    *out = isl_body_copy_of(p, n);
    return true;
  } else if (isl_blob_priv(ctx, init)) {
    /* Blob: its bytes (never written to, so shared) and its type when it has one. */
    isl_blob_t *blob = isl_blob_priv(ctx, init);
    *out = isl_blob_body(blob);
    if (blob->type[0]) *content_type = isomorphic_encode(blob->type);
    return true;
  } else if (isl_formdata_priv(ctx, init)) {
    *out = encode_form(isl_formdata_priv(ctx, init), content_type);
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
  *content_type = isl_strdup(ct);
  size_t len = b.len;
  *out = isl_body_new(isl_buf_take(&b), len);
  return true;
}

void isl_bodystate_init(isl_bodystate_t *s, isl_body_t *body) {
  s->bytes = body;
  s->present = body != NULL;
  s->used = false;
}

void isl_bodystate_dispose(isl_bodystate_t *s) {
  isl_body_unref(s->bytes);
  s->bytes = NULL;
}

bool isl_bodystate_unusable(const isl_bodystate_t *s) { return s->present && s->used; }

isl_body_t *isl_bodystate_take(isl_bodystate_t *s) {
  isl_body_t *b = s->bytes;
  s->bytes = NULL;
  if (s->present) s->used = true;
  return b;
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
 * Content-Type's essence; anything else (or a body that does not parse) is a TypeError. */
static JSValueRef consume_form(JSContextRef ctx, isl_body_t *b, const isl_headers_t *h) {
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
    JSObjectRef err = isl_error_new(ctx, "TypeError", msg.p);
    isl_buf_free(&msg);
    return isl_promise_rejected(ctx, err);
  }
  return isl_promise_resolved(ctx, isl_formdata_wrap(ctx, fd));
}

JSValueRef isl_body_consume(JSContextRef ctx, isl_bodystate_t *s, const isl_headers_t *headers,
                            isl_read_kind_t kind) {
  /* 1. If this is unusable, return a promise rejected with a TypeError. */
  if (isl_bodystate_unusable(s))
    return isl_promise_rejected(ctx, isl_error_new(ctx, "TypeError", "Body has already been used"));
  /* 2-5. Read all bytes (a null body reads as empty), then convert. */
  isl_body_t *b = isl_bodystate_take(s);
  JSValueRef v = NULL;
  if (kind == ISL_READ_ARRAYBUFFER || kind == ISL_READ_BYTES)
    return isl_promise_resolved(ctx, bytes_object(ctx, b, kind == ISL_READ_BYTES));
  if (kind == ISL_READ_BLOB) return isl_promise_resolved(ctx, consume_blob(ctx, b, headers));
  if (kind == ISL_READ_FORMDATA) return consume_form(ctx, b, headers);
  JSStringRef str = decode_utf8(b);
  isl_body_unref(b);
  if (kind == ISL_READ_TEXT) {
    v = JSValueMakeString(ctx, str);
  } else {
    v = JSValueMakeFromJSONString(ctx, str);
    if (!v) {
      JSStringRelease(str);
      return isl_promise_rejected(
          ctx, isl_error_new(ctx, "SyntaxError", "Failed to parse the body as JSON"));
    }
  }
  JSStringRelease(str);
  return isl_promise_resolved(ctx, v);
}

JSValueRef isl_body_get_stream(JSContextRef ctx, isl_bodystate_t *s, JSValueRef *exc) {
  if (!s->present) return JSValueMakeNull(ctx);
  return isl_throw_type(ctx, exc,
                        "ReadableStream bodies are not supported yet; use text(), json(), "
                        "arrayBuffer() or bytes()");
}

/* The mixin has no class of its own: Request and Response install its methods. */
void isl_api_body_install(isl_realm_t *r) { (void)r; }
