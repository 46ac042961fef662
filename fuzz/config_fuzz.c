/* libFuzzer driver for the config model (src/config/config*.c) on top of the capnp parser.
 * Any bytes go in; embeds are served from memory (a path's content is the path itself).
 * Besides "no crash, no leak, no undefined behaviour" it checks what the runtime relies on
 * in a built config:
 *  - a failure has a message, and one with a position names the input "fuzz.capnp:…";
 *  - every service and socket has a name, names are unique, kinds are in range;
 *  - strings and bytes are NUL-terminated, module names unique per worker, a worker has
 *    modules; every service name a socket, binding or globalOutbound uses is defined
 *    (or is "internet");
 *  - positions name the file, through the config's own copy of its name.
 * See fuzz/README.md. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "config/config.h"

#define ASSERT(c)                                                                 \
  do {                                                                            \
    if (!(c)) {                                                                   \
      fprintf(stderr, "invariant failed at %s:%d: %s\n", __FILE__, __LINE__, #c); \
      abort();                                                                    \
    }                                                                             \
  } while (0)

static const char NAME[] = "fuzz.capnp";

static int read_embed(void *ud, const char *path, char **data, size_t *len) {
  (void)ud;
  *data = isl_strdup(path);
  *len = strlen(path);
  return 0;
}

static void check_str(const char *s) {
  ASSERT(s != NULL);
  (void)strlen(s); /* ASan: terminated inside its block */
}

static void check_bytes(const char *p, size_t len) {
  ASSERT(p != NULL);
  ASSERT(p[len] == 0);
}

static void check_pos(isl_capnp_pos_t pos) {
  ASSERT(pos.file && strcmp(pos.file, NAME) == 0);
  ASSERT(pos.line >= 1 && pos.col >= 1);
}

static void check_ref(const isl_config_t *c, const char *name) {
  check_str(name);
  ASSERT(isl_config_service(c, name) != NULL || strcmp(name, "internet") == 0);
}

static void check_config(const isl_config_t *c) {
  for (size_t i = 0; i < c->nservices; i++) {
    const isl_config_service_t *s = &c->services[i];
    check_str(s->name);
    check_pos(s->pos);
    ASSERT(isl_config_service(c, s->name) == s);
    ASSERT(s->kind <= ISL_SVC_DISK);
    if (s->kind == ISL_SVC_WORKER) {
      ASSERT(s->nmodules >= 1);
      for (size_t j = 0; j < s->nmodules; j++) {
        check_str(s->modules[j].name);
        check_bytes(s->modules[j].bytes, s->modules[j].len);
        check_pos(s->modules[j].pos);
        ASSERT(s->modules[j].kind <= ISL_MOD_WASM);
        for (size_t k = 0; k < j; k++) ASSERT(strcmp(s->modules[k].name, s->modules[j].name));
      }
      ASSERT(!s->service_worker_script || s->nmodules == 1);
      for (size_t j = 0; j < s->ncompatibility_flags; j++)
        ASSERT(isl_config_compat_flag_known(s->compatibility_flags[j]));
      if (s->compatibility_date) ASSERT(strlen(s->compatibility_date) == 10);
      for (size_t j = 0; j < s->nbindings; j++) {
        const isl_config_binding_t *b = &s->bindings[j];
        check_str(b->name);
        check_pos(b->pos);
        if (b->kind == ISL_BIND_SERVICE)
          check_ref(c, b->service);
        else
          check_bytes(b->bytes, b->len);
      }
      if (s->global_outbound) check_ref(c, s->global_outbound);
    } else if (s->kind == ISL_SVC_NETWORK) {
      ASSERT(s->nallow >= 1 || s->allow);
      for (size_t j = 0; j < s->nallow; j++) check_str(s->allow[j]);
      for (size_t j = 0; j < s->ndeny; j++) check_str(s->deny[j]);
    } else if (s->kind == ISL_SVC_EXTERNAL) {
      check_str(s->address);
    } else {
      check_str(s->path);
    }
  }
  for (size_t i = 0; i < c->nsockets; i++) {
    const isl_config_socket_t *k = &c->sockets[i];
    check_str(k->name);
    check_str(k->address);
    check_ref(c, k->service);
    check_pos(k->pos);
    for (size_t j = 0; j < i; j++) ASSERT(strcmp(c->sockets[j].name, k->name));
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  isl_capnp_opts_t opts = {.read_embed = read_embed};
  isl_capnp_error_t err;
  isl_capnp_file_t *f = isl_capnp_parse_string_opts((const char *)data, size, NAME, &opts, &err);
  if (!f) return 0;
  const char *names[] = {NULL, "config"};
  for (size_t i = 0; i < 2; i++) {
    isl_config_t *c = isl_config_build(f, names[i], &err);
    if (c) {
      check_config(c);
      isl_config_free(c);
    } else {
      ASSERT(err.msg[0] != 0);
      if (err.line > 0) ASSERT(strncmp(err.msg, "fuzz.capnp:", 11) == 0);
    }
  }
  isl_capnp_free(f);
  return 0;
}
