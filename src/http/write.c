/* Response heads: whatever framing headers the worker set are replaced by correct ones.
 * Complete bytes, and a stream whose length is known, are framed by Content-Length; a
 * stream of unknown length by chunked transfer coding in HTTP/1.1, and by closing the
 * connection in HTTP/1.0. */
#include <string.h>
#include <strings.h>

#include "internal.h"

/* RFC 9110 token characters, for header names. */
static bool is_tchar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool valid_name(const char *s) {
  if (!*s) return false;
  for (; *s; s++)
    if (!is_tchar((unsigned char)*s)) return false;
  return true;
}

/* A value with CR, LF or NUL would end the header line early: response splitting. */
static bool valid_value(const char *s) { return strpbrk(s, "\r\n") == NULL; }

static bool is_framing(const char *name) {
  return strcasecmp(name, "content-length") == 0 || strcasecmp(name, "transfer-encoding") == 0 ||
         strcasecmp(name, "connection") == 0 || strcasecmp(name, "keep-alive") == 0;
}

isl_http_frame_t isl_http_framing(const isl_response_t *res, int http_minor) {
  int status = res->status;
  /* 1xx, 204 and 304 never have a body (RFC 9112 §6.3). */
  if (status < 200 || status == 204 || status == 304) return ISL_FRAME_NONE;
  if (!isl_body_is_stream(res->body) || isl_body_length(res->body) >= 0) return ISL_FRAME_LENGTH;
  return http_minor >= 1 ? ISL_FRAME_CHUNKED : ISL_FRAME_CLOSE;
}

size_t isl_http_write_head(isl_buf_t *out, const isl_response_t *res, bool head_request,
                           bool keep_alive, int http_minor) {
  int status = res->status;
  const char *reason = res->status_text;
  if (!reason || !valid_value(reason)) reason = isl_status_reason(status);
  /* No printf on this path: it runs for every response. */
  isl_buf_reserve(out, 256);
  char code[4] = {(char)('0' + status / 100 % 10), (char)('0' + status / 10 % 10),
                  (char)('0' + status % 10), ' '};
  isl_buf_append(out, "HTTP/1.1 ", 9);
  isl_buf_append(out, code, 4);
  isl_buf_puts(out, reason);
  isl_buf_append(out, "\r\n", 2);

  bool have_date = false;
  for (size_t i = 0; i < res->headers.n; i++) {
    const isl_header_t *h = &res->headers.v[i];
    if (is_framing(h->name) || !valid_name(h->name) || !valid_value(h->value)) continue;
    if (strcasecmp(h->name, "date") == 0) have_date = true;
    isl_buf_puts(out, h->name);
    isl_buf_append(out, ": ", 2);
    isl_buf_puts(out, h->value);
    isl_buf_append(out, "\r\n", 2);
  }
  if (!have_date) {
    isl_buf_append(out, "Date: ", 6);
    isl_buf_puts(out, isl_http_date());
    isl_buf_append(out, "\r\n", 2);
  }

  /* Content-Length is, for HEAD, the length of the body a GET would get; a HEAD of a
   * body whose length is unknown says nothing about it (RFC 9110 §9.3.2 allows leaving
   * out what is only known while producing the content). */
  isl_http_frame_t frame = isl_http_framing(res, http_minor);
  bool no_body = frame == ISL_FRAME_NONE;
  size_t body_len = res->body && !res->body->stream ? res->body->len : 0;
  if (frame == ISL_FRAME_CHUNKED && !head_request)
    isl_buf_puts(out, "Transfer-Encoding: chunked\r\n");
  if (frame == ISL_FRAME_LENGTH) {
    char digits[24];
    int k = (int)sizeof(digits);
    uint64_t v = res->body && res->body->stream ? (uint64_t)isl_body_length(res->body) : body_len;
    do {
      digits[--k] = (char)('0' + v % 10);
      v /= 10;
    } while (v);
    isl_buf_append(out, "Content-Length: ", 16);
    isl_buf_append(out, digits + k, sizeof(digits) - (size_t)k);
    isl_buf_append(out, "\r\n", 2);
  }
  if (!keep_alive)
    isl_buf_puts(out, "Connection: close\r\n");
  else if (http_minor == 0)
    isl_buf_puts(out, "Connection: keep-alive\r\n");
  isl_buf_append(out, "\r\n", 2);
  return (no_body || head_request) ? 0 : body_len; /* a stream is written as it comes */
}
