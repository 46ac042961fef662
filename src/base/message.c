#include "message.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void isl_headers_add(isl_headers_t *h, const char *name, size_t nlen, const char *value,
                     size_t vlen) {
  if (h->n == h->cap) {
    h->cap = h->cap ? h->cap * 2 : 8;
    h->v = isl_realloc(h->v, h->cap * sizeof(*h->v));
  }
  /* Name and value share one allocation: a header costs one malloc, not two. */
  char *p = isl_malloc(nlen + vlen + 2);
  memcpy(p, name, nlen);
  p[nlen] = 0;
  if (vlen) memcpy(p + nlen + 1, value, vlen);
  p[nlen + 1 + vlen] = 0;
  h->v[h->n].name = p;
  h->v[h->n].value = p + nlen + 1;
  h->n++;
}

void isl_header_set_value(isl_header_t *e, const char *value, size_t vlen) {
  size_t nlen = strlen(e->name);
  char *p = isl_realloc(e->name, nlen + vlen + 2);
  if (vlen) memcpy(p + nlen + 1, value, vlen);
  p[nlen + 1 + vlen] = 0;
  e->name = p;
  e->value = p + nlen + 1;
}

void isl_header_free(isl_header_t *e) {
  free(e->name);
  e->name = e->value = NULL;
}

void isl_headers_add_trimmed(isl_headers_t *h, const char *name, size_t nlen, const char *value,
                             size_t vlen) {
  const char *v = value ? value : "";
  while (vlen && (*v == ' ' || *v == '\t')) v++, vlen--;
  while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t')) vlen--;
  isl_headers_add(h, name ? name : "", nlen, v, vlen);
}

const char *isl_headers_get(const isl_headers_t *h, const char *name) {
  for (size_t i = 0; i < h->n; i++)
    if (strcasecmp(h->v[i].name, name) == 0) return h->v[i].value;
  return NULL;
}

void isl_headers_remove(isl_headers_t *h, const char *name) {
  size_t o = 0;
  for (size_t i = 0; i < h->n; i++) {
    if (strcasecmp(h->v[i].name, name) == 0) {
      isl_header_free(&h->v[i]);
    } else {
      h->v[o++] = h->v[i];
    }
  }
  h->n = o;
}

void isl_headers_copy(isl_headers_t *dst, const isl_headers_t *src) {
  for (size_t i = 0; i < src->n; i++)
    isl_headers_add(dst, src->v[i].name, strlen(src->v[i].name), src->v[i].value,
                    strlen(src->v[i].value));
}

void isl_headers_dispose(isl_headers_t *h) {
  for (size_t i = 0; i < h->n; i++) isl_header_free(&h->v[i]);
  free(h->v);
  h->v = NULL;
  h->n = h->cap = 0;
}

isl_body_t *isl_body_new(char *data, size_t len) {
  isl_body_t *b = isl_malloc(sizeof(*b));
  b->refs = 1;
  b->len = len;
  b->data = data ? data : isl_malloc(1);
  return b;
}

isl_body_t *isl_body_copy_of(const void *data, size_t len) {
  char *p = isl_malloc(len + 1);
  if (len) memcpy(p, data, len);
  p[len] = 0;
  return isl_body_new(p, len);
}

isl_body_t *isl_body_ref(isl_body_t *b) {
  if (b) b->refs++;
  return b;
}

void isl_body_unref(isl_body_t *b) {
  if (!b || --b->refs > 0) return;
  free(b->data);
  free(b);
}

isl_request_t *isl_request_new(const char *method, const char *url) {
  isl_request_t *r = isl_calloc(1, sizeof(*r));
  r->method = isl_strdup(method);
  r->url = isl_strdup(url);
  return r;
}

void isl_request_free(isl_request_t *r) {
  if (!r) return;
  free(r->method);
  free(r->url);
  isl_headers_dispose(&r->headers);
  isl_body_unref(r->body);
  isl_cancel_unref(r->cancel);
  free(r);
}

isl_response_t *isl_response_new(int status) {
  isl_response_t *r = isl_calloc(1, sizeof(*r));
  r->status = status;
  return r;
}

void isl_response_free(isl_response_t *r) {
  if (!r) return;
  free(r->status_text);
  free(r->error);
  free(r->url);
  isl_headers_dispose(&r->headers);
  isl_body_unref(r->body);
  free(r);
}

isl_response_t *isl_response_network_error(const char *msg) {
  isl_response_t *r = isl_response_text(502, msg);
  r->error = isl_strdup(msg);
  return r;
}

isl_cancel_t *isl_cancel_new(void) {
  isl_cancel_t *c = isl_calloc(1, sizeof(*c));
  c->refs = 1;
  return c;
}

isl_cancel_t *isl_cancel_ref(isl_cancel_t *c) {
  if (c) c->refs++;
  return c;
}

void isl_cancel_unref(isl_cancel_t *c) {
  if (c && --c->refs == 0) free(c);
}

void isl_cancel_on(isl_cancel_t *c, void (*fn)(void *data), void *data) {
  c->fn = fn;
  c->data = data;
}

void isl_cancel_fire(isl_cancel_t *c) {
  if (c->fired) return;
  c->fired = true;
  void (*fn)(void *) = c->fn;
  c->fn = NULL;
  if (fn) fn(c->data);
}

isl_response_t *isl_response_text(int status, const char *text) {
  isl_response_t *r = isl_response_new(status);
  isl_headers_add(&r->headers, "content-type", 12, "text/plain;charset=UTF-8", 24);
  r->body = isl_body_copy_of(text, strlen(text));
  return r;
}

const char *isl_status_reason(int s) {
  switch (s) {
  case 100: return "Continue";
  case 101: return "Switching Protocols";
  case 200: return "OK";
  case 201: return "Created";
  case 202: return "Accepted";
  case 203: return "Non-Authoritative Information";
  case 204: return "No Content";
  case 205: return "Reset Content";
  case 206: return "Partial Content";
  case 300: return "Multiple Choices";
  case 301: return "Moved Permanently";
  case 302: return "Found";
  case 303: return "See Other";
  case 304: return "Not Modified";
  case 307: return "Temporary Redirect";
  case 308: return "Permanent Redirect";
  case 400: return "Bad Request";
  case 401: return "Unauthorized";
  case 402: return "Payment Required";
  case 403: return "Forbidden";
  case 404: return "Not Found";
  case 405: return "Method Not Allowed";
  case 406: return "Not Acceptable";
  case 408: return "Request Timeout";
  case 409: return "Conflict";
  case 410: return "Gone";
  case 411: return "Length Required";
  case 412: return "Precondition Failed";
  case 413: return "Content Too Large";
  case 414: return "URI Too Long";
  case 415: return "Unsupported Media Type";
  case 416: return "Range Not Satisfiable";
  case 417: return "Expectation Failed";
  case 418: return "I'm a teapot";
  case 421: return "Misdirected Request";
  case 422: return "Unprocessable Content";
  case 425: return "Too Early";
  case 426: return "Upgrade Required";
  case 428: return "Precondition Required";
  case 429: return "Too Many Requests";
  case 431: return "Request Header Fields Too Large";
  case 451: return "Unavailable For Legal Reasons";
  case 500: return "Internal Server Error";
  case 501: return "Not Implemented";
  case 502: return "Bad Gateway";
  case 503: return "Service Unavailable";
  case 504: return "Gateway Timeout";
  case 505: return "HTTP Version Not Supported";
  default: return "";
  }
}
