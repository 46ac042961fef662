/* The Navigator interface of workers: navigator.userAgent.
 *
 * workerd reports "Cloudflare-Workers" so that code can detect the platform. islet reports
 * "islet/<version>" instead: it is a different runtime, and code that sniffs for
 * Cloudflare-specific behaviour (e.g. cf properties, frozen clocks) should not be misled.
 * Portable code checks for features, not for this string. */
#include "api.h"

/* Defined by src/main.c. The weak definition here only serves programs that link the
 * library without main.c (the unit tests); the strong one in main.c wins in islet. */
extern const char isl_version[];
__attribute__((weak)) const char isl_version[] = "0.0.0";

static isl_class_def_t navigator_def;
static char navigator_tag; /* stateless: the private pointer only marks instances */

static JSValueRef js_navigator_user_agent(JSContextRef ctx, JSObjectRef fn,
                                          JSObjectRef this_obj, size_t argc,
                                          const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  if (!isl_unwrap(ctx, this_obj, &navigator_def, exc)) return NULL;
  isl_buf_t b = {0};
  isl_buf_printf(&b, "islet/%s", isl_version);
  JSValueRef v = isl_str(ctx, b.p);
  isl_buf_free(&b);
  return v;
}

static const isl_accessor_t navigator_accessors[] = {
    {"userAgent", js_navigator_user_agent, NULL},
    {0},
};
static isl_class_def_t navigator_def = {
    .name = "Navigator",
    .accessors = navigator_accessors,
};

void isl_api_navigator_install(isl_realm_t *r) {
  isl_class_install(r, &navigator_def);
  isl_define_value(r->ctx, r->global, "navigator",
                   isl_wrap(r->ctx, &navigator_def, &navigator_tag), ISL_W | ISL_E | ISL_C);
}
