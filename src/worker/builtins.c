/* Built-in modules: specifiers such as "cloudflare:workers" that the linker answers from
 * C instead of the file system. Each entry builds its namespace's values once per worker;
 * later issues add node:* and cloudflare:sockets here. */
#include <string.h>

#include "builtins.h"

/* cloudflare:workers — the base classes user code extends. Their constructors keep
 * (ctx, env) as `this.ctx` and `this.env`, as workerd's do; RPC and Durable Object
 * behaviour arrives with the issues that need them. */

static JSObjectRef js_entrypoint_new(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                     const JSValueRef argv[], JSValueRef *exc, isl_class_def_t *def) {
  (void)exc;
  JSObjectRef self = isl_wrap_new(ctx, def, NULL, new_target);
  isl_set(ctx, self, "ctx", ISL_ARG(0), NULL);
  isl_set(ctx, self, "env", ISL_ARG(1), NULL);
  return self;
}

static isl_class_def_t worker_entrypoint_class, durable_object_class, rpc_target_class;

static JSObjectRef js_worker_entrypoint_new(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                            const JSValueRef argv[], JSValueRef *exc) {
  return js_entrypoint_new(ctx, new_target, argc, argv, exc, &worker_entrypoint_class);
}

static JSObjectRef js_durable_object_new(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                         const JSValueRef argv[], JSValueRef *exc) {
  return js_entrypoint_new(ctx, new_target, argc, argv, exc, &durable_object_class);
}

static JSObjectRef js_rpc_target_new(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                     const JSValueRef argv[], JSValueRef *exc) {
  (void)argc;
  (void)argv;
  (void)exc;
  return isl_wrap_new(ctx, &rpc_target_class, NULL, new_target);
}

static isl_class_def_t worker_entrypoint_class = {
    .name = "WorkerEntrypoint", .construct = js_worker_entrypoint_new, .length = 2,
    .not_global = true};
static isl_class_def_t durable_object_class = {
    .name = "DurableObject", .construct = js_durable_object_new, .length = 2,
    .not_global = true};
static isl_class_def_t rpc_target_class = {
    .name = "RpcTarget", .construct = js_rpc_target_new, .not_global = true};

static void build_cloudflare_workers(JSContextRef ctx, JSObjectRef env, JSObjectRef ns) {
  isl_realm_t *r = isl_realm_of(ctx);
  isl_set(ctx, ns, "DurableObject", isl_class_install(r, &durable_object_class), NULL);
  isl_set(ctx, ns, "RpcTarget", isl_class_install(r, &rpc_target_class), NULL);
  isl_set(ctx, ns, "WorkerEntrypoint", isl_class_install(r, &worker_entrypoint_class), NULL);
  isl_set(ctx, ns, "env", env, NULL);
}

static const struct {
  const char *name;
  void (*build)(JSContextRef ctx, JSObjectRef env, JSObjectRef ns);
} builtins[] = {
    {"cloudflare:workers", build_cloudflare_workers},
};

bool isl_builtin_exists(const char *specifier) {
  for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
    if (strcmp(builtins[i].name, specifier) == 0) return true;
  return false;
}

bool isl_builtin_fill(JSContextRef ctx, const char *specifier, JSObjectRef env, JSObjectRef ns) {
  for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++) {
    if (strcmp(builtins[i].name, specifier) == 0) {
      builtins[i].build(ctx, env, ns);
      return true;
    }
  }
  return false;
}
