/* Loading libcurl on first use: see curl_dl.h. */
#define ISL_CURL_DL_IMPL
#include "curl_dl.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

isl_curl_t isl_curl;

static int load_state; /* 0 not tried, 1 loaded, -1 failed */
static char load_error[256];

/* The soname of the runtime library libcurl4-openssl-dev's libcurl.so points at. */
#define CURL_SONAME "libcurl.so.4"

bool isl_curl_load(char *err, size_t errlen) {
  if (load_state == 0) {
    void *lib = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      snprintf(load_error, sizeof(load_error), "cannot load %s: %s", CURL_SONAME, dlerror());
      load_state = -1;
    } else {
      static const struct {
        const char *name;
        size_t offset;
      } fns[] = {
#define FN(field, sym) {sym, offsetof(isl_curl_t, field)}
          FN(global_init, "curl_global_init"),
          FN(global_cleanup, "curl_global_cleanup"),
          FN(easy_init, "curl_easy_init"),
          FN(easy_cleanup, "curl_easy_cleanup"),
          FN(easy_reset, "curl_easy_reset"),
          FN(easy_setopt, "curl_easy_setopt"),
          FN(easy_getinfo, "curl_easy_getinfo"),
          FN(easy_pause, "curl_easy_pause"),
          FN(easy_strerror, "curl_easy_strerror"),
          FN(free, "curl_free"),
          FN(multi_init, "curl_multi_init"),
          FN(multi_cleanup, "curl_multi_cleanup"),
          FN(multi_add_handle, "curl_multi_add_handle"),
          FN(multi_remove_handle, "curl_multi_remove_handle"),
          FN(multi_assign, "curl_multi_assign"),
          FN(multi_info_read, "curl_multi_info_read"),
          FN(multi_setopt, "curl_multi_setopt"),
          FN(multi_socket_action, "curl_multi_socket_action"),
          FN(slist_append, "curl_slist_append"),
          FN(slist_free_all, "curl_slist_free_all"),
          FN(url, "curl_url"),
          FN(url_cleanup, "curl_url_cleanup"),
          FN(url_get, "curl_url_get"),
          FN(url_set, "curl_url_set"),
#undef FN
      };
      load_state = 1;
      for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
        void *f = dlsym(lib, fns[i].name);
        if (!f) {
          snprintf(load_error, sizeof(load_error), "%s has no %s", CURL_SONAME, fns[i].name);
          load_state = -1;
          break;
        }
        /* A function pointer stored through its slot's bytes: dlsym returns data
         * pointers, which POSIX guarantees convertible to function pointers. */
        memcpy((char *)&isl_curl + fns[i].offset, &f, sizeof(f));
      }
    }
  }
  if (load_state < 0 && err && errlen) snprintf(err, errlen, "%s", load_error);
  return load_state > 0;
}
