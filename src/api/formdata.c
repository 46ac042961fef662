/* XHR's FormData (https://xhr.spec.whatwg.org/#interface-formdata): an ordered list of
 * (name, value) entries, where a value is a string or a File. See formdata.h for how the
 * list is kept. There is no HTMLFormElement in a worker, so the constructor accepts no
 * form (anything but undefined is a TypeError). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "formdata.h"

/* ---- The native list ------------------------------------------------------------------- */

isl_formdata_t *isl_formdata_new(void) { return isl_calloc(1, sizeof(isl_formdata_t)); }

static void entry_dispose(isl_fd_entry_t *e) {
  free(e->name);
  free(e->value);
  isl_blob_unref(e->file);
}

void isl_formdata_free(isl_formdata_t *fd) {
  if (!fd) return;
  for (size_t i = 0; i < fd->n; i++) entry_dispose(&fd->v[i]);
  free(fd->v);
  free(fd);
}

static isl_fd_entry_t *push(isl_formdata_t *fd) {
  if (fd->n == fd->cap) {
    fd->cap = fd->cap ? fd->cap * 2 : 8;
    fd->v = isl_realloc(fd->v, fd->cap * sizeof(*fd->v));
  }
  isl_fd_entry_t *e = &fd->v[fd->n++];
  memset(e, 0, sizeof(*e));
  return e;
}

void isl_formdata_append_string(isl_formdata_t *fd, const char *name, size_t name_len,
                                const char *value, size_t value_len) {
  isl_fd_entry_t *e = push(fd);
  e->name = isl_strndup(name, name_len);
  e->name_len = name_len;
  e->value = isl_strndup(value, value_len);
  e->value_len = value_len;
}

void isl_formdata_append_file(isl_formdata_t *fd, const char *name, size_t name_len,
                              isl_blob_t *file) {
  isl_fd_entry_t *e = push(fd);
  e->name = isl_strndup(name, name_len);
  e->name_len = name_len;
  e->file = file;
  e->file_id = ++fd->next_id;
}

static bool name_is(const isl_fd_entry_t *e, const char *name, size_t len) {
  return e->name_len == len && memcmp(e->name, name, len) == 0;
}

static void remove_at(isl_formdata_t *fd, size_t i) {
  entry_dispose(&fd->v[i]);
  memmove(&fd->v[i], &fd->v[i + 1], (fd->n - i - 1) * sizeof(*fd->v));
  fd->n--;
}

/* ---- The JS File objects of file entries ------------------------------------------------ */

/* The wrapper's object of JS Files keyed by file_id (made on first use). */
static JSObjectRef files_of(JSContextRef ctx, JSObjectRef wrapper) {
  JSValueRef f = isl_slot_get(ctx, wrapper, "files");
  if (JSValueIsObject(ctx, f)) return (JSObjectRef)f;
  JSObjectRef o = JSObjectMake(ctx, NULL, NULL);
  isl_slot_set(ctx, wrapper, "files", o);
  return o;
}

static void keep_file(JSContextRef ctx, JSObjectRef wrapper, unsigned id, JSValueRef file) {
  JSObjectSetPropertyAtIndex(ctx, files_of(ctx, wrapper), id, file, NULL);
}

static void drop_file(JSContextRef ctx, JSObjectRef wrapper, unsigned id) {
  if (!id) return;
  char key[16];
  snprintf(key, sizeof(key), "%u", id);
  JSStringRef k = JSStringCreateWithUTF8CString(key);
  JSObjectDeleteProperty(ctx, files_of(ctx, wrapper), k, NULL);
  JSStringRelease(k);
}

/* An entry's value as JS: the string, or the very File object that was stored. */
static JSValueRef entry_value(JSContextRef ctx, JSObjectRef wrapper, const isl_fd_entry_t *e) {
  if (!e->file) return isl_str_n(ctx, e->value, e->value_len);
  return JSObjectGetPropertyAtIndex(ctx, files_of(ctx, wrapper), e->file_id, NULL);
}

/* ---- The FormData class --------------------------------------------------------------- */

static isl_class_def_t formdata_class;

static void formdata_finalize(void *priv) { isl_formdata_free(priv); }

isl_formdata_t *isl_formdata_priv(JSContextRef ctx, JSValueRef v) {
  return isl_priv(ctx, v, &formdata_class);
}

JSObjectRef isl_formdata_wrap(JSContextRef ctx, isl_formdata_t *fd) {
  JSObjectRef o = isl_wrap(ctx, &formdata_class, fd);
  for (size_t i = 0; i < fd->n; i++)
    if (fd->v[i].file) keep_file(ctx, o, fd->v[i].file_id, isl_blob_wrap(ctx, isl_blob_ref(fd->v[i].file)));
  return o;
}

static JSObjectRef js_formdata_construct(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                         const JSValueRef argv[], JSValueRef *exc) {
  /* constructor(optional HTMLFormElement form, optional HTMLElement? submitter = null):
   * there are no elements here, so only undefined (and a null submitter) converts. */
  if (argc > 0 && !JSValueIsUndefined(ctx, argv[0]))
    return (JSObjectRef)isl_throw_type(ctx, exc, "Failed to construct 'FormData': parameter 1 "
                                                 "is not of type 'HTMLFormElement'.");
  if (argc > 1 && !JSValueIsUndefined(ctx, argv[1]) && !JSValueIsNull(ctx, argv[1]))
    return (JSObjectRef)isl_throw_type(ctx, exc, "Failed to construct 'FormData': parameter 2 "
                                                 "is not of type 'HTMLElement'.");
  return isl_wrap_new(ctx, &formdata_class, isl_formdata_new(), new_target);
}

/* An entry made from append()/set() arguments, not yet in the list. */
typedef struct {
  isl_fd_entry_t e;
  JSValueRef file_obj; /* the JS File of a file entry */
} new_entry_t;

/* Overload resolution and "create an entry" for append(name, value) and
 * append(name, blobValue, filename) (set() has the same overloads). */
static bool make_entry(JSContextRef ctx, const char *op, size_t argc, const JSValueRef argv[],
                       new_entry_t *out, JSValueRef *exc) {
  memset(out, 0, sizeof(*out));
  if (!isl_require_args(ctx, argc, 2, "FormData", op, exc)) return false;
  /* The name is converted first; then, with three arguments, only the Blob overload
   * applies. */
  if (!(out->e.name = isl_to_cstr(ctx, argv[0], &out->e.name_len, exc))) return false;
  isl_blob_t *blob = isl_blob_priv(ctx, argv[1]);
  if (argc > 2 && !blob) {
    isl_throw_type(ctx, exc, "Failed to execute '%s' on 'FormData': parameter 2 is not of "
                             "type 'Blob'.", op);
    goto fail;
  }
  if (!blob) {
    if (!(out->e.value = isl_to_cstr(ctx, argv[1], &out->e.value_len, exc))) goto fail;
    return true;
  }
  size_t flen = 0;
  char *filename = NULL;
  if (argc > 2 && !JSValueIsUndefined(ctx, argv[2]) &&
      !(filename = isl_to_cstr(ctx, argv[2], &flen, exc)))
    goto fail;
  if (blob->is_file && !filename) {
    /* A File without a new name is stored as it is. */
    out->e.file = isl_blob_ref(blob);
    out->file_obj = argv[1];
  } else {
    /* A Blob becomes a File named "blob" (or filename); a File given a filename becomes a
     * new File with that name. Either way the bytes are shared. */
    out->e.file = isl_file_new_from(blob, filename ? filename : "blob", filename ? flen : 4,
                                    blob->is_file ? blob->last_modified : isl_blob_now_ms());
    out->file_obj = isl_blob_wrap(ctx, isl_blob_ref(out->e.file));
  }
  free(filename);
  return true;
fail:
  entry_dispose(&out->e);
  return false;
}

/* Puts a new entry into the list at index i (replacing what is there) or at the end. */
static void place_entry(JSContextRef ctx, JSObjectRef wrapper, isl_formdata_t *fd,
                        new_entry_t *ne, size_t i) {
  isl_fd_entry_t *slot;
  if (i < fd->n) {
    drop_file(ctx, wrapper, fd->v[i].file_id);
    entry_dispose(&fd->v[i]);
    slot = &fd->v[i];
  } else {
    slot = push(fd);
  }
  *slot = ne->e;
  if (slot->file) {
    slot->file_id = ++fd->next_id;
    keep_file(ctx, wrapper, slot->file_id, ne->file_obj);
  }
}

#define FD_METHOD(name)                                                                    \
  static JSValueRef js_formdata_##name(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, \
                                       size_t argc, const JSValueRef argv[], JSValueRef *exc)

FD_METHOD(append) {
  (void)fn;
  isl_formdata_t *fd = isl_unwrap(ctx, this_obj, &formdata_class, exc);
  if (!fd) return NULL;
  new_entry_t ne;
  if (!make_entry(ctx, "append", argc, argv, &ne, exc)) return NULL;
  place_entry(ctx, this_obj, fd, &ne, fd->n);
  return JSValueMakeUndefined(ctx);
}

FD_METHOD(set) {
  (void)fn;
  isl_formdata_t *fd = isl_unwrap(ctx, this_obj, &formdata_class, exc);
  if (!fd) return NULL;
  new_entry_t ne;
  if (!make_entry(ctx, "set", argc, argv, &ne, exc)) return NULL;
  /* Replace the first entry with this name and remove the others, or append. */
  size_t first = fd->n;
  for (size_t i = 0; i < fd->n; i++) {
    if (!name_is(&fd->v[i], ne.e.name, ne.e.name_len)) continue;
    if (first == fd->n) {
      first = i;
    } else {
      drop_file(ctx, this_obj, fd->v[i].file_id);
      remove_at(fd, i--);
    }
  }
  place_entry(ctx, this_obj, fd, &ne, first);
  return JSValueMakeUndefined(ctx);
}

/* The name argument of delete/get/getAll/has (USVString). NULL with *exc on failure. */
static char *name_arg(JSContextRef ctx, const char *op, size_t argc, const JSValueRef argv[],
                      size_t *len, JSValueRef *exc) {
  if (!isl_require_args(ctx, argc, 1, "FormData", op, exc)) return NULL;
  return isl_to_cstr(ctx, argv[0], len, exc);
}

FD_METHOD(delete) {
  (void)fn;
  isl_formdata_t *fd = isl_unwrap(ctx, this_obj, &formdata_class, exc);
  if (!fd) return NULL;
  size_t len;
  char *name = name_arg(ctx, "delete", argc, argv, &len, exc);
  if (!name) return NULL;
  for (size_t i = 0; i < fd->n; i++) {
    if (!name_is(&fd->v[i], name, len)) continue;
    drop_file(ctx, this_obj, fd->v[i].file_id);
    remove_at(fd, i--);
  }
  free(name);
  return JSValueMakeUndefined(ctx);
}

FD_METHOD(get) {
  (void)fn;
  isl_formdata_t *fd = isl_unwrap(ctx, this_obj, &formdata_class, exc);
  if (!fd) return NULL;
  size_t len;
  char *name = name_arg(ctx, "get", argc, argv, &len, exc);
  if (!name) return NULL;
  JSValueRef v = JSValueMakeNull(ctx);
  for (size_t i = 0; i < fd->n; i++) {
    if (name_is(&fd->v[i], name, len)) {
      v = entry_value(ctx, this_obj, &fd->v[i]);
      break;
    }
  }
  free(name);
  return v;
}

FD_METHOD(getAll) {
  (void)fn;
  isl_formdata_t *fd = isl_unwrap(ctx, this_obj, &formdata_class, exc);
  if (!fd) return NULL;
  size_t len;
  char *name = name_arg(ctx, "getAll", argc, argv, &len, exc);
  if (!name) return NULL;
  JSObjectRef arr = JSObjectMakeArray(ctx, 0, NULL, NULL);
  unsigned k = 0;
  for (size_t i = 0; i < fd->n; i++)
    if (name_is(&fd->v[i], name, len))
      JSObjectSetPropertyAtIndex(ctx, arr, k++, entry_value(ctx, this_obj, &fd->v[i]), NULL);
  free(name);
  return arr;
}

FD_METHOD(has) {
  (void)fn;
  isl_formdata_t *fd = isl_unwrap(ctx, this_obj, &formdata_class, exc);
  if (!fd) return NULL;
  size_t len;
  char *name = name_arg(ctx, "has", argc, argv, &len, exc);
  if (!name) return NULL;
  bool found = false;
  for (size_t i = 0; i < fd->n && !found; i++) found = name_is(&fd->v[i], name, len);
  free(name);
  return JSValueMakeBoolean(ctx, found);
}

/* Web IDL's forEach for a pair iterator: over the live list, (value, name, this). */
FD_METHOD(forEach) {
  (void)fn;
  isl_formdata_t *fd = isl_unwrap(ctx, this_obj, &formdata_class, exc);
  if (!fd) return NULL;
  JSValueRef cb = ISL_ARG(0);
  if (!JSValueIsObject(ctx, cb) || !JSObjectIsFunction(ctx, (JSObjectRef)cb))
    return isl_throw_type(ctx, exc, "Failed to execute 'forEach' on 'FormData': The callback "
                                    "provided as parameter 1 is not a function.");
  JSValueRef this_arg = ISL_ARG(1);
  JSObjectRef t = JSValueIsObject(ctx, this_arg) ? (JSObjectRef)this_arg : NULL;
  for (size_t i = 0; i < fd->n; i++) {
    const isl_fd_entry_t *e = &fd->v[i];
    JSValueRef args[3] = {entry_value(ctx, this_obj, e), isl_str_n(ctx, e->name, e->name_len),
                          this_obj};
    /* A primitive (or undefined) thisArg is passed as is, which the C API cannot do
     * (NULL means the global object): those go through the callback's call(). */
    if (t) {
      isl_call(ctx, (JSObjectRef)cb, t, 3, args, exc);
    } else {
      JSValueRef cargs[4] = {this_arg, args[0], args[1], args[2]};
      isl_call_method(ctx, (JSObjectRef)cb, "call", 4, cargs, exc);
    }
    if (*exc) return NULL;
  }
  return JSValueMakeUndefined(ctx);
}

/* ---- Iterators ------------------------------------------------------------------------ */

enum { ITER_KEYS, ITER_VALUES, ITER_ENTRIES };

typedef struct {
  int kind;
  size_t index;
} iter_t;

static void iter_finalize(void *priv) { free(priv); }

static JSValueRef js_formdata_iterator_next(JSContextRef ctx, JSObjectRef fn,
                                            JSObjectRef this_obj, size_t argc,
                                            const JSValueRef argv[], JSValueRef *exc);

static const isl_method_t iter_methods[] = {
    {"next", js_formdata_iterator_next, 0},
    {0},
};

static isl_class_def_t formdata_iterator_class = {
    .name = "FormData Iterator",
    .methods = iter_methods,
    .finalize = iter_finalize,
    .not_global = true,
};

static JSObjectRef iter_result(JSContextRef ctx, JSValueRef v, bool done) {
  JSObjectRef res = JSObjectMake(ctx, NULL, NULL);
  isl_set(ctx, res, "value", v, NULL);
  isl_set(ctx, res, "done", JSValueMakeBoolean(ctx, done), NULL);
  return res;
}

static JSValueRef js_formdata_iterator_next(JSContextRef ctx, JSObjectRef fn,
                                            JSObjectRef this_obj, size_t argc,
                                            const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  iter_t *it = isl_unwrap(ctx, this_obj, &formdata_iterator_class, exc);
  if (!it) return NULL;
  /* The target's live list: entries added or removed while iterating are seen. */
  JSValueRef target = isl_slot_get(ctx, this_obj, "target");
  isl_formdata_t *fd = isl_formdata_priv(ctx, target);
  if (!fd || it->index >= fd->n) return iter_result(ctx, JSValueMakeUndefined(ctx), true);
  const isl_fd_entry_t *e = &fd->v[it->index++];
  JSValueRef v;
  if (it->kind == ITER_KEYS) {
    v = isl_str_n(ctx, e->name, e->name_len);
  } else if (it->kind == ITER_VALUES) {
    v = entry_value(ctx, (JSObjectRef)target, e);
  } else {
    JSValueRef pair[2] = {isl_str_n(ctx, e->name, e->name_len),
                          entry_value(ctx, (JSObjectRef)target, e)};
    v = JSObjectMakeArray(ctx, 2, pair, NULL);
  }
  return iter_result(ctx, v, false);
}

static JSValueRef make_iter(JSContextRef ctx, JSObjectRef this_obj, int kind, JSValueRef *exc) {
  if (!isl_unwrap(ctx, this_obj, &formdata_class, exc)) return NULL;
  iter_t *it = isl_malloc(sizeof(*it));
  it->kind = kind;
  it->index = 0;
  JSObjectRef o = isl_wrap(ctx, &formdata_iterator_class, it);
  isl_slot_set(ctx, o, "target", this_obj);
  return o;
}

FD_METHOD(entries) {
  (void)fn, (void)argc, (void)argv;
  return make_iter(ctx, this_obj, ITER_ENTRIES, exc);
}

FD_METHOD(keys) {
  (void)fn, (void)argc, (void)argv;
  return make_iter(ctx, this_obj, ITER_KEYS, exc);
}

FD_METHOD(values) {
  (void)fn, (void)argc, (void)argv;
  return make_iter(ctx, this_obj, ITER_VALUES, exc);
}

static const isl_method_t formdata_methods[] = {
    {"append", js_formdata_append, 2},
    {"delete", js_formdata_delete, 1},
    {"get", js_formdata_get, 1},
    {"getAll", js_formdata_getAll, 1},
    {"has", js_formdata_has, 1},
    {"set", js_formdata_set, 2},
    {"entries", js_formdata_entries, 0},
    {"keys", js_formdata_keys, 0},
    {"values", js_formdata_values, 0},
    {"forEach", js_formdata_forEach, 1},
    {0},
};

static isl_class_def_t formdata_class = {
    .name = "FormData",
    .construct = js_formdata_construct,
    .length = 0,
    .methods = formdata_methods,
    .finalize = formdata_finalize,
};

void isl_api_formdata_install(isl_realm_t *r) {
  JSContextRef ctx = r->ctx;
  isl_class_install(r, &formdata_class);
  isl_class_install(r, &formdata_iterator_class);

  /* FormData.prototype[Symbol.iterator] is the same function as entries (Web IDL). */
  JSObjectRef proto = isl_proto(ctx, &formdata_class);
  JSValueRef sym = isl_get(ctx, r->helpers, "symbolIterator", NULL);
  JSValueRef entries = isl_get(ctx, proto, "entries", NULL);
  JSObjectSetPropertyForKey(ctx, proto, sym, entries, kJSPropertyAttributeDontEnum, NULL);

  /* The iterator prototype inherits from %IteratorPrototype% and has no constructor. */
  JSObjectRef iproto = isl_proto(ctx, &formdata_iterator_class);
  static const char ip_src[] = "Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()))";
  JSValueRef exc = NULL;
  JSValueRef ip = isl_eval_static(ctx, ip_src, sizeof(ip_src) - 1, "islet:formdata", &exc);
  ISL_CHECK(ip && !exc && JSValueIsObject(ctx, ip));
  JSObjectSetPrototype(ctx, iproto, ip);
  JSStringRef c = JSStringCreateWithUTF8CString("constructor");
  JSObjectDeleteProperty(ctx, iproto, c, NULL);
  JSStringRelease(c);
}
