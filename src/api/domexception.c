/* DOMException and its derived interface QuotaExceededError (Web IDL, "DOMException" and
 * "QuotaExceededError": https://webidl.spec.whatwg.org/#idl-DOMException).
 *
 * Instances are Error-like as Web IDL asks: DOMException.prototype's prototype is
 * Error.prototype (so `instanceof Error`, Error.prototype.toString and the console all
 * treat them as errors), name/message/code are accessors on the prototype, and the 25
 * legacy code constants are on both the constructor and the prototype. Each instance gets
 * an own `stack` (as V8 engines give them) through the realm's original
 * Error.captureStackTrace, so a DOMException thrown from C shows where the script was.
 *
 * name and message are kept as JS strings (DOMString, lone surrogates preserved); the
 * legacy code is looked up once, at construction, since the name never changes.
 *
 * isl_throw_dom (src/jsc) creates its exceptions through realm->dom_exception_new, set
 * here, so C never goes through a global that user code may have replaced. A name of
 * "QuotaExceededError" gives an instance of the derived interface, as Web IDL now says
 * that error is thrown. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "domexception.h"
#include "structured_clone.h"

typedef struct {
  JSStringRef name, message; /* retained */
  uint16_t code;
  /* QuotaExceededError only: NaN when null. */
  double quota, requested;
} domex_t;

typedef struct {
  JSObjectRef capture; /* the original Error.captureStackTrace (kept alive by a slot) */
} domex_state_t;

/* The legacy code constants, in code order: LEGACY[i] has the value i + 1. */
static const char *const legacy_consts[] = {
    "INDEX_SIZE_ERR",        "DOMSTRING_SIZE_ERR",    "HIERARCHY_REQUEST_ERR",
    "WRONG_DOCUMENT_ERR",    "INVALID_CHARACTER_ERR", "NO_DATA_ALLOWED_ERR",
    "NO_MODIFICATION_ALLOWED_ERR", "NOT_FOUND_ERR",   "NOT_SUPPORTED_ERR",
    "INUSE_ATTRIBUTE_ERR",   "INVALID_STATE_ERR",     "SYNTAX_ERR",
    "INVALID_MODIFICATION_ERR", "NAMESPACE_ERR",      "INVALID_ACCESS_ERR",
    "VALIDATION_ERR",        "TYPE_MISMATCH_ERR",     "SECURITY_ERR",
    "NETWORK_ERR",           "ABORT_ERR",             "URL_MISMATCH_ERR",
    "QUOTA_EXCEEDED_ERR",    "TIMEOUT_ERR",           "INVALID_NODE_TYPE_ERR",
    "DATA_CLONE_ERR",
};

/* The error names table's names that have a legacy code. The historical constants
 * DOMSTRING_SIZE_ERR (2), NO_DATA_ALLOWED_ERR (6) and VALIDATION_ERR (16) have no name,
 * and "QuotaExceededError" left the table when it became its own interface, so a plain
 * DOMException with those names has code 0. Every other name has code 0 too. */
static const struct {
  const char *name;
  uint16_t code;
} error_names[] = {
    {"IndexSizeError", 1},         {"HierarchyRequestError", 3},
    {"WrongDocumentError", 4},     {"InvalidCharacterError", 5},
    {"NoModificationAllowedError", 7}, {"NotFoundError", 8},
    {"NotSupportedError", 9},      {"InUseAttributeError", 10},
    {"InvalidStateError", 11},     {"SyntaxError", 12},
    {"InvalidModificationError", 13}, {"NamespaceError", 14},
    {"InvalidAccessError", 15},    {"TypeMismatchError", 17},
    {"SecurityError", 18},         {"NetworkError", 19},
    {"AbortError", 20},            {"URLMismatchError", 21},
    {"TimeoutError", 23},          {"InvalidNodeTypeError", 24},
    {"DataCloneError", 25},
};

#define QUOTA_EXCEEDED_CODE 22

static isl_class_def_t domex_class, quota_class;

static uint16_t code_for_name(JSStringRef name) {
  isl_buf_t b = {0};
  isl_jsstr_to_utf8(name, &b);
  uint16_t code = 0;
  for (size_t i = 0; b.p && i < sizeof(error_names) / sizeof(error_names[0]); i++)
    if (strlen(error_names[i].name) == b.len && memcmp(error_names[i].name, b.p, b.len) == 0) {
      code = error_names[i].code;
      break;
    }
  isl_buf_free(&b);
  return code;
}

/* Takes both strings. */
static domex_t *domex_alloc(JSStringRef name, JSStringRef message, uint16_t code) {
  domex_t *d = isl_calloc(1, sizeof(*d));
  d->name = name;
  d->message = message;
  d->code = code;
  d->quota = d->requested = NAN;
  return d;
}

static void domex_free(void *priv) {
  domex_t *d = priv;
  JSStringRelease(d->name);
  JSStringRelease(d->message);
  free(d);
}

static domex_state_t *state_of(JSContextRef ctx) {
  return isl_realm_of(ctx)->api_state[ISL_STATE_DOMEXCEPTION];
}

/* Gives o an own `stack`, omitting the frames from `above` (a constructor) up, as
 * Error.captureStackTrace does. */
static void capture_stack(JSContextRef ctx, JSObjectRef o, JSObjectRef above) {
  domex_state_t *st = state_of(ctx);
  JSValueRef args[2] = {o, above ? (JSValueRef)above : JSValueMakeUndefined(ctx)};
  JSValueRef ignored = NULL;
  JSObjectCallAsFunction(ctx, st->capture, NULL, above ? 2 : 1, args, &ignored);
}

/* DOMString argument i, or dflt when it is missing or undefined. NULL if ToString threw. */
static JSStringRef string_arg(JSContextRef ctx, size_t argc, const JSValueRef argv[], size_t i,
                              const char *dflt, JSValueRef *exc) {
  if (i >= argc || JSValueIsUndefined(ctx, argv[i])) return JSStringCreateWithUTF8CString(dflt);
  return JSValueToStringCopy(ctx, argv[i], exc);
}

/* new DOMException(message = "", name = "Error") */
static JSObjectRef js_domex_construct(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                      const JSValueRef argv[], JSValueRef *exc) {
  JSStringRef message = string_arg(ctx, argc, argv, 0, "", exc);
  if (!message) return NULL;
  JSStringRef name = string_arg(ctx, argc, argv, 1, "Error", exc);
  if (!name) {
    JSStringRelease(message);
    return NULL;
  }
  domex_t *d = domex_alloc(name, message, code_for_name(name));
  JSObjectRef o = isl_wrap_new(ctx, &domex_class, d, new_target);
  capture_stack(ctx, o, isl_ctor(ctx, &domex_class));
  return o;
}

/* A restricted double dictionary member: absent (undefined) leaves *out alone; it must
 * be finite and, for QuotaExceededErrorOptions, not negative. */
static bool quota_member(JSContextRef ctx, JSObjectRef dict, const char *key, double *out,
                         JSValueRef *exc) {
  JSValueRef v = isl_get(ctx, dict, key, exc);
  if (*exc) return false;
  if (JSValueIsUndefined(ctx, v)) return true;
  double d = JSValueToNumber(ctx, v, exc);
  if (*exc) return false;
  if (!isfinite(d)) {
    isl_throw_type(ctx, exc,
                   "Failed to construct 'QuotaExceededError': The provided %s is not a finite "
                   "number.", key);
    return false;
  }
  if (d < 0) {
    isl_throw_range(ctx, exc,
                    "Failed to construct 'QuotaExceededError': The %s must not be negative.",
                    key);
    return false;
  }
  *out = d;
  return true;
}

/* new QuotaExceededError(message = "", options = {}) */
static JSObjectRef js_quota_construct(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                      const JSValueRef argv[], JSValueRef *exc) {
  JSStringRef message = string_arg(ctx, argc, argv, 0, "", exc);
  if (!message) return NULL;
  double quota = NAN, requested = NAN;
  JSValueRef opts = ISL_ARG(1);
  if (!JSValueIsUndefined(ctx, opts) && !JSValueIsNull(ctx, opts)) {
    if (!JSValueIsObject(ctx, opts)) {
      JSStringRelease(message);
      isl_throw_type(ctx, exc, "Failed to construct 'QuotaExceededError': The provided value "
                               "is not of type 'QuotaExceededErrorOptions'.");
      return NULL;
    }
    if (!quota_member(ctx, (JSObjectRef)opts, "quota", &quota, exc) ||
        !quota_member(ctx, (JSObjectRef)opts, "requested", &requested, exc)) {
      JSStringRelease(message);
      return NULL;
    }
  }
  if (!isnan(quota) && !isnan(requested) && requested < quota) {
    JSStringRelease(message);
    isl_throw_range(ctx, exc, "Failed to construct 'QuotaExceededError': The requested "
                              "amount must not be less than the quota.");
    return NULL;
  }
  domex_t *d = domex_alloc(JSStringCreateWithUTF8CString("QuotaExceededError"), message,
                           QUOTA_EXCEEDED_CODE);
  d->quota = quota;
  d->requested = requested;
  JSObjectRef o = isl_wrap_new(ctx, &quota_class, d, new_target);
  capture_stack(ctx, o, isl_ctor(ctx, &quota_class));
  return o;
}

static JSValueRef js_domex_name(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  domex_t *d = isl_unwrap(ctx, this_obj, &domex_class, exc);
  return d ? JSValueMakeString(ctx, d->name) : NULL;
}

static JSValueRef js_domex_message(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  domex_t *d = isl_unwrap(ctx, this_obj, &domex_class, exc);
  return d ? JSValueMakeString(ctx, d->message) : NULL;
}

static JSValueRef js_domex_code(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  domex_t *d = isl_unwrap(ctx, this_obj, &domex_class, exc);
  return d ? JSValueMakeNumber(ctx, d->code) : NULL;
}

static JSValueRef nullable_number(JSContextRef ctx, double d) {
  return isnan(d) ? JSValueMakeNull(ctx) : JSValueMakeNumber(ctx, d);
}

static JSValueRef js_quota_quota(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  domex_t *d = isl_unwrap(ctx, this_obj, &quota_class, exc);
  return d ? nullable_number(ctx, d->quota) : NULL;
}

static JSValueRef js_quota_requested(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                     size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  domex_t *d = isl_unwrap(ctx, this_obj, &quota_class, exc);
  return d ? nullable_number(ctx, d->requested) : NULL;
}

static const isl_accessor_t domex_accessors[] = {
    {"name", js_domex_name, NULL},
    {"message", js_domex_message, NULL},
    {"code", js_domex_code, NULL},
    {0},
};

static isl_class_def_t domex_class = {
    .name = "DOMException",
    .construct = js_domex_construct,
    .length = 0,
    .accessors = domex_accessors,
    .finalize = domex_free,
};

static const isl_accessor_t quota_accessors[] = {
    {"quota", js_quota_quota, NULL},
    {"requested", js_quota_requested, NULL},
    {0},
};

static isl_class_def_t quota_class = {
    .name = "QuotaExceededError",
    .parent = &domex_class,
    .construct = js_quota_construct,
    .length = 0,
    .accessors = quota_accessors,
    .finalize = domex_free,
};

/* realm->dom_exception_new: the exceptions C code throws. */
static JSObjectRef domex_new_from_c(JSContextRef ctx, const char *name, const char *msg) {
  bool quota = strcmp(name, "QuotaExceededError") == 0;
  JSStringRef n = JSStringCreateWithUTF8CString(name);
  JSStringRef m = isl_jsstr_n(msg, strlen(msg));
  domex_t *d = domex_alloc(n, m, quota ? QUOTA_EXCEEDED_CODE : code_for_name(n));
  JSObjectRef o = isl_wrap(ctx, quota ? &quota_class : &domex_class, d);
  capture_stack(ctx, o, NULL);
  return o;
}

bool isl_is_dom_exception(JSContextRef ctx, JSValueRef v) {
  return isl_priv(ctx, v, &domex_class) != NULL;
}

/* DOMException is [Serializable] (Web IDL): a clone has the same name and message (and a
 * QuotaExceededError the same quota and requested); structuredClone copies the stack. */
static JSObjectRef domex_clone(JSContextRef ctx, JSObjectRef src, JSValueRef *exc) {
  (void)exc;
  const domex_t *d = isl_priv(ctx, src, &domex_class);
  bool quota = isl_priv(ctx, src, &quota_class) != NULL;
  JSStringRetain(d->name);
  JSStringRetain(d->message);
  domex_t *copy = domex_alloc(d->name, d->message, d->code);
  copy->quota = d->quota;
  copy->requested = d->requested;
  return isl_wrap(ctx, quota ? &quota_class : &domex_class, copy);
}

static void domex_teardown(isl_realm_t *r) {
  free(r->api_state[ISL_STATE_DOMEXCEPTION]);
  r->api_state[ISL_STATE_DOMEXCEPTION] = NULL;
  r->dom_exception_new = NULL;
}

/* Web IDL constants: { writable: false, enumerable: true, configurable: false }. */
static void define_constants(JSContextRef ctx, JSObjectRef o) {
  for (size_t i = 0; i < sizeof(legacy_consts) / sizeof(legacy_consts[0]); i++)
    isl_define_value(ctx, o, legacy_consts[i], JSValueMakeNumber(ctx, (double)(i + 1)), ISL_E);
}

void isl_api_domexception_install(isl_realm_t *r) {
  JSContextRef ctx = r->ctx;
  ISL_CHECK(r->api_state[ISL_STATE_DOMEXCEPTION] == NULL);
  domex_state_t *st = isl_calloc(1, sizeof(*st));
  r->api_state[ISL_STATE_DOMEXCEPTION] = st;
  isl_realm_add_teardown(r, domex_teardown);

  JSObjectRef ctor = isl_class_install(r, &domex_class);
  JSObjectRef proto = isl_proto(ctx, &domex_class);
  /* Web IDL: the DOMException prototype object's [[Prototype]] is %Error.prototype%. */
  JSObjectRef error = (JSObjectRef)isl_global(ctx, "Error");
  JSObjectSetPrototype(ctx, proto, isl_get(ctx, error, "prototype", NULL));
  define_constants(ctx, ctor);
  define_constants(ctx, proto);

  JSValueRef capture = isl_get(ctx, error, "captureStackTrace", NULL);
  ISL_CHECK(JSValueIsObject(ctx, capture) && JSObjectIsFunction(ctx, (JSObjectRef)capture));
  st->capture = (JSObjectRef)capture;
  isl_slot_set(ctx, r->global, "domexception.capture", capture); /* keeps it alive */

  isl_class_install(r, &quota_class);
  isl_structured_clone_register(&domex_class, domex_clone);
  r->dom_exception_new = domex_new_from_c;
}
