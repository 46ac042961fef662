/* The Worker part of the config model: modules (or a classic serviceWorkerScript), the
 * compatibility date and flags, bindings and globalOutbound. Fields of workerd's Worker
 * that islet does not implement yet are refused by name. */
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

static bool is(const isl_capnp_field_t *fd, const char *name) {
  return strcmp(fd->name, name) == 0;
}

static bool is_one_of(const char *name, const char *const *names) {
  for (; *names; names++)
    if (strcmp(name, *names) == 0) return true;
  return false;
}

/* --- Module --- */

static const struct {
  const char *field;
  isl_config_module_kind_t kind;
  bool text; /* Text in workerd's schema; the others are Data */
} module_kinds[] = {
    {"esModule", ISL_MOD_ESM, true}, {"commonJsModule", ISL_MOD_CJS, true},
    {"text", ISL_MOD_TEXT, true},    {"data", ISL_MOD_DATA, false},
    {"json", ISL_MOD_JSON, true},    {"wasm", ISL_MOD_WASM, false},
};

static const char *const module_unsupported[] = {"namedExports", "obsolete", "pythonModule",
                                                 "obsoletePythonRequirement", NULL};

static bool read_module(isl_cfg_t *x, const isl_capnp_value_t *v, isl_config_module_t *m,
                        isl_cfg_names_t *names) {
  isl_cfg_struct_t s;
  if (!isl_cfg_struct(x, v, "Worker.Module", "name", &s)) return false;
  m->pos = isl_cfg_pos(x, s.pos);
  const isl_capnp_field_t *member = NULL;
  for (size_t i = 0; i < s.n; i++) {
    const isl_capnp_field_t *fd = &s.fields[i];
    if (!isl_cfg_field_once(x, &s, i)) return false;
    if (is(fd, "name")) {
      const isl_capnp_value_t *nv;
      if (!isl_cfg_text(x, "name", fd->value, &m->name, NULL, &nv)) return false;
      if (!isl_cfg_names_add(names, m->name)) {
        isl_capnp_error_at(x->err, nv->pos, "two modules named '%s'", m->name);
        return false;
      }
      continue;
    }
    if (is_one_of(fd->name, module_unsupported)) return isl_cfg_unsupported(x, fd);
    size_t k = 0;
    while (k < sizeof module_kinds / sizeof *module_kinds && !is(fd, module_kinds[k].field)) k++;
    if (k == sizeof module_kinds / sizeof *module_kinds) return isl_cfg_unknown(x, &s, fd);
    if (!isl_cfg_union(x, &member, fd)) return false;
    m->kind = module_kinds[k].kind;
    bool ok = module_kinds[k].text
                  ? isl_cfg_text(x, fd->name, fd->value, &m->bytes, &m->len, NULL)
                  : isl_cfg_data(x, fd->name, fd->value, &m->bytes, &m->len);
    if (!ok) return false;
  }
  if (!m->name) {
    isl_capnp_error_at(x->err, s.pos, "module needs a name");
    return false;
  }
  if (!member) {
    isl_capnp_error_at(x->err, s.pos,
                       "module '%s' needs one of esModule, commonJsModule, text, data, json, wasm",
                       m->name);
    return false;
  }
  return true;
}

static bool read_modules(isl_cfg_t *x, const isl_capnp_field_t *fd, isl_config_service_t *svc) {
  const isl_capnp_value_t *const *items;
  size_t n;
  if (!isl_cfg_list(x, "modules", fd->value, &items, &n)) return false;
  if (n == 0) {
    isl_capnp_error_at(x->err, fd->pos, "modules: a worker needs at least one module");
    return false;
  }
  svc->modules = isl_calloc(n, sizeof *svc->modules);
  svc->nmodules = n;
  isl_cfg_names_t names = {0};
  bool ok = true;
  for (size_t i = 0; ok && i < n; i++)
    ok = isl_cfg_count(x, items[i]->pos) && read_module(x, items[i], &svc->modules[i], &names);
  isl_cfg_names_free(&names);
  return ok;
}

static bool read_script(isl_cfg_t *x, const isl_capnp_field_t *fd, isl_config_service_t *svc) {
  isl_config_module_t *m = svc->modules = isl_calloc(1, sizeof *svc->modules);
  svc->nmodules = 1;
  svc->service_worker_script = true;
  m->kind = ISL_MOD_ESM;
  m->pos = isl_cfg_pos(x, fd->pos);
  const isl_capnp_value_t *r;
  if (!isl_cfg_text(x, "serviceWorkerScript", fd->value, &m->bytes, &m->len, &r)) return false;
  /* Named after the file it came from, for stack traces and messages. */
  m->name = isl_cfg_intern_lit(x, r->kind == ISL_CAPNP_EMBED ? r->embed.path : "worker.js");
  return true;
}

/* --- compatibility --- */

static bool read_date(isl_cfg_t *x, const isl_capnp_field_t *fd, isl_config_service_t *svc) {
  const isl_capnp_value_t *r;
  size_t len;
  if (!isl_cfg_text(x, "compatibilityDate", fd->value, &svc->compatibility_date, &len, &r))
    return false;
  if (!isl_cfg_date_valid(svc->compatibility_date, len)) {
    isl_capnp_error_at(x->err, r->pos,
                       "compatibilityDate: '%.40s' is not a real date written YYYY-MM-DD",
                       svc->compatibility_date);
    return false;
  }
  return true;
}

static bool read_flags(isl_cfg_t *x, const isl_capnp_field_t *fd, isl_config_service_t *svc) {
  const isl_capnp_value_t *const *items;
  size_t n;
  if (!isl_cfg_list(x, "compatibilityFlags", fd->value, &items, &n)) return false;
  svc->compatibility_flags = isl_calloc(n ? n : 1, sizeof *svc->compatibility_flags);
  isl_cfg_names_t seen = {0};
  bool ok = true;
  for (size_t i = 0; ok && i < n; i++) {
    const isl_capnp_value_t *r;
    char *flag;
    ok = isl_cfg_count(x, items[i]->pos) &&
         isl_cfg_text(x, "compatibilityFlags", items[i], &flag, NULL, &r);
    if (!ok) break;
    svc->compatibility_flags[svc->ncompatibility_flags++] = flag;
    if (!isl_config_compat_flag_known(flag)) {
      isl_capnp_error_at(x->err, r->pos, "unknown compatibility flag '%.200s'", flag);
      ok = false;
    } else if (!isl_cfg_names_add(&seen, flag)) {
      isl_capnp_error_at(x->err, r->pos, "compatibility flag '%s' is given twice", flag);
      ok = false;
    }
  }
  isl_cfg_names_free(&seen);
  return ok;
}

/* --- Binding --- */

static const char *const binding_unsupported[] = {
    "parameter",  "cryptoKey",       "durableObjectClass", "durableObjectNamespace",
    "kvNamespace", "r2Bucket",       "obsolete0",          "wrapped",
    "queue",      "analyticsEngine", "hyperdrive",         "unsafeEval",
    "memoryCache", "workerLoader",   "workerdDebugPort",   NULL};

static const char *const binding_kinds[] = {"text",            "data",    "json", "wasmModule",
                                            "fromEnvironment", "service", NULL};

static bool read_binding(isl_cfg_t *x, const isl_capnp_value_t *v, isl_config_binding_t *b,
                         isl_cfg_names_t *names) {
  isl_cfg_struct_t s;
  if (!isl_cfg_struct(x, v, "Worker.Binding", "name", &s)) return false;
  b->pos = isl_cfg_pos(x, s.pos);
  const isl_capnp_field_t *member = NULL;
  for (size_t i = 0; i < s.n; i++) {
    const isl_capnp_field_t *fd = &s.fields[i];
    if (!isl_cfg_field_once(x, &s, i)) return false;
    if (is(fd, "name")) {
      const isl_capnp_value_t *nv;
      if (!isl_cfg_text(x, "name", fd->value, &b->name, NULL, &nv)) return false;
      if (!isl_cfg_names_add(names, b->name)) {
        isl_capnp_error_at(x->err, nv->pos, "two bindings named '%s'", b->name);
        return false;
      }
      continue;
    }
    if (is_one_of(fd->name, binding_unsupported)) {
      isl_capnp_error_at(x->err, fd->pos, "not supported yet: binding kind '%s'", fd->name);
      return false;
    }
    if (is(fd, "unspecified")) return isl_cfg_unsupported(x, fd);
    if (!is_one_of(fd->name, binding_kinds)) return isl_cfg_unknown(x, &s, fd);
    if (!isl_cfg_union(x, &member, fd)) return false;
    bool ok;
    if (is(fd, "text")) {
      b->kind = ISL_BIND_TEXT;
      ok = isl_cfg_text(x, "text", fd->value, &b->bytes, &b->len, NULL);
    } else if (is(fd, "data")) {
      b->kind = ISL_BIND_DATA;
      ok = isl_cfg_data(x, "data", fd->value, &b->bytes, &b->len);
    } else if (is(fd, "json")) {
      b->kind = ISL_BIND_JSON;
      ok = isl_cfg_text(x, "json", fd->value, &b->bytes, &b->len, NULL);
    } else if (is(fd, "wasmModule")) {
      b->kind = ISL_BIND_WASM;
      ok = isl_cfg_data(x, "wasmModule", fd->value, &b->bytes, &b->len);
    } else if (is(fd, "fromEnvironment")) {
      b->kind = ISL_BIND_FROM_ENV;
      ok = isl_cfg_text(x, "fromEnvironment", fd->value, &b->bytes, &b->len, NULL);
    } else {
      b->kind = ISL_BIND_SERVICE;
      ok = isl_cfg_designator(x, "service", fd->value, &b->service, &b->entrypoint);
    }
    if (!ok) return false;
  }
  if (!b->name) {
    isl_capnp_error_at(x->err, s.pos, "binding needs a name");
    return false;
  }
  if (!member) {
    isl_capnp_error_at(x->err, s.pos,
                       "binding '%s' needs a value: one of text, data, json, wasmModule, "
                       "fromEnvironment, service",
                       b->name);
    return false;
  }
  return true;
}

static bool read_bindings(isl_cfg_t *x, const isl_capnp_field_t *fd, isl_config_service_t *svc) {
  const isl_capnp_value_t *const *items;
  size_t n;
  if (!isl_cfg_list(x, "bindings", fd->value, &items, &n)) return false;
  svc->bindings = isl_calloc(n ? n : 1, sizeof *svc->bindings);
  svc->nbindings = n;
  isl_cfg_names_t names = {0};
  bool ok = true;
  for (size_t i = 0; ok && i < n; i++)
    ok = isl_cfg_count(x, items[i]->pos) && read_binding(x, items[i], &svc->bindings[i], &names);
  isl_cfg_names_free(&names);
  return ok;
}

/* --- Worker --- */

static const char *const worker_unsupported[] = {
    "inherit",        "cacheApiOutbound",     "durableObjectNamespaces",
    "durableObjectUniqueKeyModifier",         "durableObjectStorage",
    "moduleFallback", "tails",                "streamingTails",
    "containerEngine", "accessBlobHeader",    "accessBindingService",
    "workflowsEngine", NULL};

bool isl_cfg_worker(isl_cfg_t *x, const isl_capnp_value_t *v, isl_config_service_t *svc) {
  isl_cfg_struct_t s;
  if (!isl_cfg_struct(x, v, "Worker", "modules", &s)) return false;
  const isl_capnp_field_t *code = NULL;
  for (size_t i = 0; i < s.n; i++) {
    const isl_capnp_field_t *fd = &s.fields[i];
    if (!isl_cfg_field_once(x, &s, i)) return false;
    bool ok;
    if (is(fd, "modules")) {
      ok = isl_cfg_union(x, &code, fd) && read_modules(x, fd, svc);
    } else if (is(fd, "serviceWorkerScript")) {
      ok = isl_cfg_union(x, &code, fd) && read_script(x, fd, svc);
    } else if (is(fd, "compatibilityDate")) {
      ok = read_date(x, fd, svc);
    } else if (is(fd, "compatibilityFlags")) {
      ok = read_flags(x, fd, svc);
    } else if (is(fd, "bindings")) {
      ok = read_bindings(x, fd, svc);
    } else if (is(fd, "globalOutbound")) {
      ok = isl_cfg_designator(x, "globalOutbound", fd->value, &svc->global_outbound,
                              &svc->global_outbound_entrypoint);
    } else if (is_one_of(fd->name, worker_unsupported)) {
      return isl_cfg_unsupported(x, fd);
    } else {
      return isl_cfg_unknown(x, &s, fd);
    }
    if (!ok) return false;
  }
  if (!code) {
    isl_capnp_error_at(x->err, s.pos, "worker '%s' needs modules or serviceWorkerScript",
                       svc->name);
    return false;
  }
  return true;
}
