/* URLPattern, the WHATWG URL Pattern Standard (https://urlpattern.spec.whatwg.org/), with
 * the interface workerd exposes: the constructor (a pattern string with an optional base
 * URL, or a URLPatternInit; URLPatternOptions { ignoreCase }), test(), exec(), the eight
 * component getters and hasRegExpGroups.
 *
 * This file is the Web IDL shape only: the class, its brand checks and the global. The
 * standard's algorithms are src/api/urlpattern.js (the one API written in JS; that file
 * says why), compiled into the binary (src/base/embed.h). Most workers never make a
 * URLPattern, so that file is a lazy helper (isl_lazy_def_t): compiled in a realm when
 * its first URLPattern is made, from built-ins captured here at install, before user code
 * runs. What it returns (construct/test/exec) is kept by the realm, and each URLPattern
 * keeps its compiled pattern (a frozen object holding the pattern strings and RegExps) in
 * a private slot of its wrapper, so user code reaches neither. */
#include "api.h"
#include "../base/embed.h"

ISL_EMBED(isl_embed_api_urlpattern_js);

/* The private slot holding a pattern's compiled form. */
#define PATTERN_SLOT "urlpattern"

/* Every built-in urlpattern.js uses, taken at install: the engine reads these and nothing
 * else (a name missing here is an undefined the engine calls, which its tests catch). */
static const char capture_src[] =
    "({\n"
    "  __proto__: null, ReflectApply: Reflect.apply, ObjectCreate: Object.create,\n"
    "  ObjectDefineProperty: Object.defineProperty, ObjectFreeze: Object.freeze, TypeError,\n"
    "  RegExp, encodeURIComponent, JSONStringify: JSON.stringify,\n"
    "  codePointAt: String.prototype.codePointAt, slice: String.prototype.slice,\n"
    "  toLowerCase: String.prototype.toLowerCase, lastIndexOf: String.prototype.lastIndexOf,\n"
    "  toWellFormed: String.prototype.toWellFormed, charCodeAt: String.prototype.charCodeAt,\n"
    "  indexOf: String.prototype.indexOf, push: Array.prototype.push,\n"
    "  exec: RegExp.prototype.exec, replace: RegExp.prototype[Symbol.replace], URL,\n"
    "  urlAccessors: {\n"
    "    __proto__: null, href: Object.getOwnPropertyDescriptor(URL.prototype, 'href'),\n"
    "    protocol: Object.getOwnPropertyDescriptor(URL.prototype, 'protocol'),\n"
    "    username: Object.getOwnPropertyDescriptor(URL.prototype, 'username'),\n"
    "    password: Object.getOwnPropertyDescriptor(URL.prototype, 'password'),\n"
    "    hostname: Object.getOwnPropertyDescriptor(URL.prototype, 'hostname'),\n"
    "    port: Object.getOwnPropertyDescriptor(URL.prototype, 'port'),\n"
    "    pathname: Object.getOwnPropertyDescriptor(URL.prototype, 'pathname'),\n"
    "    search: Object.getOwnPropertyDescriptor(URL.prototype, 'search'),\n"
    "    hash: Object.getOwnPropertyDescriptor(URL.prototype, 'hash'),\n"
    "  },\n"
    "})";

static isl_lazy_def_t engine_def = {
    .url = "islet:urlpattern.js",
    .capture = capture_src,
    .capture_len = sizeof(capture_src) - 1,
};

/* Instances need a non-NULL private pointer for isl_unwrap's brand check; all their state
 * is the slot, so every instance shares this one. */
static char brand;

static isl_class_def_t urlpattern_class;

/* The engine, compiled on the realm's first `new URLPattern`. NULL if that threw. */
static JSObjectRef engine(JSContextRef ctx, JSValueRef *exc) {
  return isl_lazy_get(ctx, &engine_def, exc);
}

/* The compiled pattern of this_obj, or NULL with "Illegal invocation". */
static JSObjectRef pattern_of(JSContextRef ctx, JSObjectRef this_obj, JSValueRef *exc) {
  if (!isl_unwrap(ctx, this_obj, &urlpattern_class, exc)) return NULL;
  return (JSObjectRef)isl_slot_get(ctx, this_obj, PATTERN_SLOT);
}

static JSObjectRef js_urlpattern_new(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                     const JSValueRef argv[], JSValueRef *exc) {
  JSValueRef args[4] = {JSValueMakeNumber(ctx, (double)argc), ISL_ARG(0), ISL_ARG(1),
                        ISL_ARG(2)};
  JSObjectRef e = engine(ctx, exc);
  JSValueRef p = e ? isl_call_method(ctx, e, "construct", 4, args, exc) : NULL;
  if (!p) return NULL;
  JSObjectRef o = isl_wrap_new(ctx, &urlpattern_class, &brand, new_target);
  isl_slot_set(ctx, o, PATTERN_SLOT, p);
  return o;
}

/* test() and exec() hand the compiled pattern and the arguments to the engine. */
static JSValueRef call_engine(JSContextRef ctx, const char *op, JSObjectRef this_obj,
                              size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  JSObjectRef p = pattern_of(ctx, this_obj, exc);
  if (!p) return NULL;
  /* A pattern exists, so the engine that made it does too. */
  JSObjectRef e = engine(ctx, exc);
  JSValueRef args[3] = {p, ISL_ARG(0), ISL_ARG(1)};
  return e ? isl_call_method(ctx, e, op, 3, args, exc) : NULL;
}

static JSValueRef js_urlpattern_test(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                     size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  return call_engine(ctx, "test", this_obj, argc, argv, exc);
}

static JSValueRef js_urlpattern_exec(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                     size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  return call_engine(ctx, "exec", this_obj, argc, argv, exc);
}

/* The getters read the compiled pattern's field of the same name. */
static JSValueRef get_field(JSContextRef ctx, JSObjectRef this_obj, const char *name,
                            JSValueRef *exc) {
  JSObjectRef p = pattern_of(ctx, this_obj, exc);
  return p ? isl_get(ctx, p, name, exc) : NULL;
}

#define URLPATTERN_GETTER(field)                                                          \
  static JSValueRef js_urlpattern_get_##field(JSContextRef ctx, JSObjectRef fn,           \
                                              JSObjectRef this_obj, size_t argc,          \
                                              const JSValueRef argv[], JSValueRef *exc) { \
    (void)fn, (void)argc, (void)argv;                                                     \
    return get_field(ctx, this_obj, #field, exc);                                         \
  }
URLPATTERN_GETTER(protocol)
URLPATTERN_GETTER(username)
URLPATTERN_GETTER(password)
URLPATTERN_GETTER(hostname)
URLPATTERN_GETTER(port)
URLPATTERN_GETTER(pathname)
URLPATTERN_GETTER(search)
URLPATTERN_GETTER(hash)
URLPATTERN_GETTER(hasRegExpGroups)

static const isl_method_t urlpattern_methods[] = {
    {"test", js_urlpattern_test, 0},
    {"exec", js_urlpattern_exec, 0},
    {0},
};

static const isl_accessor_t urlpattern_accessors[] = {
    {"protocol", js_urlpattern_get_protocol, NULL},
    {"username", js_urlpattern_get_username, NULL},
    {"password", js_urlpattern_get_password, NULL},
    {"hostname", js_urlpattern_get_hostname, NULL},
    {"port", js_urlpattern_get_port, NULL},
    {"pathname", js_urlpattern_get_pathname, NULL},
    {"search", js_urlpattern_get_search, NULL},
    {"hash", js_urlpattern_get_hash, NULL},
    {"hasRegExpGroups", js_urlpattern_get_hasRegExpGroups, NULL},
    {0},
};

static isl_class_def_t urlpattern_class = {
    .name = "URLPattern",
    .construct = js_urlpattern_new,
    .length = 0,
    .methods = urlpattern_methods,
    .accessors = urlpattern_accessors,
};

/* The engine's built-ins are captured now, before user code; the engine itself
 * (urlpattern.js) waits for the first URLPattern. URL must be installed first
 * (api_list.h). */
void isl_api_urlpattern_install(isl_realm_t *r) {
  engine_def.body = (const char *)isl_embed_api_urlpattern_js;
  engine_def.body_len = isl_embed_api_urlpattern_js_len;
  isl_lazy_install(r, &engine_def);
  isl_class_install(r, &urlpattern_class);
}
