/* The File API's File (https://w3c.github.io/FileAPI/#file-section): a Blob with a name
 * and a last-modified time. Its native state is the Blob's (blob.h), with is_file set. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "blob.h"

static void file_finalize(void *priv) { isl_blob_unref(priv); }

/* Web IDL long long (no [Clamp] or [EnforceRange]): NaN and infinities are 0, otherwise
 * truncated and wrapped modulo 2^64 into the signed range. */
static bool to_long_long(JSContextRef ctx, JSValueRef v, double *out, JSValueRef *exc) {
  double d = JSValueToNumber(ctx, v, exc);
  if (*exc) return false;
  if (!isfinite(d)) {
    *out = 0;
    return true;
  }
  const double two64 = 18446744073709551616.0, two63 = 9223372036854775808.0;
  d = fmod(trunc(d), two64);
  if (d >= two63) d -= two64;
  if (d < -two63) d += two64;
  *out = d == 0 ? 0 : d; /* no -0 */
  return true;
}

static JSObjectRef js_file_construct(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                     const JSValueRef argv[], JSValueRef *exc) {
  if (argc < 2)
    return (JSObjectRef)isl_throw_type(ctx, exc, "Failed to construct 'File': 2 arguments "
                                                 "required, but only %zu present.", argc);
  /* Arguments in order: fileBits, fileName, then options (endings, lastModified, type:
   * dictionary members are read in lexicographic order). */
  isl_blob_parts_t *parts = isl_blob_parts_read(ctx, argv[0], "File", exc);
  if (!parts) return NULL;
  char *name = NULL, *type = NULL;
  JSObjectRef o;
  bool native;
  double last_modified = 0;
  bool have_lm = false;
  size_t name_len;
  if (!(name = isl_to_cstr(ctx, argv[1], &name_len, exc))) goto fail;
  if (!isl_blob_options(ctx, ISL_ARG(2), "File", &o, exc)) goto fail;
  if (!isl_blob_read_endings(ctx, o, &native, exc)) goto fail;
  if (o) {
    JSValueRef lm = isl_get(ctx, o, "lastModified", exc);
    if (*exc) goto fail;
    if (!JSValueIsUndefined(ctx, lm)) {
      if (!to_long_long(ctx, lm, &last_modified, exc)) goto fail;
      have_lm = true;
    }
  }
  if (!isl_blob_read_type(ctx, o, &type, exc)) goto fail;
  /* 1-4. The bytes, the name as given, the type normalised, lastModified or now. */
  size_t len;
  isl_body_t *store = isl_blob_parts_take(ctx, parts, native, &len);
  isl_blob_t *f = isl_blob_new(store, 0, len, type);
  f->is_file = true;
  f->name = name;
  f->name_len = name_len;
  f->last_modified = have_lm ? last_modified : isl_blob_now_ms();
  free(type);
  return isl_wrap_new(ctx, &isl_file_class, f, new_target);
fail:
  isl_blob_parts_free(ctx, parts);
  free(name);
  free(type);
  return NULL;
}

static JSValueRef js_file_get_name(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  isl_blob_t *f = isl_unwrap(ctx, this_obj, &isl_file_class, exc);
  return f ? isl_str_n(ctx, f->name, f->name_len) : NULL;
}

static JSValueRef js_file_get_last_modified(JSContextRef ctx, JSObjectRef fn,
                                            JSObjectRef this_obj, size_t argc,
                                            const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  isl_blob_t *f = isl_unwrap(ctx, this_obj, &isl_file_class, exc);
  return f ? JSValueMakeNumber(ctx, f->last_modified) : NULL;
}

static const isl_accessor_t file_accessors[] = {
    {"name", js_file_get_name, NULL},
    {"lastModified", js_file_get_last_modified, NULL},
    {0},
};

isl_class_def_t isl_file_class = {
    .name = "File",
    .parent = &isl_blob_class,
    .construct = js_file_construct,
    .length = 2,
    .accessors = file_accessors,
    .finalize = file_finalize,
};

void isl_api_file_install(isl_realm_t *r) { isl_class_install(r, &isl_file_class); }
