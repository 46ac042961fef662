/* The URL class's attribute setters (URL Standard §6.1, "URL class"), on the URL record:
 * most run the basic URL parser with a state override; username and password
 * percent-encode directly. The href setter is a fresh parse (isl_url_parse). */
#include <stdlib.h>
#include <string.h>

#include "percent.h"
#include "url.h"

void isl_url_set_protocol(isl_url_t *url, const char *v, size_t n) {
  /* Basic URL parse the value followed by ':' with the scheme start state override. */
  isl_buf_t in = {0};
  isl_buf_append(&in, v, n);
  isl_buf_putc(&in, ':');
  isl_url_parse_override(in.p, in.len, url, ISL_URL_SCHEME_START);
  isl_buf_free(&in);
}

void isl_url_set_username(isl_url_t *url, const char *v, size_t n) {
  if (isl_url_cannot_have_credentials_or_port(url)) return;
  url->username.len = 0;
  if (url->username.p) url->username.p[0] = 0;
  isl_pct_encode(&url->username, v, n, ISL_PCT_USERINFO, false);
}

void isl_url_set_password(isl_url_t *url, const char *v, size_t n) {
  if (isl_url_cannot_have_credentials_or_port(url)) return;
  url->password.len = 0;
  if (url->password.p) url->password.p[0] = 0;
  isl_pct_encode(&url->password, v, n, ISL_PCT_USERINFO, false);
}

void isl_url_set_host(isl_url_t *url, const char *v, size_t n) {
  if (url->has_opaque_path) return;
  isl_url_parse_override(v, n, url, ISL_URL_HOST);
}

void isl_url_set_hostname(isl_url_t *url, const char *v, size_t n) {
  if (url->has_opaque_path) return;
  isl_url_parse_override(v, n, url, ISL_URL_HOSTNAME);
}

void isl_url_set_port(isl_url_t *url, const char *v, size_t n) {
  if (isl_url_cannot_have_credentials_or_port(url)) return;
  if (n == 0) {
    url->port = -1;
    return;
  }
  isl_url_parse_override(v, n, url, ISL_URL_PORT);
}

void isl_url_set_pathname(isl_url_t *url, const char *v, size_t n) {
  if (url->has_opaque_path) return;
  for (size_t i = 0; i < url->npath; i++) free(url->path[i]);
  url->npath = 0;
  isl_url_parse_override(v, n, url, ISL_URL_PATH_START);
}

void isl_url_set_search(isl_url_t *url, const char *v, size_t n) {
  url->query.len = 0;
  if (url->query.p) url->query.p[0] = 0;
  if (n == 0) {
    url->has_query = false;
    return;
  }
  if (v[0] == '?') v++, n--;
  url->has_query = true;
  isl_url_parse_override(v, n, url, ISL_URL_QUERY);
}

void isl_url_set_hash(isl_url_t *url, const char *v, size_t n) {
  url->fragment.len = 0;
  if (url->fragment.p) url->fragment.p[0] = 0;
  if (n == 0) {
    url->has_fragment = false;
    return;
  }
  if (v[0] == '#') v++, n--;
  url->has_fragment = true;
  isl_url_parse_override(v, n, url, ISL_URL_FRAGMENT);
}
