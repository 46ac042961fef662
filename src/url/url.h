/* The WHATWG URL Standard (https://url.spec.whatwg.org/) in C: the URL record, the basic
 * URL parser (with state overrides for the URL class's setters), the host parser (domains
 * through UTS #46 with ICU, IPv4, IPv6, opaque hosts), the serializers and the origin.
 * No JavaScript, no I/O.
 *
 * Strings are UTF-8 in and ASCII out. Input that is not valid UTF-8 is read as the
 * Encoding Standard's decoder would (U+FFFD per maximal invalid subpart), so any bytes
 * are safe to pass; a JS string converted as a USVString is always valid. Every string
 * in a parsed record is ASCII. */
#ifndef ISL_URL_URL_H
#define ISL_URL_URL_H

#include "../base/base.h"

typedef enum {
  ISL_HOST_NULL = 0, /* no host */
  ISL_HOST_DOMAIN,
  ISL_HOST_IPV4,
  ISL_HOST_IPV6,
  ISL_HOST_OPAQUE,
  ISL_HOST_EMPTY,
} isl_host_kind_t;

/* A host and its serialization (IPv6 with its brackets). */
typedef struct {
  isl_host_kind_t kind;
  isl_buf_t text;
} isl_host_t;

/* A URL record. isl_buf_t fields may have p == NULL when empty: use isl_url_str(). */
typedef struct {
  isl_buf_t scheme; /* lowercase, without ':' */
  isl_buf_t username, password;
  isl_host_t host;
  int32_t port; /* -1: null */
  bool has_opaque_path;
  isl_buf_t opaque_path; /* when has_opaque_path */
  char **path;           /* the segments otherwise (each owned) */
  size_t npath, cappath;
  bool has_query, has_fragment; /* false: null */
  isl_buf_t query, fragment;
} isl_url_t;

/* The states a setter can start the parser in (the URL Standard's state overrides). */
typedef enum {
  ISL_URL_NO_OVERRIDE = 0,
  ISL_URL_SCHEME_START,
  ISL_URL_HOST,
  ISL_URL_HOSTNAME,
  ISL_URL_PORT,
  ISL_URL_PATH_START,
  ISL_URL_QUERY,
  ISL_URL_FRAGMENT,
} isl_url_override_t;

/* The basic URL parser: parses input[0..n) against base (NULL: none) into *out, which
 * must be uninitialised or disposed. Returns false on failure (out is then empty). */
bool isl_url_parse(const char *input, size_t n, const isl_url_t *base, isl_url_t *out);

/* The basic URL parser with url and a state override: modifies url in place as the
 * spec's setters do (a failure may leave earlier components changed, as the spec says).
 * Returns false if the parser returned failure. */
bool isl_url_parse_override(const char *input, size_t n, isl_url_t *url,
                            isl_url_override_t state);

/* The API URL parser as one call: input against the optional base string (NULL: none).
 * Returns the href (malloc'ed) or NULL if either fails to parse. credentials (optional)
 * tells whether the URL includes a username or password (Fetch rejects those). */
char *isl_url_parse_href(const char *input, size_t n, const char *base, size_t base_n,
                         bool *credentials);

void isl_url_init(isl_url_t *url);
void isl_url_dispose(isl_url_t *url);
void isl_url_copy(isl_url_t *dst, const isl_url_t *src); /* dst uninitialised */

/* A component as a C string ("" when empty). */
static inline const char *isl_url_str(const isl_buf_t *b) { return b->p ? b->p : ""; }

bool isl_url_is_special(const isl_url_t *url);
/* The default port of a scheme, or -1. */
int isl_url_default_port(const char *scheme, size_t n);
bool isl_url_includes_credentials(const isl_url_t *url);
bool isl_url_cannot_have_credentials_or_port(const isl_url_t *url);

/* Serializers; each appends to out. */
void isl_url_serialize(const isl_url_t *url, bool exclude_fragment, isl_buf_t *out);
void isl_url_serialize_path(const isl_url_t *url, isl_buf_t *out);
/* The serialization of the URL's origin: "scheme://host[:port]" or "null". */
void isl_url_serialize_origin(const isl_url_t *url, isl_buf_t *out);

/* The URL class's setters (URL Standard §6.1), on the record. The href setter is
 * isl_url_parse into a new record. search and hash take the value as given (with or
 * without the leading '?' / '#'). */
void isl_url_set_protocol(isl_url_t *url, const char *v, size_t n);
void isl_url_set_username(isl_url_t *url, const char *v, size_t n);
void isl_url_set_password(isl_url_t *url, const char *v, size_t n);
void isl_url_set_host(isl_url_t *url, const char *v, size_t n);
void isl_url_set_hostname(isl_url_t *url, const char *v, size_t n);
void isl_url_set_port(isl_url_t *url, const char *v, size_t n);
void isl_url_set_pathname(isl_url_t *url, const char *v, size_t n);
void isl_url_set_search(isl_url_t *url, const char *v, size_t n);
void isl_url_set_hash(isl_url_t *url, const char *v, size_t n);

/* ---- Hosts (host.c) ------------------------------------------------------------------- */

/* The host parser on a UTF-8 string: is_opaque for URLs that are not special. Fills *out
 * (uninitialised) and returns true, or returns false on failure. */
bool isl_host_parse(const char *input, size_t n, bool is_opaque, isl_host_t *out);
void isl_host_dispose(isl_host_t *h);

/* Domain to ASCII (beStrict = false): UTS #46 ToASCII with CheckBidi and CheckJoiners,
 * nontransitional, without STD3 rules, hyphen checks or DNS lengths, then the URL
 * Standard's own checks (not empty, no forbidden domain code point). Appends the result
 * to out; false on failure. */
bool isl_domain_to_ascii(const char *domain, size_t n, isl_buf_t *out);

/* The IPv4 parser on an ASCII string (already known to end in a number). */
bool isl_ipv4_parse(const char *s, size_t n, uint32_t *out);
/* The IPv6 parser on the text between the brackets. */
bool isl_ipv6_parse(const char *s, size_t n, uint16_t out[8]);
void isl_ipv4_serialize(uint32_t addr, isl_buf_t *out);
void isl_ipv6_serialize(const uint16_t addr[8], isl_buf_t *out); /* without brackets */
/* The "ends in a number" checker. */
bool isl_host_ends_in_number(const char *s, size_t n);

#endif
