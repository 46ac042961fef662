/* The config model's entry points (load, build, free, lookup), the string pool, the
 * generic readers every struct uses, Config, Service, Socket, and the cross-checks that
 * need the whole config. Worker, Module and Binding are in config_worker.c, the
 * compatibility flags and dates in config_flags.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

/* --- the pool ---
 * Strings and bytes are copied out of the parse tree once per tree node: a const used
 * many times (a Worker const behind several services, one big embed) shares its copy.
 * The key is the node's byte pointer, which is unique per node within one tree, plus
 * whether it was checked as Text (the same node may be read as Data elsewhere). */

typedef struct {
  const char *src;
  size_t len;
  bool text;
  char *copy;
} pool_entry_t;

struct isl_config_priv {
  pool_entry_t *v;
  size_t n, cap; /* cap is 0 or a power of two */
};

static size_t ptr_hash(const void *p, bool text) {
  uint64_t h = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull;
  return (size_t)(h >> 17) ^ (size_t)text;
}

static pool_entry_t *pool_slot(isl_config_priv_t *pl, const char *src, bool text) {
  size_t mask = pl->cap - 1;
  for (size_t i = ptr_hash(src, text) & mask;; i = (i + 1) & mask)
    if (!pl->v[i].src || (pl->v[i].src == src && pl->v[i].text == text)) return &pl->v[i];
}

/* The pooled copy of the node whose bytes start at src, or NULL when it has none yet: the
 * caller then checks the bytes and calls pool_put. */
static char *pool_get(isl_config_priv_t *pl, const char *src, bool text) {
  if (!pl->cap) return NULL;
  pool_entry_t *e = pool_slot(pl, src, text);
  return e->src ? e->copy : NULL;
}

static char *pool_put(isl_config_priv_t *pl, const char *src, size_t len, bool text) {
  if ((pl->n + 1) * 4 > pl->cap * 3) {
    size_t ncap = pl->cap ? pl->cap * 2 : 64;
    pool_entry_t *old = pl->v;
    size_t ocap = pl->cap;
    pl->v = isl_calloc(ncap, sizeof *pl->v);
    pl->cap = ncap;
    for (size_t i = 0; i < ocap; i++)
      if (old[i].src) *pool_slot(pl, old[i].src, old[i].text) = old[i];
    free(old);
  }
  pool_entry_t *e = pool_slot(pl, src, text);
  e->src = src;
  e->len = len;
  e->text = text;
  e->copy = isl_strndup(src, len);
  pl->n++;
  return e->copy;
}

static void pool_free(isl_config_priv_t *pl) {
  if (!pl) return;
  for (size_t i = 0; i < pl->cap; i++) free(pl->v[i].copy);
  free(pl->v);
  free(pl);
}

char *isl_cfg_intern_lit(isl_cfg_t *x, const char *s) {
  char *r = pool_get(x->c->priv, s, false);
  return r ? r : pool_put(x->c->priv, s, strlen(s), false);
}

isl_capnp_pos_t isl_cfg_pos(isl_cfg_t *x, isl_capnp_pos_t pos) {
  pos.file = x->file;
  return pos;
}

/* --- generic readers --- */

static const isl_capnp_value_t *resolve(isl_cfg_t *x, const isl_capnp_value_t *v,
                                        const isl_capnp_const_t **via) {
  return isl_capnp_resolve(x->f, v, ISL_CAPNP_EXPECT_VALUE, via, x->err);
}

static bool wrong_kind(isl_cfg_t *x, const char *label, const isl_capnp_value_t *v,
                       const char *expected) {
  isl_capnp_error_at(x->err, v->pos, "%s: expected %s, got %s", label, expected,
                     isl_capnp_kind_name(v->kind));
  return false;
}

bool isl_cfg_count(isl_cfg_t *x, isl_capnp_pos_t pos) {
  if (++x->items <= ISL_CONFIG_MAX_ITEMS) return true;
  isl_capnp_error_at(x->err, pos,
                     "config too large: more than %u services, sockets, modules, bindings and "
                     "list entries",
                     ISL_CONFIG_MAX_ITEMS);
  return false;
}

bool isl_cfg_struct(isl_cfg_t *x, const isl_capnp_value_t *v, const char *type,
                    const char *first, isl_cfg_struct_t *s) {
  const isl_capnp_const_t *via = NULL;
  /* A bare name that is no const may be an enum value for the first field (`http = proxy`);
   * that field's reader decides. */
  const isl_capnp_value_t *r =
      v->kind == ISL_CAPNP_IDENT && !isl_capnp_find_const(x->f, v->ident)
          ? v
          : resolve(x, v, &via);
  if (!r) return false;
  s->type = type;
  s->pos = r->pos;
  if (isl_capnp_is_plain(r)) {
    /* workerd's `service = "main"`: the value is the struct's first field. */
    s->one = (isl_capnp_field_t){.name = first, .pos = r->pos, .value = (isl_capnp_value_t *)r};
    s->fields = &s->one;
    s->n = 1;
    return true;
  }
  if (via && !isl_capnp_type_is(x->f, via, type)) {
    isl_capnp_error_at(x->err, v->pos, "const '%s' has type %s, expected Workerd.%s", via->name,
                       via->type, type);
    return false;
  }
  s->fields = r->st.fields;
  s->n = r->st.n;
  return true;
}

bool isl_cfg_field_once(isl_cfg_t *x, const isl_cfg_struct_t *s, size_t i) {
  /* Earlier fields were all distinct known names (else the read stopped), so this scan is
   * short whatever the struct's length. */
  for (size_t j = 0; j < i; j++)
    if (strcmp(s->fields[j].name, s->fields[i].name) == 0) {
      isl_capnp_error_at(x->err, s->fields[i].pos, "field '%s' is set twice", s->fields[i].name);
      return false;
    }
  return true;
}

bool isl_cfg_union(isl_cfg_t *x, const isl_capnp_field_t **slot, const isl_capnp_field_t *fd) {
  if (*slot) {
    isl_capnp_error_at(x->err, fd->pos, "two values for one union: %s and %s", (*slot)->name,
                       fd->name);
    return false;
  }
  *slot = fd;
  return true;
}

bool isl_cfg_unknown(isl_cfg_t *x, const isl_cfg_struct_t *s, const isl_capnp_field_t *fd) {
  isl_capnp_error_at(x->err, fd->pos, "unknown field '%s' in %s", fd->name, s->type);
  return false;
}

bool isl_cfg_unsupported(isl_cfg_t *x, const isl_capnp_field_t *fd) {
  isl_capnp_error_at(x->err, fd->pos, "not supported: %s", fd->name);
  return false;
}

bool isl_cfg_text(isl_cfg_t *x, const char *label, const isl_capnp_value_t *v, char **out,
                  size_t *len, const isl_capnp_value_t **rv) {
  const isl_capnp_value_t *r = resolve(x, v, NULL);
  if (!r) return false;
  const char *p;
  size_t n;
  if (r->kind == ISL_CAPNP_STRING) {
    p = r->str.p;
    n = r->str.len;
  } else if (r->kind == ISL_CAPNP_EMBED) {
    p = r->embed.p;
    n = r->embed.len;
  } else {
    return wrong_kind(x, label, r, "a string");
  }
  char *copy = pool_get(x->c->priv, p, true);
  if (!copy) {
    /* Text is UTF-8 without NUL: escapes (\0, \xff) and embedded files can break both. */
    if (memchr(p, 0, n)) {
      isl_capnp_error_at(x->err, r->pos, "%s: text contains a NUL byte", label);
      return false;
    }
    if (!isl_utf8_valid(p, n)) {
      isl_capnp_error_at(x->err, r->pos, "%s: text is not valid UTF-8", label);
      return false;
    }
    copy = pool_put(x->c->priv, p, n, true);
  }
  *out = copy;
  if (len) *len = n;
  if (rv) *rv = r;
  return true;
}

bool isl_cfg_data(isl_cfg_t *x, const char *label, const isl_capnp_value_t *v, char **out,
                  size_t *len) {
  const isl_capnp_value_t *r = resolve(x, v, NULL);
  if (!r) return false;
  const char *p;
  size_t n;
  if (r->kind == ISL_CAPNP_STRING || r->kind == ISL_CAPNP_DATA) {
    p = r->str.p;
    n = r->str.len;
  } else if (r->kind == ISL_CAPNP_EMBED) {
    p = r->embed.p;
    n = r->embed.len;
  } else {
    return wrong_kind(x, label, r, "data");
  }
  char *copy = pool_get(x->c->priv, p, false);
  *out = copy ? copy : pool_put(x->c->priv, p, n, false);
  *len = n;
  return true;
}

bool isl_cfg_bool(isl_cfg_t *x, const char *label, const isl_capnp_value_t *v, bool *out) {
  const isl_capnp_value_t *r = resolve(x, v, NULL);
  if (!r) return false;
  if (r->kind != ISL_CAPNP_BOOL) return wrong_kind(x, label, r, "true or false");
  *out = r->b;
  return true;
}

bool isl_cfg_list(isl_cfg_t *x, const char *label, const isl_capnp_value_t *v,
                  const isl_capnp_value_t *const **items, size_t *n) {
  const isl_capnp_value_t *r = resolve(x, v, NULL);
  if (!r) return false;
  if (r->kind != ISL_CAPNP_LIST) return wrong_kind(x, label, r, "a list");
  *items = (const isl_capnp_value_t *const *)r->list.items;
  *n = r->list.n;
  return true;
}

bool isl_cfg_text_list(isl_cfg_t *x, const char *label, const isl_capnp_value_t *v,
                       char ***out, size_t *n) {
  const isl_capnp_value_t *const *items;
  size_t count;
  if (!isl_cfg_list(x, label, v, &items, &count)) return false;
  /* The array is stored before it is filled so a failure half-way frees it. */
  *out = isl_calloc(count ? count : 1, sizeof **out);
  *n = 0;
  for (size_t i = 0; i < count; i++) {
    if (!isl_cfg_count(x, items[i]->pos)) return false;
    if (!isl_cfg_text(x, label, items[i], &(*out)[i], NULL, NULL)) return false;
    *n = i + 1;
  }
  return true;
}

static void add_ref(isl_cfg_t *x, const char *name, isl_capnp_pos_t pos) {
  if (x->nrefs == x->refs_cap) {
    x->refs_cap = x->refs_cap ? x->refs_cap * 2 : 16;
    x->refs = isl_realloc(x->refs, x->refs_cap * sizeof *x->refs);
  }
  x->refs[x->nrefs++] = (isl_cfg_ref_t){name, pos};
}

bool isl_cfg_designator(isl_cfg_t *x, const char *label, const isl_capnp_value_t *v,
                        char **name, char **entrypoint) {
  isl_cfg_struct_t s;
  if (!isl_cfg_struct(x, v, "ServiceDesignator", "name", &s)) return false;
  const isl_capnp_value_t *name_v = NULL;
  *name = NULL;
  if (entrypoint) *entrypoint = NULL;
  for (size_t i = 0; i < s.n; i++) {
    const isl_capnp_field_t *fd = &s.fields[i];
    if (!isl_cfg_field_once(x, &s, i)) return false;
    if (strcmp(fd->name, "name") == 0) {
      if (!isl_cfg_text(x, "name", fd->value, name, NULL, &name_v)) return false;
    } else if (strcmp(fd->name, "entrypoint") == 0) {
      if (!entrypoint) return isl_cfg_unsupported(x, fd);
      if (!isl_cfg_text(x, "entrypoint", fd->value, entrypoint, NULL, NULL)) return false;
    } else if (strcmp(fd->name, "props") == 0) {
      return isl_cfg_unsupported(x, fd);
    } else {
      return isl_cfg_unknown(x, &s, fd);
    }
  }
  if (!*name) {
    isl_capnp_error_at(x->err, s.pos, "%s: a service designator needs a name", label);
    return false;
  }
  add_ref(x, *name, name_v->pos);
  return true;
}

/* --- HttpOptions (sockets and external services) --- */

/* RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
 * "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA */
static bool is_token(const char *s, size_t n) {
  if (!n) return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    bool alnum = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
    if (!alnum && !strchr("!#$%&'*+-.^_`|~", ch)) return false;
  }
  return true;
}

/* One HttpOptions.Header: (name = "X-Foo", value = "bar"); no value removes the header. */
static bool read_header(isl_cfg_t *x, const char *label, const isl_capnp_value_t *v,
                        isl_config_header_t *h) {
  isl_cfg_struct_t s;
  if (!isl_cfg_struct(x, v, "HttpOptions.Header", "name", &s)) return false;
  for (size_t i = 0; i < s.n; i++) {
    const isl_capnp_field_t *fd = &s.fields[i];
    if (!isl_cfg_field_once(x, &s, i)) return false;
    const isl_capnp_value_t *rv;
    size_t n;
    if (strcmp(fd->name, "name") == 0) {
      if (!isl_cfg_text(x, "name", fd->value, &h->name, &n, &rv)) return false;
      if (!is_token(h->name, n)) {
        isl_capnp_error_at(x->err, rv->pos, "%s: '%s' is not a valid header name", label,
                           h->name);
        return false;
      }
    } else if (strcmp(fd->name, "value") == 0) {
      if (!isl_cfg_text(x, "value", fd->value, &h->value, &n, &rv)) return false;
      /* RFC 9110 §5.5: no line breaks (they would split the header in two); values are
       * kept trimmed, as the HTTP server keeps received ones. NUL is refused as text. */
      if (memchr(h->value, '\r', n) || memchr(h->value, '\n', n)) {
        isl_capnp_error_at(x->err, rv->pos, "%s: header value contains CR or LF", label);
        return false;
      }
      if (n && (strchr(" \t", h->value[0]) || strchr(" \t", h->value[n - 1]))) {
        isl_capnp_error_at(x->err, rv->pos,
                           "%s: header value has leading or trailing whitespace", label);
        return false;
      }
    } else {
      return isl_cfg_unknown(x, &s, fd);
    }
  }
  if (!h->name) {
    isl_capnp_error_at(x->err, s.pos, "%s: a header needs a name", label);
    return false;
  }
  return true;
}

static bool read_headers(isl_cfg_t *x, const char *label, const isl_capnp_value_t *v,
                         isl_config_header_t **out, size_t *n) {
  const isl_capnp_value_t *const *items;
  size_t count;
  if (!isl_cfg_list(x, label, v, &items, &count)) return false;
  /* Stored before it is filled so a failure half-way frees it. */
  *out = isl_calloc(count ? count : 1, sizeof **out);
  *n = 0;
  for (size_t i = 0; i < count; i++) {
    if (!isl_cfg_count(x, items[i]->pos)) return false;
    *n = i + 1;
    if (!read_header(x, label, items[i], &(*out)[i])) return false;
  }
  return true;
}

/* sk, when not NULL, receives the header injections (sockets); an external service does
 * not implement them yet and refuses them. */
static bool read_http(isl_cfg_t *x, const isl_capnp_value_t *v, bool *proxy, char **fph,
                      isl_config_socket_t *sk) {
  isl_cfg_struct_t s;
  if (!isl_cfg_struct(x, v, "HttpOptions", "style", &s)) return false;
  for (size_t i = 0; i < s.n; i++) {
    const isl_capnp_field_t *fd = &s.fields[i];
    if (!isl_cfg_field_once(x, &s, i)) return false;
    if (strcmp(fd->name, "style") == 0) {
      /* An enum: a bare name is a value of HttpOptions.Style, not a const. */
      const isl_capnp_value_t *r =
          isl_capnp_resolve(x->f, fd->value, ISL_CAPNP_EXPECT_ENUM, NULL, x->err);
      if (!r) return false;
      if (r->kind != ISL_CAPNP_IDENT) return wrong_kind(x, "style", r, "host or proxy");
      if (strcmp(r->ident, "host") == 0) {
        *proxy = false;
      } else if (strcmp(r->ident, "proxy") == 0) {
        *proxy = true;
      } else {
        isl_capnp_error_at(x->err, r->pos, "style: expected host or proxy, got '%s'", r->ident);
        return false;
      }
    } else if (strcmp(fd->name, "forwardedProtoHeader") == 0) {
      if (!isl_cfg_text(x, "forwardedProtoHeader", fd->value, fph, NULL, NULL)) return false;
    } else if (sk && strcmp(fd->name, "injectRequestHeaders") == 0) {
      if (!read_headers(x, "injectRequestHeaders", fd->value, &sk->inject_request_headers,
                        &sk->ninject_request_headers))
        return false;
    } else if (sk && strcmp(fd->name, "injectResponseHeaders") == 0) {
      if (!read_headers(x, "injectResponseHeaders", fd->value, &sk->inject_response_headers,
                        &sk->ninject_response_headers))
        return false;
    } else if (strcmp(fd->name, "cfBlobHeader") == 0 ||
               strcmp(fd->name, "injectRequestHeaders") == 0 ||
               strcmp(fd->name, "injectResponseHeaders") == 0 ||
               strcmp(fd->name, "capnpConnectHost") == 0) {
      return isl_cfg_unsupported(x, fd);
    } else {
      return isl_cfg_unknown(x, &s, fd);
    }
  }
  return true;
}

static bool https_unsupported(isl_cfg_t *x, const isl_capnp_field_t *fd) {
  isl_capnp_error_at(x->err, fd->pos, "not supported: https (TLS comes with its own issue)");
  return false;
}

/* --- Service --- */

static bool read_network(isl_cfg_t *x, const isl_capnp_value_t *v, isl_config_service_t *svc) {
  isl_cfg_struct_t s;
  if (!isl_cfg_struct(x, v, "Network", "allow", &s)) return false;
  bool has_allow = false;
  for (size_t i = 0; i < s.n; i++) {
    const isl_capnp_field_t *fd = &s.fields[i];
    if (!isl_cfg_field_once(x, &s, i)) return false;
    if (strcmp(fd->name, "allow") == 0) {
      if (!isl_cfg_text_list(x, "allow", fd->value, &svc->allow, &svc->nallow)) return false;
      has_allow = true;
    } else if (strcmp(fd->name, "deny") == 0) {
      if (!isl_cfg_text_list(x, "deny", fd->value, &svc->deny, &svc->ndeny)) return false;
    } else if (strcmp(fd->name, "tlsOptions") == 0) {
      return isl_cfg_unsupported(x, fd);
    } else {
      return isl_cfg_unknown(x, &s, fd);
    }
  }
  if (!has_allow) {
    /* workerd's default: public addresses only (no SSRF into private networks). */
    svc->allow = isl_calloc(1, sizeof *svc->allow);
    svc->allow[0] = isl_cfg_intern_lit(x, "public");
    svc->nallow = 1;
  }
  return true;
}

static bool read_external(isl_cfg_t *x, const isl_capnp_value_t *v, isl_config_service_t *svc) {
  isl_cfg_struct_t s;
  if (!isl_cfg_struct(x, v, "ExternalServer", "address", &s)) return false;
  const isl_capnp_field_t *proto = NULL;
  for (size_t i = 0; i < s.n; i++) {
    const isl_capnp_field_t *fd = &s.fields[i];
    if (!isl_cfg_field_once(x, &s, i)) return false;
    if (strcmp(fd->name, "address") == 0) {
      if (!isl_cfg_text(x, "address", fd->value, &svc->address, NULL, NULL)) return false;
    } else if (strcmp(fd->name, "http") == 0) {
      if (!isl_cfg_union(x, &proto, fd)) return false;
      if (!read_http(x, fd->value, &svc->http_proxy_style, &svc->http_forwarded_proto_header,
                     NULL))
        return false;
    } else if (strcmp(fd->name, "https") == 0) {
      if (!isl_cfg_union(x, &proto, fd)) return false;
      return https_unsupported(x, fd);
    } else if (strcmp(fd->name, "tcp") == 0) {
      if (!isl_cfg_union(x, &proto, fd)) return false;
      return isl_cfg_unsupported(x, fd);
    } else {
      return isl_cfg_unknown(x, &s, fd);
    }
  }
  if (!svc->address) {
    isl_capnp_error_at(x->err, s.pos, "external service '%s' needs an address", svc->name);
    return false;
  }
  return true;
}

static bool read_disk(isl_cfg_t *x, const isl_capnp_value_t *v, isl_config_service_t *svc) {
  isl_cfg_struct_t s;
  if (!isl_cfg_struct(x, v, "DiskDirectory", "path", &s)) return false;
  for (size_t i = 0; i < s.n; i++) {
    const isl_capnp_field_t *fd = &s.fields[i];
    if (!isl_cfg_field_once(x, &s, i)) return false;
    if (strcmp(fd->name, "path") == 0) {
      if (!isl_cfg_text(x, "path", fd->value, &svc->path, NULL, NULL)) return false;
    } else if (strcmp(fd->name, "writable") == 0) {
      if (!isl_cfg_bool(x, "writable", fd->value, &svc->writable)) return false;
    } else if (strcmp(fd->name, "allowDotfiles") == 0) {
      if (!isl_cfg_bool(x, "allowDotfiles", fd->value, &svc->allow_dotfiles)) return false;
    } else {
      return isl_cfg_unknown(x, &s, fd);
    }
  }
  /* workerd can take the path from the command line; islet has no such flag yet. */
  if (!svc->path) {
    isl_capnp_error_at(x->err, s.pos, "disk service '%s' needs a path", svc->name);
    return false;
  }
  return true;
}

static bool read_service(isl_cfg_t *x, const isl_capnp_value_t *v, isl_config_service_t *svc) {
  isl_cfg_struct_t s;
  if (!isl_cfg_struct(x, v, "Service", "name", &s)) return false;
  svc->pos = isl_cfg_pos(x, s.pos);
  /* The name first, whatever the order, so the union members' messages can name it. */
  for (size_t i = 0; i < s.n; i++)
    if (strcmp(s.fields[i].name, "name") == 0) {
      if (!isl_cfg_field_once(x, &s, i)) return false;
      const isl_capnp_value_t *nv;
      if (!isl_cfg_text(x, "name", s.fields[i].value, &svc->name, NULL, &nv)) return false;
      if (!isl_cfg_names_add(&x->service_names, svc->name)) {
        isl_capnp_error_at(x->err, nv->pos, "two services named '%s'", svc->name);
        return false;
      }
    }
  if (!svc->name) {
    isl_capnp_error_at(x->err, s.pos, "service needs a name");
    return false;
  }
  const isl_capnp_field_t *member = NULL;
  for (size_t i = 0; i < s.n; i++) {
    const isl_capnp_field_t *fd = &s.fields[i];
    if (!isl_cfg_field_once(x, &s, i)) return false;
    if (strcmp(fd->name, "name") == 0) continue;
    if (strcmp(fd->name, "worker") == 0) {
      if (!isl_cfg_union(x, &member, fd)) return false;
      svc->kind = ISL_SVC_WORKER;
      if (!isl_cfg_worker(x, fd->value, svc)) return false;
    } else if (strcmp(fd->name, "network") == 0) {
      if (!isl_cfg_union(x, &member, fd)) return false;
      svc->kind = ISL_SVC_NETWORK;
      if (!read_network(x, fd->value, svc)) return false;
    } else if (strcmp(fd->name, "external") == 0) {
      if (!isl_cfg_union(x, &member, fd)) return false;
      svc->kind = ISL_SVC_EXTERNAL;
      if (!read_external(x, fd->value, svc)) return false;
    } else if (strcmp(fd->name, "disk") == 0) {
      if (!isl_cfg_union(x, &member, fd)) return false;
      svc->kind = ISL_SVC_DISK;
      if (!read_disk(x, fd->value, svc)) return false;
    } else if (strcmp(fd->name, "unspecified") == 0) {
      return isl_cfg_unsupported(x, fd);
    } else {
      return isl_cfg_unknown(x, &s, fd);
    }
  }
  if (!member) {
    isl_capnp_error_at(x->err, s.pos, "service '%s' needs one of worker, network, external, disk",
                       svc->name);
    return false;
  }
  return true;
}

/* --- Socket --- */

static bool read_socket(isl_cfg_t *x, const isl_capnp_value_t *v, isl_config_socket_t *sk) {
  isl_cfg_struct_t s;
  if (!isl_cfg_struct(x, v, "Socket", "name", &s)) return false;
  sk->pos = isl_cfg_pos(x, s.pos);
  const isl_capnp_field_t *proto = NULL;
  for (size_t i = 0; i < s.n; i++) {
    const isl_capnp_field_t *fd = &s.fields[i];
    if (!isl_cfg_field_once(x, &s, i)) return false;
    if (strcmp(fd->name, "name") == 0) {
      const isl_capnp_value_t *nv;
      if (!isl_cfg_text(x, "name", fd->value, &sk->name, NULL, &nv)) return false;
      if (!isl_cfg_names_add(&x->socket_names, sk->name)) {
        isl_capnp_error_at(x->err, nv->pos, "two sockets named '%s'", sk->name);
        return false;
      }
    } else if (strcmp(fd->name, "address") == 0) {
      if (!isl_cfg_text(x, "address", fd->value, &sk->address, NULL, NULL)) return false;
    } else if (strcmp(fd->name, "http") == 0) {
      if (!isl_cfg_union(x, &proto, fd)) return false;
      if (!read_http(x, fd->value, &sk->proxy_style, &sk->forwarded_proto_header, sk))
        return false;
    } else if (strcmp(fd->name, "https") == 0) {
      if (!isl_cfg_union(x, &proto, fd)) return false;
      return https_unsupported(x, fd);
    } else if (strcmp(fd->name, "tcp") == 0 || strcmp(fd->name, "udp") == 0) {
      if (!isl_cfg_union(x, &proto, fd)) return false;
      return isl_cfg_unsupported(x, fd);
    } else if (strcmp(fd->name, "service") == 0) {
      char *entrypoint = NULL;
      if (!isl_cfg_designator(x, "service", fd->value, &sk->service, &entrypoint)) return false;
      if (entrypoint) {
        /* The model has no field for it yet: refusing beats serving the wrong handler. */
        isl_capnp_error_at(x->err, fd->pos, "not supported: a socket's service entrypoint");
        return false;
      }
    } else {
      return isl_cfg_unknown(x, &s, fd);
    }
  }
  if (!sk->name) {
    isl_capnp_error_at(x->err, s.pos, "socket needs a name");
    return false;
  }
  /* workerd would take it from --socket-addr; islet has no such flag yet. */
  if (!sk->address) {
    isl_capnp_error_at(x->err, s.pos, "socket needs an address");
    return false;
  }
  if (!sk->service) {
    isl_capnp_error_at(x->err, s.pos, "socket '%s' needs a service", sk->name);
    return false;
  }
  return true;
}

/* --- Config --- */

static bool read_config(isl_cfg_t *x, const isl_capnp_value_t *v) {
  isl_cfg_struct_t s;
  if (!isl_cfg_struct(x, v, "Config", "services", &s)) return false;
  isl_config_t *c = x->c;
  for (size_t i = 0; i < s.n; i++) {
    const isl_capnp_field_t *fd = &s.fields[i];
    if (!isl_cfg_field_once(x, &s, i)) return false;
    const isl_capnp_value_t *const *items;
    size_t n;
    if (strcmp(fd->name, "services") == 0) {
      if (!isl_cfg_list(x, "services", fd->value, &items, &n)) return false;
      c->services = isl_calloc(n ? n : 1, sizeof *c->services);
      c->nservices = n; /* zeroed entries free cleanly if the read stops half-way */
      for (size_t j = 0; j < n; j++) {
        if (!isl_cfg_count(x, items[j]->pos)) return false;
        if (!read_service(x, items[j], &c->services[j])) return false;
      }
    } else if (strcmp(fd->name, "sockets") == 0) {
      if (!isl_cfg_list(x, "sockets", fd->value, &items, &n)) return false;
      c->sockets = isl_calloc(n ? n : 1, sizeof *c->sockets);
      c->nsockets = n;
      for (size_t j = 0; j < n; j++) {
        if (!isl_cfg_count(x, items[j]->pos)) return false;
        if (!read_socket(x, items[j], &c->sockets[j])) return false;
      }
    } else if (strcmp(fd->name, "v8Flags") == 0 || strcmp(fd->name, "extensions") == 0 ||
               strcmp(fd->name, "autogates") == 0 ||
               strcmp(fd->name, "structuredLogging") == 0 ||
               strcmp(fd->name, "logging") == 0) {
      return isl_cfg_unsupported(x, fd);
    } else {
      return isl_cfg_unknown(x, &s, fd);
    }
  }
  return true;
}

/* --- cross-checks --- */

/* Names are kept in a small open-addressing set: configs with many services must not
 * cost a quadratic scan. */
static size_t str_hash(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return (size_t)h;
}

static size_t names_slot(const isl_cfg_names_t *st, const char *name) {
  size_t mask = st->cap - 1;
  for (size_t i = str_hash(name) & mask;; i = (i + 1) & mask)
    if (!st->v[i] || strcmp(st->v[i], name) == 0) return i;
}

bool isl_cfg_names_add(isl_cfg_names_t *st, const char *name) {
  if ((st->n + 1) * 2 > st->cap) {
    const char **old = st->v;
    size_t ocap = st->cap;
    st->cap = st->cap ? st->cap * 2 : 16;
    st->v = isl_calloc(st->cap, sizeof *st->v);
    for (size_t i = 0; i < ocap; i++)
      if (old[i]) st->v[names_slot(st, old[i])] = old[i];
    free(old);
  }
  size_t i = names_slot(st, name);
  if (st->v[i]) return false;
  st->v[i] = name;
  st->n++;
  return true;
}

bool isl_cfg_names_has(const isl_cfg_names_t *st, const char *name) {
  return st->cap && st->v[names_slot(st, name)] != NULL;
}

void isl_cfg_names_free(isl_cfg_names_t *st) {
  free(st->v);
  *st = (isl_cfg_names_t){0};
}

/* Service references may point forward, so they are checked once all services are read. */
static bool check_refs(isl_cfg_t *x) {
  for (size_t i = 0; i < x->nrefs; i++)
    if (!isl_cfg_names_has(&x->service_names, x->refs[i].name) &&
        strcmp(x->refs[i].name, "internet") != 0) {
      isl_capnp_error_at(x->err, x->refs[i].pos, "no service named '%s'", x->refs[i].name);
      return false;
    }
  return true;
}

/* --- entry points --- */

static const isl_capnp_const_t *pick_const(const isl_capnp_file_t *f, const char *const_name,
                                           isl_capnp_error_t *err) {
  if (const_name) {
    if (const_name[0] == '.') const_name++;
    const isl_capnp_const_t *k = isl_capnp_find_const(f, const_name);
    if (!k) {
      snprintf(err->msg, sizeof err->msg, "no const named '%.200s' in %.250s", const_name,
               f->path);
      err->line = err->col = 0;
      return NULL;
    }
    if (!isl_capnp_type_is(f, k, "Config"))
      return isl_capnp_error_at(err, k->type_pos, "const '%s' has type %s, expected Workerd.Config",
                                k->name, k->type);
    return k;
  }
  const isl_capnp_const_t *found = NULL, *second = NULL;
  size_t count = 0;
  for (size_t i = 0; i < f->nconsts; i++)
    if (isl_capnp_type_is(f, &f->consts[i], "Config")) {
      if (count == 0) found = &f->consts[i];
      if (count == 1) second = &f->consts[i];
      count++;
    }
  if (count == 1) return found;
  if (count == 0) {
    snprintf(err->msg, sizeof err->msg, "no const of type Workerd.Config in %.400s", f->path);
    err->line = err->col = 0;
    return NULL;
  }
  isl_buf_t names = {0};
  for (size_t i = 0; i < f->nconsts; i++)
    if (isl_capnp_type_is(f, &f->consts[i], "Config"))
      isl_buf_printf(&names, "%s%s", names.len ? ", " : "", f->consts[i].name);
  isl_capnp_error_at(err, second->pos, "several Config consts: %s — name one", names.p);
  isl_buf_free(&names);
  return NULL;
}

isl_config_t *isl_config_build(const isl_capnp_file_t *f, const char *const_name,
                               isl_capnp_error_t *err) {
  err->msg[0] = 0;
  err->line = err->col = 0;
  const isl_capnp_const_t *k = pick_const(f, const_name, err);
  if (!k) return NULL;
  isl_config_t *c = isl_calloc(1, sizeof *c);
  c->priv = isl_calloc(1, sizeof *c->priv);
  isl_cfg_t x = {.f = f, .err = err, .c = c};
  x.file = isl_cfg_intern_lit(&x, f->path);
  bool ok = read_config(&x, k->value) && check_refs(&x);
  free(x.refs);
  isl_cfg_names_free(&x.service_names);
  isl_cfg_names_free(&x.socket_names);
  if (!ok) {
    isl_config_free(c);
    return NULL;
  }
  return c;
}

isl_config_t *isl_config_load(const char *path, const char *const_name, isl_capnp_error_t *err) {
  isl_capnp_file_t *f = isl_capnp_parse_file(path, err);
  if (!f) return NULL;
  isl_config_t *c = isl_config_build(f, const_name, err);
  isl_capnp_free(f);
  return c;
}

static void free_strs(char **v, size_t n, bool own) {
  if (own)
    for (size_t i = 0; i < n; i++) free(v[i]);
  free(v);
}

void isl_config_free(isl_config_t *c) {
  if (!c) return;
  /* A hand-built config (priv NULL) owns each string; a read one owns them in the pool. */
  bool own = c->priv == NULL;
  for (size_t i = 0; i < c->nservices; i++) {
    isl_config_service_t *s = &c->services[i];
    if (own) {
      free(s->name);
      for (size_t j = 0; j < s->nmodules; j++) {
        free(s->modules[j].name);
        free(s->modules[j].bytes);
      }
      for (size_t j = 0; j < s->nbindings; j++) {
        free(s->bindings[j].name);
        free(s->bindings[j].bytes);
        free(s->bindings[j].service);
        free(s->bindings[j].entrypoint);
      }
      free(s->compatibility_date);
      free(s->global_outbound);
      free(s->global_outbound_entrypoint);
      free(s->address);
      free(s->path);
      free(s->http_forwarded_proto_header);
    }
    free(s->modules);
    free(s->bindings);
    free_strs(s->compatibility_flags, s->ncompatibility_flags, own);
    free_strs(s->allow, s->nallow, own);
    free_strs(s->deny, s->ndeny, own);
  }
  for (size_t i = 0; i < c->nsockets; i++) {
    isl_config_socket_t *sk = &c->sockets[i];
    if (own) {
      free(sk->name);
      free(sk->address);
      free(sk->service);
      free(sk->forwarded_proto_header);
      for (size_t j = 0; j < sk->ninject_request_headers; j++) {
        free(sk->inject_request_headers[j].name);
        free(sk->inject_request_headers[j].value);
      }
      for (size_t j = 0; j < sk->ninject_response_headers; j++) {
        free(sk->inject_response_headers[j].name);
        free(sk->inject_response_headers[j].value);
      }
    }
    free(sk->inject_request_headers);
    free(sk->inject_response_headers);
  }
  free(c->services);
  free(c->sockets);
  pool_free(c->priv);
  free(c);
}

const isl_config_service_t *isl_config_service(const isl_config_t *c, const char *name) {
  for (size_t i = 0; i < c->nservices; i++)
    if (c->services[i].name && strcmp(c->services[i].name, name) == 0) return &c->services[i];
  return NULL;
}
