/* libcurl, loaded when the first network request needs it rather than at start-up.
 *
 * Linking libcurl maps it and what it depends on (OpenSSL, GnuTLS, Kerberos, LDAP, …)
 * into every islet process: about 4.5 MB of resident memory and their relocations at
 * start, for workers that may never reach the network. So http_client.c calls libcurl
 * through this table, filled by dlopen/dlsym on first use; the headers still come from
 * libcurl4-openssl-dev, so the prototypes are libcurl's own.
 *
 * Include this instead of <curl/curl.h>: it maps the curl_* names used by islet to the
 * table. */
#ifndef ISL_CURL_DL_H
#define ISL_CURL_DL_H

#include <stdbool.h>
#include <stddef.h>

/* The table's entries are plain function pointers: the type-checking macros of
 * typecheck-gcc.h would wrap the names this file redefines. */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

typedef struct {
  CURLcode (*global_init)(long flags);
  void (*global_cleanup)(void);
  CURL *(*easy_init)(void);
  void (*easy_cleanup)(CURL *h);
  void (*easy_reset)(CURL *h);
  CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
  CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
  CURLcode (*easy_pause)(CURL *h, int bitmask);
  const char *(*easy_strerror)(CURLcode code);
  void (*free)(void *p);
  CURLM *(*multi_init)(void);
  CURLMcode (*multi_cleanup)(CURLM *m);
  CURLMcode (*multi_add_handle)(CURLM *m, CURL *h);
  CURLMcode (*multi_remove_handle)(CURLM *m, CURL *h);
  CURLMcode (*multi_assign)(CURLM *m, curl_socket_t s, void *p);
  CURLMsg *(*multi_info_read)(CURLM *m, int *left);
  CURLMcode (*multi_setopt)(CURLM *m, CURLMoption opt, ...);
  CURLMcode (*multi_socket_action)(CURLM *m, curl_socket_t s, int ev, int *running);
  struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
  void (*slist_free_all)(struct curl_slist *l);
  CURLU *(*url)(void);
  void (*url_cleanup)(CURLU *u);
  CURLUcode (*url_get)(const CURLU *u, CURLUPart what, char **part, unsigned int flags);
  CURLUcode (*url_set)(CURLU *u, CURLUPart what, const char *part, unsigned int flags);
} isl_curl_t;

extern isl_curl_t isl_curl;

/* Loads libcurl (once; later calls return the first outcome). false with a message in
 * err when it cannot be loaded or lacks a function islet needs. */
bool isl_curl_load(char *err, size_t errlen);

#ifndef ISL_CURL_DL_IMPL
/* curl.h defines these four as function-like macros (to insist on three arguments). */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_multi_setopt
#define curl_global_init isl_curl.global_init
#define curl_global_cleanup isl_curl.global_cleanup
#define curl_easy_init isl_curl.easy_init
#define curl_easy_cleanup isl_curl.easy_cleanup
#define curl_easy_reset isl_curl.easy_reset
#define curl_easy_setopt isl_curl.easy_setopt
#define curl_easy_getinfo isl_curl.easy_getinfo
#define curl_easy_pause isl_curl.easy_pause
#define curl_easy_strerror isl_curl.easy_strerror
#define curl_free isl_curl.free
#define curl_multi_init isl_curl.multi_init
#define curl_multi_cleanup isl_curl.multi_cleanup
#define curl_multi_add_handle isl_curl.multi_add_handle
#define curl_multi_remove_handle isl_curl.multi_remove_handle
#define curl_multi_assign isl_curl.multi_assign
#define curl_multi_info_read isl_curl.multi_info_read
#define curl_multi_setopt isl_curl.multi_setopt
#define curl_multi_socket_action isl_curl.multi_socket_action
#define curl_slist_append isl_curl.slist_append
#define curl_slist_free_all isl_curl.slist_free_all
#define curl_url isl_curl.url
#define curl_url_cleanup isl_curl.url_cleanup
#define curl_url_get isl_curl.url_get
#define curl_url_set isl_curl.url_set
#endif

#endif
