/* structuredClone(value, {transfer}) and the structured clone algorithm behind it, from the
 * HTML Standard's "Safe passing of structured data"
 * (https://html.spec.whatwg.org/multipage/structured-data.html): StructuredSerializeWithTransfer,
 * then StructuredDeserializeWithTransfer into the same realm.
 *
 * Serialization builds a graph of C nodes, one per object; the spec's "memory" maps each
 * source object to its node, so shared references and cycles survive. Deserialization walks
 * the graph and makes the new objects. Two phases, as in the spec, because of transfers:
 * transferred ArrayBuffers are detached only once the whole value is serialized (a getter
 * still sees them attached), and views over them are made after that.
 *
 * The JSC C API recognises arrays, dates, ArrayBuffers, typed arrays (not Float16Array),
 * functions, proxies and API objects. Everything else is recognised and read through
 * standard built-ins captured once per realm, when it is created and before user code runs,
 * so a script that replaces Map.prototype.forEach cannot change what is cloned: a Map's
 * entries come from the original forEach, a RegExp's flags from the original flag getters,
 * bytes are copied with %TypedArray%.prototype.set and moved with
 * ArrayBuffer.prototype.transfer (the only way to detach a buffer the public API offers).
 *
 * JS has no brand check that answers "no" without throwing, and a throw costs ~1.6 µs, so
 * objects of the types the C API cannot see are found by their prototype chain first, then
 * confirmed: an object whose chain holds Map.prototype is checked with the original `size`
 * getter, which throws for a mere Object.create(Map.prototype). Departures that follow:
 * - a Map, Set, RegExp, Error, DataView, Float16Array or primitive wrapper whose prototype
 *   was swapped for one outside its family is cloned as an ordinary object, and so are
 *   built-in iterators, generators, arguments objects and WebAssembly objects (the spec
 *   rejects those: they have internal slots);
 * - an object that merely inherits from Promise.prototype is rejected like a promise (a
 *   promise's brand cannot be tested without side effects);
 * - a typed array or DataView that tracks a resizable buffer's length is cloned as a
 *   fixed-length view of its current length (JS cannot tell the two apart without resizing
 *   the buffer);
 * - a buffer whose bytes native code has pinned (JSC pins a buffer for good once the C API
 *   reads its bytes, e.g. after TextDecoder.decode(buffer)) cannot be detached: transferring
 *   it throws a TypeError, as the spec's DetachArrayBuffer does for buffers that cannot be
 *   detached.
 * Errors keep their name (one of the seven standard ones, else "Error") and message, and,
 * as the spec invites for "interesting accompanying data", their stack and cause (V8 clones
 * cause too; the HTML text does not mention it yet).
 *
 * Every C API call costs ~60-100 ns (the engine's lock), so the hot loops count them:
 * values read from the source stay unprotected until user code (a getter) may run, a
 * dense array is made in one call, and a property is written with a plain put whenever no
 * setter up the prototype chain can intercept it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/ptrmap.h"
#include "api.h"
#include "structured_clone.h"

/* Nesting deeper than this throws a RangeError instead of exhausting the C stack. */
#define MAX_DEPTH 2000

/* ---- Built-ins captured per realm ------------------------------------------------------ */

/* Each built-in the clone calls, and how it is reached at install: one step from an earlier
 * entry (GLOBAL is the global object). Steps: '.' a property, 'g' the getter of an own
 * property, 't' the getter of the own Symbol.toStringTag property, '^' the prototype.
 * Walked in C rather than evaluated as a script: parsing one costs far more per realm.
 * Entries the engine lacks (or a step finds no object) stay NULL. */
#define BUILTINS(X)                                         \
  X(GLOBAL, GLOBAL, '=', "")                                \
  X(OBJECT, GLOBAL, '.', "Object")                          \
  X(KEYS, OBJECT, '.', "keys")                              \
  X(DEFINE, OBJECT, '.', "defineProperty")                  \
  X(OWN_DESC, OBJECT, '.', "getOwnPropertyDescriptor")      \
  X(OBJECT_PROTO, OBJECT, '.', "prototype")                 \
  X(HAS_OWN, OBJECT_PROTO, '.', "hasOwnProperty")           \
  X(LOOKUP_GETTER, OBJECT_PROTO, '.', "__lookupGetter__")   \
  X(ARRAY, GLOBAL, '.', "Array")                            \
  X(ARRAY_PROTO, ARRAY, '.', "prototype")                   \
  X(SYMBOL, GLOBAL, '.', "Symbol")                          \
  X(SYM_ITERATOR, SYMBOL, '.', "iterator")                  \
  X(SYM_TAG, SYMBOL, '.', "toStringTag")                    \
  X(SYMBOL_PROTO, SYMBOL, '.', "prototype")                 \
  X(SYMBOL_VALUE, SYMBOL_PROTO, '.', "valueOf")             \
  X(BOOLEAN, GLOBAL, '.', "Boolean")                        \
  X(BOOLEAN_PROTO, BOOLEAN, '.', "prototype")               \
  X(BOOLEAN_VALUE, BOOLEAN_PROTO, '.', "valueOf")           \
  X(NUMBER, GLOBAL, '.', "Number")                          \
  X(NUMBER_PROTO, NUMBER, '.', "prototype")                 \
  X(NUMBER_VALUE, NUMBER_PROTO, '.', "valueOf")             \
  X(STRING, GLOBAL, '.', "String")                          \
  X(STRING_PROTO, STRING, '.', "prototype")                 \
  X(STRING_VALUE, STRING_PROTO, '.', "valueOf")             \
  X(BIGINT, GLOBAL, '.', "BigInt")                          \
  X(BIGINT_PROTO, BIGINT, '.', "prototype")                 \
  X(BIGINT_VALUE, BIGINT_PROTO, '.', "valueOf")             \
  X(DATE, GLOBAL, '.', "Date")                              \
  X(DATE_PROTO, DATE, '.', "prototype")                     \
  X(DATE_TIME, DATE_PROTO, '.', "getTime")                  \
  X(REGEXP, GLOBAL, '.', "RegExp")                          \
  X(REGEXP_PROTO, REGEXP, '.', "prototype")                 \
  X(RX_SOURCE, REGEXP_PROTO, 'g', "source")                 \
  X(RX_D, REGEXP_PROTO, 'g', "hasIndices")                  \
  X(RX_G, REGEXP_PROTO, 'g', "global")                      \
  X(RX_I, REGEXP_PROTO, 'g', "ignoreCase")                  \
  X(RX_M, REGEXP_PROTO, 'g', "multiline")                   \
  X(RX_S, REGEXP_PROTO, 'g', "dotAll")                      \
  X(RX_U, REGEXP_PROTO, 'g', "unicode")                     \
  X(RX_V, REGEXP_PROTO, 'g', "unicodeSets")                 \
  X(RX_Y, REGEXP_PROTO, 'g', "sticky")                      \
  X(AB, GLOBAL, '.', "ArrayBuffer")                         \
  X(AB_PROTO, AB, '.', "prototype")                         \
  X(AB_DETACHED, AB_PROTO, 'g', "detached")                 \
  X(AB_RESIZABLE, AB_PROTO, 'g', "resizable")               \
  X(AB_MAX, AB_PROTO, 'g', "maxByteLength")                 \
  X(AB_TRANSFER, AB_PROTO, '.', "transfer")                 \
  X(U8, GLOBAL, '.', "Uint8Array")                          \
  X(U8_PROTO, U8, '.', "prototype")                         \
  X(TA_PROTO, U8_PROTO, '^', "")                            \
  X(TA_SET, TA_PROTO, '.', "set")                           \
  X(TA_KEYS, TA_PROTO, '.', "keys")                         \
  X(TA_TAG, TA_PROTO, 't', "")                              \
  X(TA_BUFFER, TA_PROTO, 'g', "buffer")                     \
  X(TA_OFFSET, TA_PROTO, 'g', "byteOffset")                 \
  X(TA_LENGTH, TA_PROTO, 'g', "length")                     \
  X(F16, GLOBAL, '.', "Float16Array")                       \
  X(DV, GLOBAL, '.', "DataView")                            \
  X(DV_PROTO, DV, '.', "prototype")                         \
  X(DV_BUFFER, DV_PROTO, 'g', "buffer")                     \
  X(DV_OFFSET, DV_PROTO, 'g', "byteOffset")                 \
  X(DV_BYTES, DV_PROTO, 'g', "byteLength")                  \
  X(MAP, GLOBAL, '.', "Map")                                \
  X(MAP_PROTO, MAP, '.', "prototype")                       \
  X(MAP_FOR_EACH, MAP_PROTO, '.', "forEach")                \
  X(MAP_SET, MAP_PROTO, '.', "set")                         \
  X(MAP_SIZE, MAP_PROTO, 'g', "size")                       \
  X(SET, GLOBAL, '.', "Set")                                \
  X(SET_PROTO, SET, '.', "prototype")                       \
  X(SET_FOR_EACH, SET_PROTO, '.', "forEach")                \
  X(SET_ADD, SET_PROTO, '.', "add")                         \
  X(SET_SIZE, SET_PROTO, 'g', "size")                       \
  X(WEAKMAP, GLOBAL, '.', "WeakMap")                        \
  X(WEAKMAP_PROTO, WEAKMAP, '.', "prototype")               \
  X(WEAKMAP_HAS, WEAKMAP_PROTO, '.', "has")                 \
  X(WEAKSET, GLOBAL, '.', "WeakSet")                        \
  X(WEAKSET_PROTO, WEAKSET, '.', "prototype")               \
  X(WEAKSET_HAS, WEAKSET_PROTO, '.', "has")                 \
  X(WEAKREF, GLOBAL, '.', "WeakRef")                        \
  X(WEAKREF_PROTO, WEAKREF, '.', "prototype")               \
  X(WEAKREF_DEREF, WEAKREF_PROTO, '.', "deref")             \
  X(FINREG, GLOBAL, '.', "FinalizationRegistry")            \
  X(FINREG_PROTO, FINREG, '.', "prototype")                 \
  X(FINREG_UNREGISTER, FINREG_PROTO, '.', "unregister")     \
  X(PROMISE, GLOBAL, '.', "Promise")                        \
  X(PROMISE_PROTO, PROMISE, '.', "prototype")               \
  X(ERROR, GLOBAL, '.', "Error")                            \
  X(IS_ERROR, ERROR, '.', "isError")                        \
  X(ERROR_PROTO, ERROR, '.', "prototype")                   \
  X(EVAL_ERROR, GLOBAL, '.', "EvalError")                   \
  X(EVAL_ERROR_PROTO, EVAL_ERROR, '.', "prototype")         \
  X(RANGE_ERROR, GLOBAL, '.', "RangeError")                 \
  X(RANGE_ERROR_PROTO, RANGE_ERROR, '.', "prototype")       \
  X(REF_ERROR, GLOBAL, '.', "ReferenceError")               \
  X(REF_ERROR_PROTO, REF_ERROR, '.', "prototype")           \
  X(SYNTAX_ERROR, GLOBAL, '.', "SyntaxError")               \
  X(SYNTAX_ERROR_PROTO, SYNTAX_ERROR, '.', "prototype")     \
  X(TYPE_ERROR, GLOBAL, '.', "TypeError")                   \
  X(TYPE_ERROR_PROTO, TYPE_ERROR, '.', "prototype")         \
  X(URI_ERROR, GLOBAL, '.', "URIError")                     \
  X(URI_ERROR_PROTO, URI_ERROR, '.', "prototype")

enum {
#define X(id, from, how, name) B_##id,
  BUILTINS(X)
#undef X
  B_COUNT
};

static const struct {
  int from;
  char how;
  const char *name;
} builtin_steps[] = {
#define X(id, from, how, name) {B_##from, how, name},
    BUILTINS(X)
#undef X
};

/* The error names the spec keeps (any other name becomes "Error"), with their prototypes. */
static const struct {
  const char *name;
  int proto;
} error_kinds[] = {
    {"Error", B_ERROR_PROTO},           {"EvalError", B_EVAL_ERROR_PROTO},
    {"RangeError", B_RANGE_ERROR_PROTO}, {"ReferenceError", B_REF_ERROR_PROTO},
    {"SyntaxError", B_SYNTAX_ERROR_PROTO}, {"TypeError", B_TYPE_ERROR_PROTO},
    {"URIError", B_URI_ERROR_PROTO},
};
#define NERRORS (sizeof(error_kinds) / sizeof(error_kinds[0]))

/* The typed array kinds ([[TypedArrayName]]), with the C API's type where it has one. */
static const struct {
  const char *name;
  JSTypedArrayType type;
} ta_kinds[] = {
    {"Int8Array", kJSTypedArrayTypeInt8Array},
    {"Uint8Array", kJSTypedArrayTypeUint8Array},
    {"Uint8ClampedArray", kJSTypedArrayTypeUint8ClampedArray},
    {"Int16Array", kJSTypedArrayTypeInt16Array},
    {"Uint16Array", kJSTypedArrayTypeUint16Array},
    {"Int32Array", kJSTypedArrayTypeInt32Array},
    {"Uint32Array", kJSTypedArrayTypeUint32Array},
    {"Float16Array", kJSTypedArrayTypeNone}, /* made with the captured constructor */
    {"Float32Array", kJSTypedArrayTypeFloat32Array},
    {"Float64Array", kJSTypedArrayTypeFloat64Array},
    {"BigInt64Array", kJSTypedArrayTypeBigInt64Array},
    {"BigUint64Array", kJSTypedArrayTypeBigUint64Array},
};
#define NTA (sizeof(ta_kinds) / sizeof(ta_kinds[0]))
#define TA_DATAVIEW ((int)NTA) /* a view's kind when it is a DataView */

/* What a node is: the spec's serialized [[Type]]s that islet clones. */
typedef enum {
  K_BOOL, K_NUMBER, K_STRING, K_BIGINT, /* primitive wrappers: v1 = the primitive */
  K_DATE,                               /* num = the time value */
  K_REGEXP,                             /* v1 = source, v2 = flags */
  K_BUFFER,                             /* out = the copy, or the transferred buffer */
  K_VIEW,                               /* see node_t */
  K_MAP, K_SET, K_ARRAY, K_OBJECT,      /* deep: entries; an array's length in num */
  K_ERROR,                              /* num = index in error_kinds; entries: message, … */
  K_PLATFORM,                           /* out = the copy made by the class */
  K_REJECT,                             /* (hints only) an object that cannot be cloned */
} kind_t;

/* How a hint's brand check answers: by not throwing, by returning true (Error.isError(o)),
 * or by returning a string (the typed array's name). */
typedef enum { BRAND_THROWS, BRAND_TRUE, BRAND_STRING } brand_t;

/* Objects the C API cannot recognise, found by their prototype: proto is the original
 * prototype, brand a built-in that tells whether the object really is of the type (-1 when
 * there is no side-effect-free one: then inheriting is enough). */
static const struct {
  const char *name;
  int proto, brand;
  brand_t how;
  kind_t kind;
} hint_defs[] = {
    {"Boolean", B_BOOLEAN_PROTO, B_BOOLEAN_VALUE, BRAND_THROWS, K_BOOL},
    {"Number", B_NUMBER_PROTO, B_NUMBER_VALUE, BRAND_THROWS, K_NUMBER},
    {"String", B_STRING_PROTO, B_STRING_VALUE, BRAND_THROWS, K_STRING},
    {"BigInt", B_BIGINT_PROTO, B_BIGINT_VALUE, BRAND_THROWS, K_BIGINT},
    {"RegExp", B_REGEXP_PROTO, B_RX_SOURCE, BRAND_THROWS, K_REGEXP},
    {"Map", B_MAP_PROTO, B_MAP_SIZE, BRAND_THROWS, K_MAP},
    {"Set", B_SET_PROTO, B_SET_SIZE, BRAND_THROWS, K_SET},
    {"Error", B_ERROR_PROTO, B_IS_ERROR, BRAND_TRUE, K_ERROR},
    {"DataView", B_DV_PROTO, B_DV_BUFFER, BRAND_THROWS, K_VIEW},
    {"TypedArray", B_TA_PROTO, B_TA_TAG, BRAND_STRING, K_VIEW},
    {"Symbol", B_SYMBOL_PROTO, B_SYMBOL_VALUE, BRAND_THROWS, K_REJECT},
    {"WeakMap", B_WEAKMAP_PROTO, B_WEAKMAP_HAS, BRAND_THROWS, K_REJECT},
    {"WeakSet", B_WEAKSET_PROTO, B_WEAKSET_HAS, BRAND_THROWS, K_REJECT},
    {"WeakRef", B_WEAKREF_PROTO, B_WEAKREF_DEREF, BRAND_THROWS, K_REJECT},
    {"FinalizationRegistry", B_FINREG_PROTO, B_FINREG_UNREGISTER, BRAND_THROWS, K_REJECT},
    {"Promise", B_PROMISE_PROTO, -1, BRAND_THROWS, K_REJECT},
};
#define NHINTS (sizeof(hint_defs) / sizeof(hint_defs[0]))

/* A collected Map or Set entry (b unused for a Set). */
typedef struct {
  JSValueRef a, b;
} pair_t;

typedef struct {
  pair_t *v;
  size_t n, cap;
} pairs_t;

/* Per-realm state: the captured built-ins (protected; NULL where the engine lacks one). */
typedef struct {
  JSValueRef b[B_COUNT];
  JSStringRef length; /* "length" */
  JSObjectRef collector; /* the forEach callback that fills `collecting` */
  pairs_t *collecting;
  bool collecting_map;
} clone_realm_t;

static JSObjectRef fn_of(clone_realm_t *cr, int i) { return (JSObjectRef)cr->b[i]; }

/* ---- The clone in progress -------------------------------------------------------------- */

/* A serialized value: a primitive as it is (node < 0), or a reference to a node. */
typedef struct {
  JSValueRef prim;
  int node;
} slot_t;

static const slot_t no_slot = {NULL, -1};

/* A property (key, a), a Map entry (a → b) or a Set member (a). */
typedef struct {
  JSValueRef key;
  slot_t a, b;
} entry_t;

typedef struct {
  kind_t kind;
  JSObjectRef out;   /* the deserialized object, once made */
  JSValueRef v1, v2; /* see kind_t */
  double num;
  /* Views: the kind (index in ta_kinds, or TA_DATAVIEW), the buffer's node, the offset and
   * the length (elements for typed arrays, bytes for DataView). */
  int ta, buffer;
  double offset, length;
  bool resizable; /* buffers: the copy is resizable */
  bool open;      /* being serialized: a reference to it now closes a cycle */
  bool cyclic;    /* referenced from inside itself: must exist before its contents */
  bool dense;     /* arrays: entries are exactly the indices 0..length-1 */
  entry_t *entries;
  size_t n, cap;
} node_t;

typedef struct {
  JSContextRef ctx;
  clone_realm_t *cr;
  JSValueRef *exc;
  node_t *nodes;
  size_t nnodes, capnodes;
  isl_ptrmap_t memory; /* source object → node */
  /* The graph lives in C memory, which the GC does not scan. Values made for the clone are
   * protected at once (kept). Values read from the source stay alive through the source
   * for as long as no user code runs, so they wait unprotected in `pending`; the first
   * getter protects them all, and from then on everything is protected as it comes. */
  JSValueRef *kept, *pending;
  size_t nkept, capkept, npending, cappending;
  bool user_code_ran;
  unsigned epoch; /* bumped before each call that may run user code */
  isl_ptrmap_t put_ok[2]; /* key → 1 (plain put is safe) or 2, for Object/Array.prototype */
  int depth;
} clone_t;

#define NODE(st, i) (&(st)->nodes[(i)])

static void push_value(JSValueRef **v, size_t *n, size_t *cap, JSValueRef x) {
  if (*n == *cap) {
    *cap = *cap ? *cap * 2 : 64;
    *v = isl_realloc(*v, *cap * sizeof(**v));
  }
  (*v)[(*n)++] = x;
}

static bool is_cell(JSType t) {
  return t == kJSTypeObject || t == kJSTypeString || t == kJSTypeBigInt || t == kJSTypeSymbol;
}

/* A value made for the clone (or collected from one): protected until the clone ends. */
static void keep(clone_t *st, JSValueRef v) {
  if (!v || !is_cell(JSValueGetType(st->ctx, v))) return;
  JSValueProtect(st->ctx, v);
  push_value(&st->kept, &st->nkept, &st->capkept, v);
}

/* A value read from the source graph (see clone_t). */
static void note(clone_t *st, JSValueRef v, JSType t) {
  if (!is_cell(t)) return;
  if (st->user_code_ran) {
    JSValueProtect(st->ctx, v);
    push_value(&st->kept, &st->nkept, &st->capkept, v);
  } else {
    push_value(&st->pending, &st->npending, &st->cappending, v);
  }
}

/* Called before anything that may run user code: a getter may then change the source
 * graph, so from now on the clone must hold its own references. */
static void before_user_code(clone_t *st) {
  st->epoch++;
  if (st->user_code_ran) return;
  st->user_code_ran = true;
  for (size_t i = 0; i < st->npending; i++) {
    JSValueProtect(st->ctx, st->pending[i]);
    push_value(&st->kept, &st->nkept, &st->capkept, st->pending[i]);
  }
  st->npending = 0;
}

static void clone_dispose(clone_t *st) {
  for (size_t i = 0; i < st->nkept; i++) JSValueUnprotect(st->ctx, st->kept[i]);
  for (size_t i = 0; i < st->nnodes; i++) free(st->nodes[i].entries);
  free(st->kept);
  free(st->pending);
  free(st->nodes);
  isl_ptrmap_free(&st->memory);
  isl_ptrmap_free(&st->put_ok[0]);
  isl_ptrmap_free(&st->put_ok[1]);
}

/* A new node for source object o (NULL for none), recorded in memory before anything inside
 * o is serialized, so that cycles lead back to it. */
static int new_node(clone_t *st, kind_t kind, JSObjectRef o) {
  if (st->nnodes == st->capnodes) {
    st->capnodes = st->capnodes ? st->capnodes * 2 : 16;
    st->nodes = isl_realloc(st->nodes, st->capnodes * sizeof(*st->nodes));
  }
  int i = (int)st->nnodes++;
  st->nodes[i] = (node_t){.kind = kind, .buffer = -1, .open = true};
  if (o) {
    note(st, o, kJSTypeObject);
    isl_ptrmap_put(&st->memory, o, (size_t)i);
  }
  return i;
}

static void add_entry(clone_t *st, int n, JSValueRef key, slot_t a, slot_t b) {
  node_t *nd = NODE(st, n);
  if (nd->n == nd->cap) {
    nd->cap = nd->cap ? nd->cap * 2 : 8;
    nd->entries = isl_realloc(nd->entries, nd->cap * sizeof(*nd->entries));
  }
  nd->entries[nd->n++] = (entry_t){key, a, b};
}

/* Calls captured built-in i with this = self. */
static JSValueRef call_in(clone_t *st, int i, JSValueRef self, size_t argc,
                          const JSValueRef argv[]) {
  JSObjectRef fn = fn_of(st->cr, i);
  if (!fn) return isl_throw_type(st->ctx, st->exc, "structuredClone: a built-in it needs is missing");
  JSObjectRef this_obj = self && JSValueIsObject(st->ctx, self) ? (JSObjectRef)self : NULL;
  return JSObjectCallAsFunction(st->ctx, fn, this_obj, argc, argv, st->exc);
}

static int data_clone_error(clone_t *st, const char *what) {
  isl_throw_dom(st->ctx, st->exc, "DataCloneError", "%s could not be cloned.", what);
  return -1;
}

static unsigned length_of(clone_t *st, JSObjectRef o) {
  JSValueRef v = JSObjectGetProperty(st->ctx, o, st->cr->length, NULL);
  return v ? (unsigned)JSValueToNumber(st->ctx, v, NULL) : 0;
}

/* ---- Serialization (StructuredSerializeInternal) -------------------------------------- */

static bool ser_value(clone_t *st, JSValueRef v, slot_t *out);

/* IsDetachedBuffer, through the original `detached` getter. */
static int is_detached(clone_t *st, JSObjectRef buf) {
  JSValueRef d = call_in(st, B_AB_DETACHED, buf, 0, NULL);
  return d ? JSValueToBoolean(st->ctx, d) : -1;
}

/* A fixed-length Uint8Array over buf[0, n) (the C API handles resizable buffers here; only
 * its variant without an offset aborts on them). */
static JSObjectRef bytes_view(clone_t *st, JSObjectRef buf, size_t n) {
  return JSObjectMakeTypedArrayWithArrayBufferAndOffset(st->ctx, kJSTypedArrayTypeUint8Array,
                                                        buf, 0, n, st->exc);
}

/* A new ArrayBuffer with a copy of src's first n bytes (resizable up to max when max > 0).
 * The bytes move through %TypedArray%.prototype.set rather than C pointers: reading a
 * buffer's bytes through the C API pins it, and a pinned buffer can never be transferred. */
static JSObjectRef copy_buffer(clone_t *st, JSObjectRef src, size_t n, double max) {
  JSContextRef ctx = st->ctx;
  JSValueRef args[2] = {JSValueMakeNumber(ctx, (double)n), NULL};
  if (max > 0) {
    JSObjectRef opts = JSObjectMake(ctx, NULL, NULL);
    JSObjectSetPrototype(ctx, opts, JSValueMakeNull(ctx));
    isl_set(ctx, opts, "maxByteLength", JSValueMakeNumber(ctx, max), NULL);
    args[1] = opts;
  }
  JSObjectRef copy = JSObjectCallAsConstructor(ctx, fn_of(st->cr, B_AB), max > 0 ? 2 : 1, args, st->exc);
  if (!copy || n == 0) return copy;
  JSObjectRef to = bytes_view(st, copy, n);
  JSObjectRef from = to ? bytes_view(st, src, n) : NULL;
  if (!from) return NULL;
  JSValueRef arg = from;
  return call_in(st, B_TA_SET, to, 1, &arg) ? copy : NULL;
}

/* An ArrayBuffer: a copy of its bytes (a resizable one stays resizable, same maximum). */
static int ser_buffer(clone_t *st, JSObjectRef o) {
  JSContextRef ctx = st->ctx;
  int d = is_detached(st, o);
  if (d < 0) return -1;
  if (d) return data_clone_error(st, "A detached ArrayBuffer");
  JSValueRef rz = call_in(st, B_AB_RESIZABLE, o, 0, NULL);
  if (!rz) return -1;
  bool resizable = JSValueToBoolean(ctx, rz);
  double max = 0;
  if (resizable) {
    JSValueRef m = call_in(st, B_AB_MAX, o, 0, NULL);
    if (!m) return -1;
    max = JSValueToNumber(ctx, m, NULL);
  }
  size_t n = JSObjectGetArrayBufferByteLength(ctx, o, NULL);
  JSObjectRef copy = copy_buffer(st, o, n, max);
  if (!copy) return -1;
  keep(st, copy);
  int i = new_node(st, K_BUFFER, o);
  NODE(st, i)->out = copy;
  NODE(st, i)->resizable = resizable;
  return i;
}

static double number_of(clone_t *st, int fn, JSObjectRef self, bool *ok) {
  JSValueRef v = call_in(st, fn, self, 0, NULL);
  *ok = v != NULL;
  return v ? JSValueToNumber(st->ctx, v, NULL) : 0;
}

/* A typed array or DataView (ta: its kind): "If IsArrayBufferViewOutOfBounds(value), throw
 * a DataCloneError", then its buffer through memory (views sharing a buffer share the
 * clone's), its kind, offset and length (elements, or bytes for a DataView). */
static int ser_view(clone_t *st, JSObjectRef o, int ta) {
  JSContextRef ctx = st->ctx;
  bool dv = ta == TA_DATAVIEW, c_api = !dv && ta_kinds[ta].type != kJSTypedArrayTypeNone;
  JSValueRef b = c_api ? JSObjectGetTypedArrayBuffer(ctx, o, st->exc)
                       : call_in(st, dv ? B_DV_BUFFER : B_TA_BUFFER, o, 0, NULL);
  if (!b || !JSValueIsObject(ctx, b)) return -1;
  JSObjectRef buf = (JSObjectRef)b;
  int d = is_detached(st, buf);
  if (d < 0) return -1;
  if (d) return data_clone_error(st, "A view of a detached ArrayBuffer");
  JSValueRef rz = call_in(st, B_AB_RESIZABLE, buf, 0, NULL);
  if (!rz) return -1;
  if (JSValueToBoolean(ctx, rz)) {
    /* Only a resizable buffer can leave a view out of bounds; the original keys() (typed
     * arrays) and byteLength getter (DataView) throw exactly then. */
    if (!call_in(st, dv ? B_DV_BYTES : B_TA_KEYS, o, 0, NULL)) {
      *st->exc = NULL;
      return data_clone_error(st, "A view out of its buffer's bounds");
    }
  }
  double offset, length;
  if (c_api) {
    offset = (double)JSObjectGetTypedArrayByteOffset(ctx, o, NULL);
    length = (double)JSObjectGetTypedArrayLength(ctx, o, NULL);
  } else {
    bool ok, ok2;
    offset = number_of(st, dv ? B_DV_OFFSET : B_TA_OFFSET, o, &ok);
    length = number_of(st, dv ? B_DV_BYTES : B_TA_LENGTH, o, &ok2);
    if (!ok || !ok2) return -1;
  }
  note(st, buf, kJSTypeObject);
  slot_t bs;
  if (!ser_value(st, buf, &bs)) return -1;
  int i = new_node(st, K_VIEW, o);
  node_t *nd = NODE(st, i);
  nd->ta = ta;
  nd->buffer = bs.node;
  nd->offset = offset;
  nd->length = length;
  return i;
}

static int ta_kind_of(JSTypedArrayType t) {
  for (size_t i = 0; i < NTA; i++)
    if (ta_kinds[i].type == t) return (int)i;
  return -1;
}

/* The kind of a typed array the C API does not name, from its [[TypedArrayName]]. */
static int ta_kind_named(clone_t *st, JSValueRef name) {
  JSStringRef s = JSValueToStringCopy(st->ctx, name, NULL);
  int kind = -1;
  for (size_t i = 0; s && kind < 0 && i < NTA; i++)
    if (JSStringIsEqualToUTF8CString(s, ta_kinds[i].name)) kind = (int)i;
  if (s) JSStringRelease(s);
  return kind;
}

/* An own data property's value, read through its descriptor so that no accessor runs:
 * *found is false when o has no such own data property. NULL if something threw. */
static JSValueRef own_data(clone_t *st, JSObjectRef o, const char *name, bool *found) {
  JSContextRef ctx = st->ctx;
  *found = false;
  JSValueRef args[2] = {o, isl_str(ctx, name)};
  JSValueRef desc = call_in(st, B_OWN_DESC, NULL, 2, args);
  if (!desc) return NULL;
  if (!JSValueIsObject(ctx, desc)) return JSValueMakeUndefined(ctx);
  /* A data descriptor from getOwnPropertyDescriptor always has an own "value". */
  JSValueRef has_args[1] = {isl_str(ctx, "value")};
  JSValueRef has = call_in(st, B_HAS_OWN, desc, 1, has_args);
  if (!has) return NULL;
  if (!JSValueToBoolean(ctx, has)) return JSValueMakeUndefined(ctx);
  *found = true;
  return isl_get(ctx, (JSObjectRef)desc, "value", st->exc);
}

/* An Error: its name if standard (? Get(value, "name")), its message if an own data
 * property (ToString'ed), then cause and stack, kept as own non-enumerable properties. */
static int ser_error(clone_t *st, JSObjectRef o) {
  JSContextRef ctx = st->ctx;
  before_user_code(st); /* "name" may be a getter */
  JSValueRef name = isl_get(ctx, o, "name", st->exc);
  if (!name || *st->exc) return -1;
  int which = 0;
  if (JSValueIsString(ctx, name)) {
    JSStringRef s = JSValueToStringCopy(ctx, name, NULL);
    for (size_t i = 1; i < NERRORS; i++)
      if (JSStringIsEqualToUTF8CString(s, error_kinds[i].name)) which = (int)i;
    JSStringRelease(s);
  }
  bool found;
  JSValueRef message = own_data(st, o, "message", &found);
  if (!message) return -1;
  if (found) {
    JSStringRef s = JSValueToStringCopy(ctx, message, st->exc); /* may call toString() */
    if (!s) return -1;
    message = JSValueMakeString(ctx, s);
    JSStringRelease(s);
    keep(st, message);
  }
  int i = new_node(st, K_ERROR, o);
  NODE(st, i)->num = which;
  if (found) {
    JSValueRef key = isl_str(ctx, "message");
    keep(st, key);
    add_entry(st, i, key, (slot_t){message, -1}, no_slot);
  }
  static const char *const extras[] = {"cause", "stack"};
  for (size_t k = 0; k < 2; k++) {
    JSValueRef v = own_data(st, o, extras[k], &found);
    if (!v) return -1;
    if (!found || (k == 1 && !JSValueIsString(ctx, v))) continue;
    keep(st, v);
    slot_t s;
    if (!ser_value(st, v, &s)) return -1;
    JSValueRef key = isl_str(ctx, extras[k]);
    keep(st, key);
    add_entry(st, i, key, s, no_slot);
  }
  return i;
}

/* forEach's callback while a Map's or Set's entries are listed. */
static JSValueRef collect_entry(JSContextRef ctx, void *data, JSObjectRef this_obj,
                                size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)this_obj;
  (void)exc;
  clone_realm_t *cr = data;
  pairs_t *p = cr->collecting;
  if (!p || argc < 2) return JSValueMakeUndefined(ctx);
  if (p->n == p->cap) {
    p->cap = p->cap ? p->cap * 2 : 16;
    p->v = isl_realloc(p->v, p->cap * sizeof(*p->v));
  }
  /* forEach passes (value, key): a Map entry is key → value; a Set member is its value. */
  p->v[p->n++] = cr->collecting_map ? (pair_t){argv[1], argv[0]} : (pair_t){argv[0], NULL};
  return JSValueMakeUndefined(ctx);
}

/* A Map or Set: its entries are listed first through the original forEach (the spec copies
 * the list before serializing any of them, which a getter could change), then serialized. */
static int ser_collection(clone_t *st, JSObjectRef o, bool map) {
  clone_realm_t *cr = st->cr;
  int i = new_node(st, map ? K_MAP : K_SET, o);
  pairs_t list = {0};
  cr->collecting = &list;
  cr->collecting_map = map;
  JSValueRef cb = cr->collector;
  JSValueRef done = call_in(st, map ? B_MAP_FOR_EACH : B_SET_FOR_EACH, o, 1, &cb);
  cr->collecting = NULL;
  bool ok = done != NULL;
  for (size_t k = 0; ok && k < list.n; k++) {
    note(st, list.v[k].a, JSValueGetType(st->ctx, list.v[k].a));
    if (map) note(st, list.v[k].b, JSValueGetType(st->ctx, list.v[k].b));
  }
  for (size_t k = 0; ok && k < list.n; k++) {
    slot_t a, b = no_slot;
    ok = ser_value(st, list.v[k].a, &a) && (!map || ser_value(st, list.v[k].b, &b));
    if (ok) add_entry(st, i, NULL, a, b);
  }
  free(list.v);
  return ok ? i : -1;
}

/* Whether the last of an array's entries is index length-1: with as many entries as the
 * length, and indices listed first in ascending order, the entries are then exactly the
 * indices 0..length-1 (a dense array without extra properties). */
static bool entries_are_indices(clone_t *st, int i) {
  node_t *nd = NODE(st, i);
  if ((double)nd->n != nd->num) return false;
  if (nd->n == 0) return true;
  char want[24];
  snprintf(want, sizeof(want), "%zu", nd->n - 1);
  JSStringRef s = JSValueToStringCopy(st->ctx, nd->entries[nd->n - 1].key, NULL);
  bool same = s && JSStringIsEqualToUTF8CString(s, want);
  if (s) JSStringRelease(s);
  return same;
}

/* The deep part of an ordinary object or array: for each key of
 * EnumerableOwnProperties(value, key), if still an own property, [[Get]] it (getters run
 * once, in order) and serialize the result. */
static bool ser_props(clone_t *st, int n, JSObjectRef o) {
  JSContextRef ctx = st->ctx;
  JSValueRef arg = o;
  JSValueRef keys = call_in(st, B_KEYS, NULL, 1, &arg);
  if (!keys || !JSValueIsObject(ctx, keys)) return false;
  unsigned len = length_of(st, (JSObjectRef)keys);
  if (len == 0) return true;
  keep(st, keys); /* and with it the key strings the entries hold */
  unsigned epoch = st->epoch;
  JSObjectRef lookup_getter = fn_of(st->cr, B_LOOKUP_GETTER);
  for (unsigned k = 0; k < len; k++) {
    JSValueRef key = JSObjectGetPropertyAtIndex(ctx, (JSObjectRef)keys, k, NULL);
    /* "If ! HasOwnProperty(value, key) is true": only user code run since the keys were
     * listed (a getter) can have removed it. */
    if (st->epoch != epoch) {
      JSValueRef own = call_in(st, B_HAS_OWN, o, 1, &key);
      if (!own) return false;
      if (!JSValueToBoolean(ctx, own)) continue;
    }
    /* value.[[Get]](key, value): an own getter is user code. */
    JSValueRef getter = lookup_getter ? JSObjectCallAsFunction(ctx, lookup_getter, o, 1, &key, st->exc)
                                      : NULL;
    if (*st->exc) return false;
    if (!lookup_getter || !JSValueIsUndefined(ctx, getter)) before_user_code(st);
    JSValueRef v = JSObjectGetPropertyForKey(ctx, o, key, st->exc);
    if (*st->exc) return false;
    slot_t s;
    if (!ser_value(st, v, &s)) return false;
    add_entry(st, n, key, s, no_slot);
  }
  return true;
}

/* A RegExp: [[OriginalSource]] (source, from the brand check) and [[OriginalFlags]], read
 * flag by flag through the original getters (the `flags` getter reads overridable
 * properties). lastIndex is not kept. */
static int ser_regexp(clone_t *st, JSObjectRef o, JSValueRef source) {
  static const struct {
    int fn;
    char c;
  } flags[] = {{B_RX_D, 'd'}, {B_RX_G, 'g'}, {B_RX_I, 'i'}, {B_RX_M, 'm'},
               {B_RX_S, 's'}, {B_RX_U, 'u'}, {B_RX_V, 'v'}, {B_RX_Y, 'y'}};
  char f[sizeof(flags) / sizeof(flags[0]) + 1];
  size_t nf = 0;
  for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]); k++) {
    if (!fn_of(st->cr, flags[k].fn)) continue; /* a flag this engine does not have */
    JSValueRef on = call_in(st, flags[k].fn, o, 0, NULL);
    if (!on) return -1;
    if (JSValueToBoolean(st->ctx, on)) f[nf++] = flags[k].c;
  }
  f[nf] = 0;
  JSValueRef fv = isl_str(st->ctx, f);
  keep(st, fv);
  note(st, source, kJSTypeString);
  int i = new_node(st, K_REGEXP, o);
  NODE(st, i)->v1 = source;
  NODE(st, i)->v2 = fv;
  return i;
}

/* "A" or "An" before name, for messages. */
static const char *article(const char *name) {
  return name[0] && strchr("AEIOU", name[0]) ? "An " : "A ";
}

/* The class name of a platform object, for messages ("A Headers object"). */
static void platform_name(clone_t *st, JSObjectRef o, isl_buf_t *out) {
  isl_realm_t *r = isl_realm_of(st->ctx);
  for (JSValueRef p = JSObjectGetPrototype(st->ctx, o); r && JSValueIsObject(st->ctx, p);
       p = JSObjectGetPrototype(st->ctx, (JSObjectRef)p)) {
    for (int i = 0; i < ISL_MAX_CLASSES; i++) {
      if (r->protos[i] != p || !r->ctors[i]) continue;
      JSValueRef name = isl_get(st->ctx, r->ctors[i], "name", NULL);
      isl_buf_t n = {0};
      if (name) isl_to_utf8(st->ctx, name, &n, NULL);
      isl_buf_printf(out, "%s%s object", article(n.p ? n.p : ""), n.p ? n.p : "");
      isl_buf_free(&n);
      return;
    }
  }
  isl_buf_puts(out, "A platform object");
}

static struct {
  isl_class_def_t *def;
  isl_clone_fn fn;
} registry[16];
static size_t nregistry;

void isl_structured_clone_register(isl_class_def_t *def, isl_clone_fn fn) {
  for (size_t i = 0; i < nregistry; i++)
    if (registry[i].def == def) return;
  ISL_CHECK(nregistry < sizeof(registry) / sizeof(registry[0]));
  registry[nregistry].def = def;
  registry[nregistry].fn = fn;
  nregistry++;
}

static bool define(clone_t *st, JSObjectRef o, JSValueRef key, JSValueRef v, bool enumerable);

/* A platform object: cloned by its class if it is [Serializable], else a DataCloneError.
 * An own `stack` (a DOMException's) goes along, as for errors. */
static int ser_platform(clone_t *st, JSObjectRef o) {
  for (size_t k = 0; k < nregistry; k++) {
    if (!isl_priv(st->ctx, o, registry[k].def)) continue;
    JSObjectRef copy = registry[k].fn(st->ctx, o, st->exc);
    if (!copy) return -1;
    keep(st, copy);
    bool found;
    JSValueRef stack = own_data(st, o, "stack", &found);
    if (!stack || (found && JSValueIsString(st->ctx, stack) &&
                   !define(st, copy, isl_str(st->ctx, "stack"), stack, false)))
      return -1;
    int i = new_node(st, K_PLATFORM, o);
    NODE(st, i)->out = copy;
    return i;
  }
  isl_buf_t name = {0};
  platform_name(st, o, &name);
  data_clone_error(st, name.p);
  isl_buf_free(&name);
  return -1;
}

/* Runs hint h's brand check on o: the check's answer (for wrappers the primitive, for a
 * RegExp its source, for a typed array its name) if o is genuine, NULL with *ordinary set
 * if it only inherits, NULL alone if something threw. */
static JSValueRef brand_check(clone_t *st, size_t h, JSObjectRef o, bool *ordinary) {
  JSContextRef ctx = st->ctx;
  *ordinary = false;
  if (hint_defs[h].brand < 0 || !fn_of(st->cr, hint_defs[h].brand)) return JSValueMakeUndefined(ctx);
  JSObjectRef fn = fn_of(st->cr, hint_defs[h].brand);
  JSValueRef e = NULL, r;
  if (hint_defs[h].how == BRAND_TRUE) {
    JSValueRef arg = o;
    r = JSObjectCallAsFunction(ctx, fn, NULL, 1, &arg, &e);
    *ordinary = !e && !JSValueToBoolean(ctx, r);
  } else {
    JSValueRef fresh = JSObjectMake(ctx, NULL, NULL); /* FinalizationRegistry's token */
    r = JSObjectCallAsFunction(ctx, fn, o, 1, &fresh, &e);
    *ordinary = e || (hint_defs[h].how == BRAND_STRING && !JSValueIsString(ctx, r));
  }
  if (*ordinary) return NULL;
  if (e) *st->exc = e;
  return e ? NULL : r;
}

/* The types found by prototype (see the top of the file). Returns the node, -1 on error, or
 * -2 when o is an ordinary object after all. */
static int ser_by_hint(clone_t *st, JSObjectRef o) {
  JSContextRef ctx = st->ctx;
  clone_realm_t *cr = st->cr;
  for (JSValueRef p = o; JSValueIsObject(ctx, p) && p != cr->b[B_OBJECT_PROTO];
       p = JSObjectGetPrototype(ctx, (JSObjectRef)p)) {
    size_t h = 0;
    while (h < NHINTS && cr->b[hint_defs[h].proto] != p) h++;
    if (h == NHINTS) continue;
    /* RegExp.prototype passes the source getter's check ("(?:)") but is ordinary. */
    if (o == p && hint_defs[h].kind == K_REGEXP) return -2;
    bool ordinary;
    JSValueRef data = brand_check(st, h, o, &ordinary);
    if (ordinary) return -2;
    if (!data) return -1;
    switch (hint_defs[h].kind) {
    case K_BOOL: case K_NUMBER: case K_STRING: case K_BIGINT: {
      note(st, data, JSValueGetType(ctx, data));
      int i = new_node(st, hint_defs[h].kind, o);
      NODE(st, i)->v1 = data;
      return i;
    }
    case K_REGEXP: return ser_regexp(st, o, data);
    case K_MAP: return ser_collection(st, o, true);
    case K_SET: return ser_collection(st, o, false);
    case K_ERROR: return ser_error(st, o);
    case K_VIEW: {
      int kind = hint_defs[h].how == BRAND_STRING ? ta_kind_named(st, data) : TA_DATAVIEW;
      if (kind < 0) return data_clone_error(st, "A typed array of an unknown kind");
      return ser_view(st, o, kind);
    }
    default: {
      isl_buf_t what = {0};
      isl_buf_printf(&what, "%s%s object", article(hint_defs[h].name), hint_defs[h].name);
      data_clone_error(st, what.p);
      isl_buf_free(&what);
      return -1;
    }
    }
  }
  return -2;
}

/* StructuredSerializeInternal for an object not yet in memory. The spec's order of checks
 * only matters for objects that could match two of them, which cannot happen here, so the
 * cheap and common checks come first. */
static int ser_new_object(clone_t *st, JSObjectRef o) {
  JSContextRef ctx = st->ctx;
  /* Exotic objects: the global object (a proxy for the real global), proxies. */
  if (o == JSContextGetGlobalObject(ctx)) return data_clone_error(st, "The global object");
  if (JSObjectGetPrivate(o)) return ser_platform(st, o);
  if (JSObjectGetProxyTarget(o)) return data_clone_error(st, "A Proxy object");
  if (JSValueIsArray(ctx, o)) {
    int i = new_node(st, K_ARRAY, o);
    NODE(st, i)->num = length_of(st, o);
    if (!ser_props(st, i, o)) return -1;
    NODE(st, i)->dense = entries_are_indices(st, i);
    return i;
  }
  if (JSObjectIsFunction(ctx, o)) return data_clone_error(st, "A function");
  if (JSValueIsDate(ctx, o)) {
    JSValueRef t = call_in(st, B_DATE_TIME, o, 0, NULL);
    if (!t) return -1;
    int i = new_node(st, K_DATE, o);
    NODE(st, i)->num = JSValueToNumber(ctx, t, NULL);
    return i;
  }
  JSTypedArrayType t = JSValueGetTypedArrayType(ctx, o, NULL);
  if (t == kJSTypedArrayTypeArrayBuffer) return ser_buffer(st, o);
  if (t != kJSTypedArrayTypeNone) return ser_view(st, o, ta_kind_of(t));
  int i = ser_by_hint(st, o);
  if (i != -2) return i;
  i = new_node(st, K_OBJECT, o);
  return ser_props(st, i, o) ? i : -1;
}

static bool ser_value(clone_t *st, JSValueRef v, slot_t *out) {
  JSType t = JSValueGetType(st->ctx, v);
  *out = (slot_t){v, -1};
  if (t == kJSTypeSymbol) {
    data_clone_error(st, "A Symbol");
    return false;
  }
  if (t != kJSTypeObject) { /* undefined, null, booleans, numbers (-0 too), BigInts, strings */
    note(st, v, t);
    return true;
  }
  JSObjectRef o = (JSObjectRef)v;
  size_t found;
  if (isl_ptrmap_get(&st->memory, o, &found)) { /* "If memory[value] exists, return it." */
    if (NODE(st, found)->open) NODE(st, found)->cyclic = true;
    out->node = (int)found;
    return true;
  }
  if (st->depth >= MAX_DEPTH) {
    isl_throw_range(st->ctx, st->exc,
                    "structuredClone: the value is nested more than %d levels deep", MAX_DEPTH);
    return false;
  }
  st->depth++;
  int i = ser_new_object(st, o);
  st->depth--;
  if (i < 0) return false;
  NODE(st, i)->open = false;
  out->node = i;
  return true;
}

/* ---- Transfer (StructuredSerializeWithTransfer, steps 2 and 5) -------------------------- */

/* Step 2: each transferable must be an ArrayBuffer (the only transferable islet has) and
 * appear once; its node is reserved now, so that the value's references to it (and views
 * over it) point at the moved buffer. */
static bool reserve_transfers(clone_t *st, size_t n, const JSObjectRef list[], int nodes[]) {
  for (size_t k = 0; k < n; k++) {
    size_t seen;
    if (JSValueGetTypedArrayType(st->ctx, list[k], NULL) != kJSTypedArrayTypeArrayBuffer) {
      isl_throw_dom(st->ctx, st->exc, "DataCloneError",
                    "Value at index %zu of the transfer list is not a transferable type "
                    "(only ArrayBuffer is).", k);
      return false;
    }
    if (isl_ptrmap_get(&st->memory, list[k], &seen)) {
      isl_throw_dom(st->ctx, st->exc, "DataCloneError",
                    "ArrayBuffer at index %zu of the transfer list is a duplicate of an "
                    "earlier one.", k);
      return false;
    }
    nodes[k] = new_node(st, K_BUFFER, list[k]);
    NODE(st, nodes[k])->open = false;
  }
  return true;
}

/* Step 5: detach each transferable, its bytes moving into a new buffer (resizability
 * kept) through the original ArrayBuffer.prototype.transfer. */
static bool detach_transfers(clone_t *st, size_t n, const JSObjectRef list[], const int nodes[]) {
  for (size_t k = 0; k < n; k++) {
    int d = is_detached(st, list[k]);
    if (d < 0) return false;
    if (d) {
      isl_throw_dom(st->ctx, st->exc, "DataCloneError",
                    "ArrayBuffer at index %zu of the transfer list is already detached.", k);
      return false;
    }
    JSValueRef moved = call_in(st, B_AB_TRANSFER, list[k], 0, NULL);
    if (!moved) return false;
    keep(st, moved);
    d = is_detached(st, list[k]);
    if (d < 0) return false;
    if (!d) {
      /* JSC copies instead of detaching a buffer the C API has pinned. */
      isl_throw_type(st->ctx, st->exc,
                     "ArrayBuffer at index %zu of the transfer list cannot be detached: native "
                     "code has read its bytes in place (e.g. TextDecoder.decode), which pins "
                     "it for good in this engine. Clone it without transferring it.", k);
      return false;
    }
    JSValueRef rz = call_in(st, B_AB_RESIZABLE, moved, 0, NULL);
    if (!rz) return false;
    NODE(st, nodes[k])->out = (JSObjectRef)moved;
    NODE(st, nodes[k])->resizable = JSValueToBoolean(st->ctx, rz);
  }
  return true;
}

/* ---- Deserialization (StructuredDeserialize) ------------------------------------------- */

static JSValueRef de_node(clone_t *st, int i);

static JSValueRef de_slot(clone_t *st, slot_t s) { return s.node < 0 ? s.prim : de_node(st, s.node); }

/* Object.defineProperty(o, key, {value: v, writable, enumerable, configurable}) with
 * the original function and a descriptor without a prototype (so nothing inherited, like
 * a polluted Object.prototype.get, leaks into it). */
static bool define(clone_t *st, JSObjectRef o, JSValueRef key, JSValueRef v, bool enumerable) {
  JSContextRef ctx = st->ctx;
  JSObjectRef d = JSObjectMake(ctx, NULL, NULL);
  JSObjectSetPrototype(ctx, d, JSValueMakeNull(ctx));
  isl_set(ctx, d, "value", v, NULL);
  isl_set(ctx, d, "writable", JSValueMakeBoolean(ctx, true), NULL);
  isl_set(ctx, d, "enumerable", JSValueMakeBoolean(ctx, enumerable), NULL);
  isl_set(ctx, d, "configurable", JSValueMakeBoolean(ctx, true), NULL);
  JSValueRef args[3] = {o, key, d};
  return call_in(st, B_DEFINE, NULL, 3, args) != NULL;
}

/* CreateDataProperty(o, key, v) on a fresh object (array: true for an array), whose
 * prototype is the original Object.prototype (Array.prototype). A plain put does the same
 * unless something up the chain has key (a setter or read-only property there would
 * intercept it); which keys are safe is remembered for the rest of the clone, as no user
 * code runs while it is made. */
static bool create_data_property(clone_t *st, JSObjectRef o, bool array, JSValueRef key,
                                 JSValueRef v) {
  JSContextRef ctx = st->ctx;
  size_t safe;
  if (!isl_ptrmap_get(&st->put_ok[array], key, &safe)) {
    JSObjectRef proto = fn_of(st->cr, array ? B_ARRAY_PROTO : B_OBJECT_PROTO);
    safe = JSObjectHasPropertyForKey(ctx, proto, key, NULL) ? 2 : 1;
    isl_ptrmap_put(&st->put_ok[array], key, safe);
  }
  if (safe == 2) return define(st, o, key, v, true);
  JSObjectSetPropertyForKey(ctx, o, key, v, kJSPropertyAttributeNone, st->exc);
  return *st->exc == NULL;
}

/* The deep part of an ordinary object or array. */
static bool de_props(clone_t *st, int i, JSObjectRef out, bool array) {
  for (size_t k = 0; k < NODE(st, i)->n; k++) {
    entry_t e = NODE(st, i)->entries[k];
    JSValueRef v = de_slot(st, e.a);
    if (!v || !create_data_property(st, out, array, e.key, v)) return false;
  }
  return true;
}

/* A dense array whose elements cannot refer back to it: its elements first, then the array
 * in one call. The new elements wait in C memory meanwhile, so they are protected. */
static JSObjectRef de_dense_array(clone_t *st, int i) {
  size_t n = NODE(st, i)->n;
  JSValueRef *vals = isl_malloc((n ? n : 1) * sizeof(*vals));
  JSObjectRef out = NULL;
  size_t k = 0;
  for (; k < n; k++) {
    slot_t s = NODE(st, i)->entries[k].a;
    vals[k] = de_slot(st, s);
    if (!vals[k]) break;
    if (s.node >= 0) keep(st, vals[k]);
  }
  if (k == n) out = JSObjectMakeArray(st->ctx, n, vals, st->exc);
  free(vals);
  return out;
}

static bool de_collection(clone_t *st, int i, JSObjectRef out, bool map) {
  for (size_t k = 0; k < NODE(st, i)->n; k++) {
    entry_t e = NODE(st, i)->entries[k];
    JSValueRef args[2];
    args[0] = de_slot(st, e.a);
    if (!args[0]) return false;
    if (map && !(args[1] = de_slot(st, e.b))) return false;
    if (!call_in(st, map ? B_MAP_SET : B_SET_ADD, out, map ? 2 : 1, args)) return false;
  }
  return true;
}

/* An Error with the prototype its name picks, then message, cause and stack as own
 * non-enumerable properties (the stack JSC gave the new error is replaced or removed). */
static JSObjectRef de_error(clone_t *st, int i) {
  JSContextRef ctx = st->ctx;
  JSObjectRef e = JSObjectMakeError(ctx, 0, NULL, st->exc);
  if (!e) return NULL;
  keep(st, e);
  int which = (int)NODE(st, i)->num;
  if (which) JSObjectSetPrototype(ctx, e, fn_of(st->cr, error_kinds[which].proto));
  NODE(st, i)->out = e;
  JSValueRef stack_key = isl_str(ctx, "stack");
  bool has_stack = false;
  for (size_t k = 0; k < NODE(st, i)->n; k++) {
    entry_t en = NODE(st, i)->entries[k];
    JSValueRef v = de_slot(st, en.a);
    if (!v || !define(st, e, en.key, v, false)) return NULL;
    if (JSValueIsStrictEqual(ctx, en.key, stack_key)) has_stack = true;
  }
  if (!has_stack) JSObjectDeletePropertyForKey(ctx, e, stack_key, NULL);
  return e;
}

static JSObjectRef de_view(clone_t *st, int i) {
  JSContextRef ctx = st->ctx;
  JSValueRef b = de_node(st, NODE(st, i)->buffer);
  if (!b) return NULL;
  node_t *nd = NODE(st, i);
  if (nd->ta != TA_DATAVIEW && ta_kinds[nd->ta].type != kJSTypedArrayTypeNone)
    return JSObjectMakeTypedArrayWithArrayBufferAndOffset(ctx, ta_kinds[nd->ta].type,
                                                          (JSObjectRef)b, (size_t)nd->offset,
                                                          (size_t)nd->length, st->exc);
  JSObjectRef ctor = fn_of(st->cr, nd->ta == TA_DATAVIEW ? B_DV : B_F16);
  if (!ctor) {
    isl_throw_type(ctx, st->exc, "structuredClone: %s is missing",
                   nd->ta == TA_DATAVIEW ? "DataView" : ta_kinds[nd->ta].name);
    return NULL;
  }
  JSValueRef args[3] = {b, JSValueMakeNumber(ctx, nd->offset), JSValueMakeNumber(ctx, nd->length)};
  return JSObjectCallAsConstructor(ctx, ctor, 3, args, st->exc);
}

/* The object for node i: made once (memory), before its contents unless nothing inside
 * refers back to it. No user code runs here. */
static JSValueRef de_node(clone_t *st, int i) {
  JSContextRef ctx = st->ctx;
  if (NODE(st, i)->out) return NODE(st, i)->out;
  node_t nd = *NODE(st, i);
  JSObjectRef out = NULL;
  switch (nd.kind) {
  case K_BOOL: case K_NUMBER: case K_STRING: case K_BIGINT:
    out = JSValueToObject(ctx, nd.v1, st->exc); /* a new wrapper of the primitive */
    break;
  case K_DATE: {
    JSValueRef t = JSValueMakeNumber(ctx, nd.num);
    out = JSObjectMakeDate(ctx, 1, &t, st->exc);
    break;
  }
  case K_REGEXP: {
    JSValueRef args[2] = {nd.v1, nd.v2};
    out = JSObjectMakeRegExp(ctx, 2, args, st->exc);
    break;
  }
  case K_VIEW: out = de_view(st, i); break;
  case K_MAP: out = JSObjectCallAsConstructor(ctx, fn_of(st->cr, B_MAP), 0, NULL, st->exc); break;
  case K_SET: out = JSObjectCallAsConstructor(ctx, fn_of(st->cr, B_SET), 0, NULL, st->exc); break;
  case K_ARRAY:
    if (nd.dense && !nd.cyclic) {
      out = de_dense_array(st, i);
      break;
    }
    out = JSObjectMakeArray(ctx, 0, NULL, st->exc);
    if (out) JSObjectSetProperty(ctx, out, st->cr->length, JSValueMakeNumber(ctx, nd.num), 0, st->exc);
    break;
  case K_OBJECT: out = JSObjectMake(ctx, NULL, NULL); break;
  case K_ERROR: return de_error(st, i);
  default: ISL_CHECK(!"a node without its object"); /* buffers and platform copies have out */
  }
  if (!out || *st->exc) return NULL;
  NODE(st, i)->out = out;
  bool ok = true;
  if ((nd.kind == K_ARRAY && !(nd.dense && !nd.cyclic)) || nd.kind == K_OBJECT)
    ok = de_props(st, i, out, nd.kind == K_ARRAY);
  else if (nd.kind == K_MAP || nd.kind == K_SET)
    ok = de_collection(st, i, out, nd.kind == K_MAP);
  return ok ? out : NULL;
}

/* ---- Entry points ----------------------------------------------------------------------- */

JSValueRef isl_structured_clone(JSContextRef ctx, JSValueRef value, size_t ntransfer,
                                const JSObjectRef transfer[], JSValueRef *exc) {
  JSValueRef local_exc = NULL;
  isl_realm_t *r = isl_realm_of(ctx);
  clone_realm_t *cr = r ? r->api_state[ISL_STATE_CLONE] : NULL;
  if (!exc) exc = &local_exc;
  *exc = NULL;
  if (!cr) return isl_throw_type(ctx, exc, "structuredClone is not installed in this realm");
  clone_t st = {.ctx = ctx, .cr = cr, .exc = exc};
  int *tnodes = isl_malloc((ntransfer ? ntransfer : 1) * sizeof(*tnodes));
  slot_t root;
  JSValueRef result = NULL;
  if (reserve_transfers(&st, ntransfer, transfer, tnodes) && ser_value(&st, value, &root) &&
      detach_transfers(&st, ntransfer, transfer, tnodes))
    result = de_slot(&st, root);
  if (!result && !*exc) isl_throw_type(ctx, exc, "structuredClone failed");
  free(tnodes);
  clone_dispose(&st);
  return *exc ? NULL : result;
}

static const char call_prefix[] = "Failed to execute 'structuredClone' on 'WorkerGlobalScope'";

/* Web IDL's sequence<object> from the iterable seq, appended to list (items protected). */
static bool object_sequence(JSContextRef ctx, clone_realm_t *cr, JSValueRef seq,
                            JSObjectRef **list, size_t *n, JSValueRef *exc) {
  size_t cap = 0;
  JSValueRef method = JSValueIsObject(ctx, seq)
                          ? JSObjectGetPropertyForKey(ctx, (JSObjectRef)seq, cr->b[B_SYM_ITERATOR], exc)
                          : NULL;
  if (*exc) return false;
  if (!method || !JSValueIsObject(ctx, method) || !JSObjectIsFunction(ctx, (JSObjectRef)method)) {
    isl_throw_type(ctx, exc, "%s: Failed to read the 'transfer' property from "
                   "'StructuredSerializeOptions': The provided value cannot be converted to a "
                   "sequence.", call_prefix);
    return false;
  }
  JSValueRef it = JSObjectCallAsFunction(ctx, (JSObjectRef)method, (JSObjectRef)seq, 0, NULL, exc);
  if (!it) return false;
  JSValueRef next = JSValueIsObject(ctx, it) ? isl_get(ctx, (JSObjectRef)it, "next", exc) : NULL;
  if (*exc) return false;
  if (!next || !JSValueIsObject(ctx, next) || !JSObjectIsFunction(ctx, (JSObjectRef)next)) {
    isl_throw_type(ctx, exc, "%s: the transfer list's iterator is not an iterator.", call_prefix);
    return false;
  }
  for (;;) {
    JSValueRef res = JSObjectCallAsFunction(ctx, (JSObjectRef)next, (JSObjectRef)it, 0, NULL, exc);
    if (!res) return false;
    if (!JSValueIsObject(ctx, res)) {
      isl_throw_type(ctx, exc, "%s: the transfer list's iterator result is not an object.", call_prefix);
      return false;
    }
    JSValueRef done = isl_get(ctx, (JSObjectRef)res, "done", exc);
    if (!done || *exc) return false;
    if (JSValueToBoolean(ctx, done)) return true;
    JSValueRef v = isl_get(ctx, (JSObjectRef)res, "value", exc);
    if (!v || *exc) return false;
    if (!JSValueIsObject(ctx, v)) {
      isl_throw_type(ctx, exc, "%s: Failed to read the 'transfer' property from "
                     "'StructuredSerializeOptions': Value at index %zu is not of type 'object'.",
                     call_prefix, *n);
      return false;
    }
    if (*n == cap) {
      cap = cap ? cap * 2 : 8;
      *list = isl_realloc(*list, cap * sizeof(**list));
    }
    JSValueProtect(ctx, v);
    (*list)[(*n)++] = (JSObjectRef)v;
  }
}

/* options (a StructuredSerializeOptions dictionary) → its transfer list. */
static bool transfer_list(JSContextRef ctx, clone_realm_t *cr, JSValueRef options,
                          JSObjectRef **list, size_t *n, JSValueRef *exc) {
  if (JSValueIsUndefined(ctx, options) || JSValueIsNull(ctx, options)) return true;
  if (!JSValueIsObject(ctx, options)) {
    isl_throw_type(ctx, exc, "%s: The provided value is not of type 'StructuredSerializeOptions'.",
                   call_prefix);
    return false;
  }
  JSValueRef seq = isl_get(ctx, (JSObjectRef)options, "transfer", exc);
  if (!seq || *exc) return false;
  return JSValueIsUndefined(ctx, seq) || object_sequence(ctx, cr, seq, list, n, exc);
}

/* structuredClone(value, options): StructuredSerializeWithTransfer(value,
 * options["transfer"]), then StructuredDeserializeWithTransfer into this realm. */
static JSValueRef js_structured_clone(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                      size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  (void)this_obj;
  if (!isl_require_args(ctx, argc, 1, "WorkerGlobalScope", "structuredClone", exc)) return NULL;
  clone_realm_t *cr = isl_realm_of(ctx)->api_state[ISL_STATE_CLONE];
  JSObjectRef *list = NULL;
  size_t n = 0;
  JSValueRef result = NULL;
  if (transfer_list(ctx, cr, ISL_ARG(1), &list, &n, exc))
    result = isl_structured_clone(ctx, argv[0], n, list, exc);
  for (size_t k = 0; k < n; k++) JSValueUnprotect(ctx, list[k]);
  free(list);
  return result;
}

/* ---- Install ---------------------------------------------------------------------------- */

/* One step of builtin_steps from an already captured value. */
static JSValueRef capture_step(JSContextRef ctx, clone_realm_t *cr, size_t i) {
  JSValueRef from = cr->b[builtin_steps[i].from];
  if (builtin_steps[i].how == '=') return JSContextGetGlobalObject(ctx);
  if (!from || !JSValueIsObject(ctx, from)) return NULL;
  JSObjectRef o = (JSObjectRef)from;
  JSValueRef v = NULL;
  switch (builtin_steps[i].how) {
  case '.': v = isl_get(ctx, o, builtin_steps[i].name, NULL); break;
  case '^': v = JSObjectGetPrototype(ctx, o); break;
  default: { /* 'g' or 't': a getter, through Object.getOwnPropertyDescriptor */
    JSObjectRef gopd = fn_of(cr, B_OWN_DESC);
    JSValueRef args[2] = {o, builtin_steps[i].how == 't' ? cr->b[B_SYM_TAG]
                                                         : isl_str(ctx, builtin_steps[i].name)};
    JSValueRef desc = gopd && args[1] ? JSObjectCallAsFunction(ctx, gopd, NULL, 2, args, NULL) : NULL;
    if (desc && JSValueIsObject(ctx, desc)) v = isl_get(ctx, (JSObjectRef)desc, "get", NULL);
  }
  }
  return v && !JSValueIsUndefined(ctx, v) && !JSValueIsNull(ctx, v) ? v : NULL;
}

static void clone_teardown(isl_realm_t *r) {
  clone_realm_t *cr = r->api_state[ISL_STATE_CLONE];
  for (size_t i = 0; i < B_COUNT; i++)
    if (cr->b[i]) JSValueUnprotect(r->ctx, cr->b[i]);
  JSValueUnprotect(r->ctx, cr->collector);
  JSStringRelease(cr->length);
  free(cr);
  r->api_state[ISL_STATE_CLONE] = NULL;
}

void isl_api_structured_clone_install(isl_realm_t *r) {
  JSContextRef ctx = r->ctx;
  ISL_CHECK(r->api_state[ISL_STATE_CLONE] == NULL);
  clone_realm_t *cr = isl_calloc(1, sizeof(*cr));
  for (size_t i = 0; i < B_COUNT; i++) {
    cr->b[i] = capture_step(ctx, cr, i);
    if (cr->b[i]) JSValueProtect(ctx, cr->b[i]);
  }
  cr->length = JSStringCreateWithUTF8CString("length");
  cr->collector = isl_func_with_data(ctx, collect_entry, cr, NULL);
  JSValueProtect(ctx, cr->collector);
  r->api_state[ISL_STATE_CLONE] = cr;
  isl_realm_add_teardown(r, clone_teardown);
  isl_define_value(ctx, r->global, "structuredClone",
                   isl_func_new(ctx, "structuredClone", js_structured_clone, 1),
                   ISL_W | ISL_E | ISL_C);
}
