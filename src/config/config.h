/* The config model: workerd's Config (config.capnp), checked against the parts of
 * workerd's schema islet implements, as plain C structs. Built from the generic tree of
 * capnp.h; no JavaScript, no I/O beyond what the parser reads (the file and its embeds).
 *
 * Every field islet does not implement yet is refused with "not supported: <field>" at its
 * position, never ignored. Unknown fields, wrong kinds, two members of one union, missing
 * required fields and names used twice are errors "file:line:col: what was expected".
 *
 * Ownership: isl_config_t owns everything it points to (strings and module bytes are
 * copied out of the parse tree, so the tree can be freed); isl_config_free releases it.
 * A config read from a file keeps its strings and bytes in a pool (priv): a value used
 * several times through one const (a Worker const named by two services, one embed) is
 * copied once and shared, so never free or keep a string of it past isl_config_free. A
 * config built by hand has priv == NULL and every string malloc'ed on its own; then
 * isl_config_free frees them one by one. Positions (pos) point to a copy of the file name
 * the config owns. A config is read-only once built and may be read from any thread.
 *
 * Defaults and rules (workerd's, unless said otherwise):
 * - compatibilityDate is optional here (workerd requires it); when given it must be a real
 *   date "YYYY-MM-DD". compatibilityFlags must be flags workerd knows
 *   (isl_config_compat_flag_known).
 * - serviceWorkerScript becomes one module of kind ISL_MOD_ESM holding the classic script,
 *   with service_worker_script = true (check that flag before treating the module as ESM);
 *   the module is named after the embedded file as written, or "worker.js" for an inline
 *   string.
 * - network: allow defaults to ["public"] when not given.
 * - A socket without http/https is http with the default options (workerd's union default).
 * - Service names referenced by sockets, service bindings and globalOutbound must be
 *   defined, except "internet", which workerd defines implicitly when the config does not;
 *   isl_config_service(c, "internet") is then NULL and the caller supplies the default
 *   network (allow public addresses only). */
#ifndef ISL_CONFIG_H
#define ISL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "capnp.h"

typedef enum {
  ISL_MOD_ESM,      /* esModule */
  ISL_MOD_CJS,      /* commonJsModule */
  ISL_MOD_TEXT,     /* text */
  ISL_MOD_DATA,     /* data */
  ISL_MOD_JSON,     /* json */
  ISL_MOD_WASM,     /* wasm */
} isl_config_module_kind_t;

typedef struct {
  char *name;                    /* as written; imports resolve against these names */
  isl_config_module_kind_t kind;
  char *bytes;                   /* the source or data (malloc'ed, NUL after len) */
  size_t len;
  isl_capnp_pos_t pos;           /* where the module (or serviceWorkerScript) is written */
} isl_config_module_t;

typedef enum {
  ISL_BIND_TEXT,     /* text = "…": a string */
  ISL_BIND_DATA,     /* data = 0x"…" / embed: an ArrayBuffer */
  ISL_BIND_JSON,     /* json = "…": the parsed value (text checked to be JSON by the worker) */
  ISL_BIND_WASM,     /* wasmModule = embed "x.wasm": a WebAssembly.Module */
  ISL_BIND_SERVICE,  /* service = "name" or (name = "…", entrypoint = "…"): a Fetcher */
  ISL_BIND_FROM_ENV, /* fromEnvironment = "VAR": the variable's value, or null when unset */
} isl_config_binding_kind_t;

typedef struct {
  char *name;
  isl_config_binding_kind_t kind;
  char *bytes; /* TEXT, DATA, JSON, WASM: the value (NUL after len); FROM_ENV: the variable */
  size_t len;
  char *service;    /* SERVICE: the target service's name */
  char *entrypoint; /* SERVICE: a named entrypoint, or NULL for the default export */
  isl_capnp_pos_t pos;
} isl_config_binding_t;

typedef enum {
  ISL_SVC_WORKER,
  ISL_SVC_NETWORK,  /* network = (allow = [...], deny = [...]) */
  ISL_SVC_EXTERNAL, /* external = (address = "host:port", http = ()) */
  ISL_SVC_DISK,     /* disk = (path = "...", writable = bool, allowDotfiles = bool) */
} isl_config_service_kind_t;

typedef struct {
  char *name;
  isl_config_service_kind_t kind;
  isl_capnp_pos_t pos;
  /* ISL_SVC_WORKER */
  isl_config_module_t *modules; /* modules = [...]: the first is the main module */
  size_t nmodules;
  bool service_worker_script;   /* serviceWorkerScript = "…" instead of modules (one
                                 * module of kind ESM... holding the classic script) */
  char *compatibility_date;     /* "YYYY-MM-DD" or NULL */
  char **compatibility_flags;
  size_t ncompatibility_flags;
  isl_config_binding_t *bindings;
  size_t nbindings;
  char *global_outbound;        /* globalOutbound's service name, or NULL (the default) */
  char *global_outbound_entrypoint; /* globalOutbound = (name = …, entrypoint = "E"), or NULL */
  /* ISL_SVC_NETWORK */
  char **allow, **deny;
  size_t nallow, ndeny;
  /* ISL_SVC_EXTERNAL: address; ISL_SVC_DISK: path */
  char *address;
  char *path;
  bool writable, allow_dotfiles;
  /* ISL_SVC_EXTERNAL: external = (http = (style = proxy, forwardedProtoHeader = "…")) */
  bool http_proxy_style;
  char *http_forwarded_proto_header;
} isl_config_service_t;

/* HttpOptions.Header: name is an HTTP token, value has no CR, LF, NUL nor leading or
 * trailing whitespace; value NULL (not given) removes the header. */
typedef struct {
  char *name;
  char *value;
} isl_config_header_t;

typedef struct {
  char *name;
  char *address;    /* "host:port", "*:port" or "unix:/path" */
  char *service;    /* the service it serves */
  bool proxy_style; /* http = (style = proxy) */
  char *forwarded_proto_header;
  /* http = (injectRequestHeaders = [...], injectResponseHeaders = [...]) */
  isl_config_header_t *inject_request_headers, *inject_response_headers;
  size_t ninject_request_headers, ninject_response_headers;
  isl_capnp_pos_t pos;
} isl_config_socket_t;

typedef struct isl_config_priv isl_config_priv_t;

typedef struct {
  isl_config_service_t *services;
  size_t nservices;
  isl_config_socket_t *sockets;
  size_t nsockets;
  isl_config_priv_t *priv; /* the string pool of a config read from a file; NULL by hand */
} isl_config_t;

/* A config may hold at most this many services, sockets, modules, bindings and list
 * entries in all (each time a const is used counts again): the bound keeps a small file
 * that names big consts many times from expanding into a huge model. */
#define ISL_CONFIG_MAX_ITEMS (1u << 20)

/* Reads the Config const of the file at path: the const named const_name (a leading '.'
 * is allowed), or, when const_name is NULL, the single const whose type is Workerd.Config.
 * Returns NULL with err filled: "file:line:col: …" for errors in the file, and without a
 * position (line = col = 0) "no const of type Workerd.Config in FILE" and "no const named
 * 'x' in FILE"; several Config consts give "FILE:L:C: several Config consts: a, b — name
 * one" at the second. A named const must be declared :Workerd.Config too. */
isl_config_t *isl_config_load(const char *path, const char *const_name, isl_capnp_error_t *err);
/* Builds the model from an already parsed file (f stays the caller's and may be freed
 * afterwards); const_name as for isl_config_load. Used by isl_config_load and by tests
 * that parse configs from strings. */
isl_config_t *isl_config_build(const isl_capnp_file_t *f, const char *const_name,
                               isl_capnp_error_t *err);
void isl_config_free(isl_config_t *c);

/* True if name is a compatibility flag workerd defines (enable or disable flag). Knowing a
 * flag does not mean islet implements what it changes. */
bool isl_config_compat_flag_known(const char *name);

/* The service named name, or NULL. */
const isl_config_service_t *isl_config_service(const isl_config_t *c, const char *name);

#endif
