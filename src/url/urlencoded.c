/* application/x-www-form-urlencoded parsing and serializing (URL Standard §5.1, §5.2). */
#include "urlencoded.h"

#include <stdlib.h>
#include <string.h>

#include "percent.h"

void isl_form_list_add(isl_form_list_t *l, const char *name, size_t name_len,
                       const char *value, size_t value_len) {
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 8;
    l->v = isl_realloc(l->v, l->cap * sizeof(*l->v));
  }
  isl_form_pair_t *p = &l->v[l->n++];
  p->name = isl_strndup(name ? name : "", name_len);
  p->value = isl_strndup(value ? value : "", value_len);
  p->name_len = name_len;
  p->value_len = value_len;
}

void isl_form_list_remove(isl_form_list_t *l, size_t i) {
  free(l->v[i].name);
  free(l->v[i].value);
  memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(*l->v));
  l->n--;
}

void isl_form_list_clear(isl_form_list_t *l) {
  for (size_t i = 0; i < l->n; i++) {
    free(l->v[i].name);
    free(l->v[i].value);
  }
  l->n = 0;
}

void isl_form_list_dispose(isl_form_list_t *l) {
  isl_form_list_clear(l);
  free(l->v);
  l->v = NULL;
  l->cap = 0;
}

/* "+" → space, percent-decode, UTF-8 decode without BOM; appended to out. */
static void decode_part(const char *s, size_t n, isl_buf_t *scratch, isl_buf_t *out) {
  scratch->len = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '+') {
      c = ' ';
    } else if (c == '%' && i + 2 < n && isl_is_hex((unsigned char)s[i + 1]) &&
               isl_is_hex((unsigned char)s[i + 2])) {
      c = (unsigned char)(isl_hex_value((unsigned char)s[i + 1]) * 16 +
                          isl_hex_value((unsigned char)s[i + 2]));
      i += 2;
    }
    isl_buf_putc(scratch, (char)c);
  }
  out->len = 0;
  isl_utf8_sanitize(out, scratch->p ? scratch->p : "", scratch->len);
}

void isl_urlencoded_parse(const char *input, size_t n, isl_form_list_t *out) {
  if (n == 0) return;
  isl_buf_t scratch = {0}, name = {0}, value = {0};
  size_t start = 0;
  while (start <= n) {
    /* 1. Split on '&'. */
    const char *amp = start < n ? memchr(input + start, '&', n - start) : NULL;
    size_t end = amp ? (size_t)(amp - input) : n;
    const char *bytes = input + start;
    size_t len = end - start;
    start = end + 1;
    /* 3.1. Skip empty sequences. */
    if (len == 0) continue;
    /* 3.2-3.3. The first '=' separates name from value. */
    const char *eq = memchr(bytes, '=', len);
    size_t nlen = eq ? (size_t)(eq - bytes) : len;
    decode_part(bytes, nlen, &scratch, &name);
    if (eq)
      decode_part(eq + 1, len - nlen - 1, &scratch, &value);
    else
      value.len = 0;
    isl_form_list_add(out, name.p, name.len, value.p, value.len);
  }
  isl_buf_free(&scratch);
  isl_buf_free(&name);
  isl_buf_free(&value);
}

void isl_urlencoded_encode(isl_buf_t *out, const char *s, size_t n) {
  isl_pct_encode(out, s, n, ISL_PCT_FORM, true);
}

void isl_urlencoded_serialize(const isl_form_list_t *l, isl_buf_t *out) {
  for (size_t i = 0; i < l->n; i++) {
    if (i > 0) isl_buf_putc(out, '&');
    isl_urlencoded_encode(out, l->v[i].name, l->v[i].name_len);
    isl_buf_putc(out, '=');
    isl_urlencoded_encode(out, l->v[i].value, l->v[i].value_len);
  }
}
