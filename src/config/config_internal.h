/* Private to src/config/config*.c: the state of one model build and the readers that turn
 * tree values into C values. Every reader resolves const references itself, reports the
 * first error into the build's err and returns false; the build stops there. */
#ifndef ISL_CONFIG_INTERNAL_H
#define ISL_CONFIG_INTERNAL_H

#include "../base/base.h"
#include "config.h"

/* A service name written somewhere (socket, service binding, globalOutbound), checked
 * against the defined services once all are read. */
typedef struct {
  const char *name; /* the pooled copy */
  isl_capnp_pos_t pos;
} isl_cfg_ref_t;

/* A set of borrowed names; zeroed is empty. */
typedef struct {
  const char **v;
  size_t n, cap;
} isl_cfg_names_t;

/* Adds name; false if it was there already. */
bool isl_cfg_names_add(isl_cfg_names_t *st, const char *name);
bool isl_cfg_names_has(const isl_cfg_names_t *st, const char *name);
void isl_cfg_names_free(isl_cfg_names_t *st);

typedef struct {
  const isl_capnp_file_t *f;
  isl_capnp_error_t *err;
  isl_config_t *c;
  const char *file; /* the pooled copy of f->path, for the model's positions */
  isl_cfg_ref_t *refs;
  size_t nrefs, refs_cap;
  size_t items; /* against ISL_CONFIG_MAX_ITEMS */
  isl_cfg_names_t service_names, socket_names;
} isl_cfg_t;

/* A struct value's fields, or the single field a plain value stands for. */
typedef struct {
  const isl_capnp_field_t *fields;
  size_t n;
  isl_capnp_field_t one; /* the plain value, given to the struct's first field */
  isl_capnp_pos_t pos;   /* of the struct (or of the plain value) */
  const char *type;      /* "Service", for messages */
} isl_cfg_struct_t;

/* Resolves v (a value expected to be a struct of workerd type `type`, e.g. "Worker" or
 * "Worker.Binding") into s. A plain value becomes one field named first. A const holding
 * a struct literal must be declared with that type. */
bool isl_cfg_struct(isl_cfg_t *x, const isl_capnp_value_t *v, const char *type,
                    const char *first, isl_cfg_struct_t *s);
/* Checks field i of s is not a repeat of an earlier one. */
bool isl_cfg_field_once(isl_cfg_t *x, const isl_cfg_struct_t *s, size_t i);
/* Records that a member of a union was given: error if *slot already holds another. */
bool isl_cfg_union(isl_cfg_t *x, const isl_capnp_field_t **slot, const isl_capnp_field_t *fd);
bool isl_cfg_unknown(isl_cfg_t *x, const isl_cfg_struct_t *s, const isl_capnp_field_t *fd);
bool isl_cfg_unsupported(isl_cfg_t *x, const isl_capnp_field_t *fd);
/* Counts one more model item; false past ISL_CONFIG_MAX_ITEMS. */
bool isl_cfg_count(isl_cfg_t *x, isl_capnp_pos_t pos);

/* Readers. label names the field in messages ("name: expected a string, got a list"). *out
 * is a pooled copy with a NUL after it. rv, when not NULL, gets the resolved value (for
 * its position). */
bool isl_cfg_text(isl_cfg_t *x, const char *label, const isl_capnp_value_t *v, char **out,
                  size_t *len, const isl_capnp_value_t **rv);
bool isl_cfg_data(isl_cfg_t *x, const char *label, const isl_capnp_value_t *v, char **out,
                  size_t *len);
bool isl_cfg_bool(isl_cfg_t *x, const char *label, const isl_capnp_value_t *v, bool *out);
/* A List(Text): *out is a malloc'ed array of pooled strings. */
bool isl_cfg_text_list(isl_cfg_t *x, const char *label, const isl_capnp_value_t *v,
                       char ***out, size_t *n);
/* The items of a list value (resolved). */
bool isl_cfg_list(isl_cfg_t *x, const char *label, const isl_capnp_value_t *v,
                  const isl_capnp_value_t *const **items, size_t *n);
/* A ServiceDesignator: name required (recorded for the cross-check), entrypoint optional;
 * props is not supported. */
bool isl_cfg_designator(isl_cfg_t *x, const char *label, const isl_capnp_value_t *v,
                        char **name, char **entrypoint);
/* A pooled copy of a string islet makes up (defaults). */
char *isl_cfg_intern_lit(isl_cfg_t *x, const char *s);
/* The model's copy of a tree position (file name owned by the config). */
isl_capnp_pos_t isl_cfg_pos(isl_cfg_t *x, isl_capnp_pos_t pos);

/* config_worker.c */
bool isl_cfg_worker(isl_cfg_t *x, const isl_capnp_value_t *v, isl_config_service_t *svc);
/* config_flags.c: "YYYY-MM-DD" naming a real day. */
bool isl_cfg_date_valid(const char *s, size_t len);

#endif
