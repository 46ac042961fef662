/* The console's value renderer, following Node's util.inspect (lib/internal/util/inspect.js)
 * in behaviour: the same output for the same values, without colors, showHidden, getters or
 * custom inspect hooks.
 *
 * The rendering logic is C. The facts the JSC C API cannot tell (own enumerable keys with
 * their descriptors, Map/Set contents, brand checks, function kinds, symbol descriptions)
 * come from a small JS helper object. It holds the original intrinsics even if user code
 * replaces Map.prototype.entries: they are captured when the console is installed, before
 * user code runs, while the helper itself is compiled on the realm's first rendering of an
 * object (most workers log strings or nothing). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect.h"

/* Every built-in the helper below uses, taken when the console is installed, before any
 * user code runs (see isl_lazy_def_t). The global object's property names then are the
 * "built-in" constructor names of Node's hasBuiltInToString. */
static const char capture_src[] =
    "({\n"
    "  __proto__: null, apply: Reflect.apply, bind: Function.prototype.bind,\n"
    "  call: Function.prototype.call, ownKeys: Reflect.ownKeys,\n"
    "  getDesc: Object.getOwnPropertyDescriptor, getProto: Object.getPrototypeOf,\n"
    "  isEnum: Object.prototype.propertyIsEnumerable, hasOwn: Object.prototype.hasOwnProperty,\n"
    "  objToString: Object.prototype.toString, fnToString: Function.prototype.toString,\n"
    "  symToString: Symbol.prototype.toString,\n"
    "  mapSize: Object.getOwnPropertyDescriptor(Map.prototype, 'size').get,\n"
    "  setSize: Object.getOwnPropertyDescriptor(Set.prototype, 'size').get,\n"
    "  mapIter: Map.prototype.entries, setIter: Set.prototype.values,\n"
    "  mapNext: Object.getPrototypeOf(new Map().entries()).next,\n"
    "  setNext: Object.getPrototypeOf(new Set().values()).next,\n"
    "  getTime: Date.prototype.getTime, toISO: Date.prototype.toISOString,\n"
    "  reSource: Object.getOwnPropertyDescriptor(RegExp.prototype, 'source').get,\n"
    "  reToString: RegExp.prototype.toString, reExec: RegExp.prototype.exec,\n"
    "  wmHas: WeakMap.prototype.has, wsHas: WeakSet.prototype.has,\n"
    "  numberValueOf: Number.prototype.valueOf, stringValueOf: String.prototype.valueOf,\n"
    "  booleanValueOf: Boolean.prototype.valueOf, symbolValueOf: Symbol.prototype.valueOf,\n"
    "  bigintValueOf: BigInt.prototype.valueOf, Error, Promise, TypeError, Set,\n"
    "  setAdd: Set.prototype.add, setHas: Set.prototype.has, tagKey: Symbol.toStringTag,\n"
    "  stringify: JSON.stringify, startsWith: String.prototype.startsWith,\n"
    "  endsWith: String.prototype.endsWith, slice: String.prototype.slice, parseInt,\n"
    "  parseFloat, globalNames: Object.getOwnPropertyNames(globalThis),\n"
    "})";

/* The helper, compiled on the realm's first rendering of an object. It reads built-ins
 * only from I (the object capture_src gave). */
static const char helper_src[] =
    "(function (I) {\n"
    "  'use strict';\n"
    "  const apply = I.apply, bind = I.bind, call = I.call, un = (f) => apply(bind, call, [f]);\n"
    "  const ownKeys = I.ownKeys, getDesc = I.getDesc, getProto = I.getProto;\n"
    "  const isEnum = un(I.isEnum), hasOwn = un(I.hasOwn), objToString = un(I.objToString);\n"
    "  const fnToString = un(I.fnToString), symToString = un(I.symToString);\n"
    "  const mapSize = un(I.mapSize), setSize = un(I.setSize);\n"
    "  const mapIter = un(I.mapIter), setIter = un(I.setIter);\n"
    "  const mapNext = un(I.mapNext), setNext = un(I.setNext);\n"
    "  const getTime = un(I.getTime), toISO = un(I.toISO);\n"
    "  const reSource = un(I.reSource), reToString = un(I.reToString);\n"
    "  const wmHas = un(I.wmHas), wsHas = un(I.wsHas);\n"
    "  const boxes = [['Number', un(I.numberValueOf)],\n"
    "    ['String', un(I.stringValueOf)], ['Boolean', un(I.booleanValueOf)],\n"
    "    ['Symbol', un(I.symbolValueOf)], ['BigInt', un(I.bigintValueOf)]];\n"
    "  const ErrorCtor = I.Error, PromiseCtor = I.Promise, tagKey = I.tagKey;\n"
    "  const stringify = I.stringify, TypeErrorCtor = I.TypeError;\n"
    "  const startsWith = un(I.startsWith), endsWith = un(I.endsWith);\n"
    "  const slice = un(I.slice), reExec = un(I.reExec);\n"
    "  /* RegExp.prototype.test would look up `exec` on the RegExp, i.e. on a prototype\n"
    "   * user code may have changed. */\n"
    "  const reTest = (re, s) => reExec(re, s) !== null;\n"
    "  const builtins = new I.Set(), setAdd = un(I.setAdd), names = I.globalNames;\n"
    "  for (let i = 0; i < names.length; i++)\n"
    "    if (reTest(/^[A-Z][a-zA-Z0-9]+$/, names[i])) setAdd(builtins, names[i]);\n"
    "  const setHas = un(I.setHas);\n"
    "  const brand = (f, v) => { try { f(v); return true; } catch { return false; } };\n"
    "  const isIndex = (k) => { const n = +k; return n >>> 0 === n && n !== 4294967295 && '' + n === k; };\n"
    "  return {\n"
    "    kind(v) {\n"
    "      if (typeof v === 'function') return 'function';\n"
    "      if (brand(mapSize, v)) return 'map';\n"
    "      if (brand(setSize, v)) return 'set';\n"
    "      if (brand(getTime, v)) return 'date';\n"
    "      if (brand(reSource, v) && v !== RegExp.prototype) return 'regexp';\n"
    "      if (brand(wmHas, v)) return 'weakmap';\n"
    "      if (brand(wsHas, v)) return 'weakset';\n"
    "      try { if (v instanceof ErrorCtor) return 'error'; } catch {}\n"
    "      try { if (v instanceof PromiseCtor) return 'promise'; } catch {}\n"
    "      for (let i = 0; i < boxes.length; i++) if (brand(boxes[i][1], v)) return boxes[i][0];\n"
    "      return 'object';\n"
    "    },\n"
    "    boxed(v, n) { for (let i = 0; i < boxes.length; i++) if (boxes[i][0] === n) return boxes[i][1](v); },\n"
    "    /* [key, value, flags] triples of own enumerable properties; flags: 0 data,\n"
    "     * 1 getter, 2 setter, 3 both. skip drops array indices. */\n"
    "    props(o, skip) {\n"
    "      const out = [];\n"
    "      const keys = ownKeys(o);\n"
    "      for (let i = 0; i < keys.length; i++) {\n"
    "        const k = keys[i];\n"
    "        if (skip && typeof k === 'string' && isIndex(k)) continue;\n"
    "        if (!isEnum(o, k)) continue;\n"
    "        const d = getDesc(o, k);\n"
    "        if (d === undefined) continue;\n"
    "        const n = out.length;\n"
    "        out[n] = k;\n"
    "        out[n + 1] = hasOwn(d, 'value') ? d.value : undefined;\n"
    "        out[n + 2] = hasOwn(d, 'value') ? 0 : (d.get ? 1 : 0) | (d.set ? 2 : 0);\n"
    "      }\n"
    "      return out;\n"
    "    },\n"
    "    /* The name of the first constructor on the prototype chain; null for a null\n"
    "     * prototype. */\n"
    "    ctorName(o) {\n"
    "      if (getProto(o) === null) return null;\n"
    "      for (let p = o; p !== null; p = getProto(p)) {\n"
    "        const d = getDesc(p, 'constructor');\n"
    "        if (d !== undefined && typeof d.value === 'function' && typeof d.value.name === 'string'\n"
    "            && d.value.name !== '') return d.value.name;\n"
    "      }\n"
    "      return '';\n"
    "    },\n"
    "    /* Symbol.toStringTag unless it is an own enumerable property (shown as a key). */\n"
    "    tag(o) {\n"
    "      const t = o[tagKey];\n"
    "      if (typeof t !== 'string' || t === '' || isEnum(o, tagKey)) return '';\n"
    "      return t;\n"
    "    },\n"
    "    fn(f) {\n"
    "      let src = '';\n"
    "      try { src = fnToString(f); } catch {}\n"
    "      const d = getDesc(f, 'name');\n"
    "      const name = d && typeof d.value === 'string' ? d.value : '';\n"
    "      if (startsWith(src, 'class') && endsWith(src, '}')) {\n"
    "        const sup = getProto(f);\n"
    "        return ['class', name, sup && typeof sup.name === 'string' ? sup.name : ''];\n"
    "      }\n"
    "      return [slice(objToString(f), 8, -1), name, ''];\n"
    "    },\n"
    "    entries(o, isMap, max) {\n"
    "      const it = isMap ? mapIter(o) : setIter(o), next = isMap ? mapNext : setNext, out = [];\n"
    "      for (let r = next(it); !r.done && out.length < max; r = next(it)) {\n"
    "        if (isMap) { out[out.length] = r.value[0]; out[out.length] = r.value[1]; }\n"
    "        else out[out.length] = r.value;\n"
    "      }\n"
    "      return out;\n"
    "    },\n"
    "    size(o, isMap) { return isMap ? mapSize(o) : setSize(o); },\n"
    "    sym(s) { return symToString(s); },\n"
    "    date(d) { return getTime(d) !== getTime(d) ? 'Invalid Date' : toISO(d); },\n"
    "    regexp(r) { return reToString(r); },\n"
    "    /* Node's hasBuiltInToString, for %s. */\n"
    "    builtinToString(v) {\n"
    "      if (typeof v.toString !== 'function') return true;\n"
    "      if (hasOwn(v, 'toString')) return false;\n"
    "      let p = v;\n"
    "      do { p = getProto(p); } while (p !== null && !hasOwn(p, 'toString'));\n"
    "      if (p === null) return true;\n"
    "      const d = getDesc(p, 'constructor');\n"
    "      return d !== undefined && typeof d.value === 'function' && setHas(builtins, d.value.name);\n"
    "    },\n"
    "    json(v) {\n"
    "      try { return '' + stringify(v); }\n"
    "      catch (e) { if (e instanceof TypeErrorCtor && reTest(/cyclic|circular/i, e.message)) return '[Circular]'; throw e; }\n"
    "    },\n"
    "    toNumber: (v) => +v, parseInt: I.parseInt, parseFloat: I.parseFloat,\n"
    "    toString: (v) => '' + v,\n"
    "  };\n"
    "})";

typedef struct {
  JSContextRef ctx;
  JSObjectRef h;   /* the helper, once fetched (ic_helper) */
  JSValueRef hexc; /* why it could not be: compiling it threw (the stack nearly full) */
  int depth; /* -1: unlimited */
  int break_length;
  int indent;        /* Node's indentationLvl */
  int current_depth; /* Node's currentDepth */
  JSValueRef seen[64];
  int nseen;
  JSValueRef *circular; /* circular[i] has reference index i + 1 */
  int ncircular;
} ictx_t;

/* A list of rendered entries. */
typedef struct {
  char **v;
  size_t *len;
  size_t n, cap;
} list_t;

static void list_push(list_t *l, isl_buf_t *b) {
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 16;
    l->v = isl_realloc(l->v, l->cap * sizeof(char *));
    l->len = isl_realloc(l->len, l->cap * sizeof(size_t));
  }
  l->len[l->n] = b->len;
  l->v[l->n++] = isl_buf_take(b);
}

static void list_push_str(list_t *l, const char *s) {
  isl_buf_t b = {0};
  isl_buf_puts(&b, s);
  list_push(l, &b);
}

static void list_free(list_t *l) {
  for (size_t i = 0; i < l->n; i++) free(l->v[i]);
  free(l->v);
  free(l->len);
}

/* Display width in code points (Node counts UTF-16 units; close enough for layout). */
static size_t width(const char *s, size_t n) {
  size_t w = 0;
  for (size_t i = 0; i < n; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80) w++;
  return w;
}

static void spaces(isl_buf_t *b, int n) {
  for (int i = 0; i < n; i++) isl_buf_putc(b, ' ');
}

/* ---- helper calls ---------------------------------------------------------------------- */

static isl_lazy_def_t helper_def = {
    .url = "islet:inspect",
    .capture = capture_src,
    .capture_len = sizeof(capture_src) - 1,
    .body = helper_src,
    .body_len = sizeof(helper_src) - 1,
};

/* The realm's helper, compiled on first use; NULL (and ic->hexc set) if that threw. */
static JSObjectRef ic_helper(ictx_t *ic) {
  if (!ic->h && !ic->hexc) ic->h = isl_lazy_get(ic->ctx, &helper_def, &ic->hexc);
  return ic->h;
}

static JSValueRef hcall(ictx_t *ic, const char *name, size_t argc, const JSValueRef *argv) {
  if (!ic_helper(ic)) return NULL;
  JSValueRef exc = NULL;
  JSValueRef v = isl_call_method(ic->ctx, ic->h, name, argc, argv, &exc);
  return exc ? NULL : v;
}

/* A helper call returning a string, appended to out as UTF-8. */
static bool hcall_str(ictx_t *ic, const char *name, size_t argc, const JSValueRef *argv,
                      isl_buf_t *out) {
  JSValueRef v = hcall(ic, name, argc, argv);
  if (!v || !JSValueIsString(ic->ctx, v)) return false;
  return isl_to_utf8(ic->ctx, v, out, NULL);
}

static size_t array_length(JSContextRef ctx, JSObjectRef o) {
  JSValueRef v = isl_get(ctx, o, "length", NULL);
  double d = v ? JSValueToNumber(ctx, v, NULL) : 0;
  return isfinite(d) && d > 0 ? (size_t)d : 0;
}

/* ---- primitives ------------------------------------------------------------------------ */

/* Node's strEscape: single quotes unless the string contains one; then double quotes,
 * then backticks. Control characters and the quote are escaped. */
static void quote(isl_buf_t *out, const char *s, size_t n) {
  char q = '\'';
  if (memchr(s, '\'', n)) {
    bool dq = memchr(s, '"', n) != NULL;
    bool bt = memchr(s, '`', n) != NULL;
    bool tmpl = false;
    for (size_t i = 0; i + 1 < n; i++)
      if (s[i] == '$' && s[i + 1] == '{') tmpl = true;
    if (!dq) q = '"';
    else if (!bt && !tmpl) q = '`';
  }
  isl_buf_putc(out, q);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == (unsigned char)q || c == '\\') {
      isl_buf_putc(out, '\\');
      isl_buf_putc(out, (char)c);
    } else if (c < 0x20 || c == 0x7F) {
      switch (c) {
      case '\b': isl_buf_puts(out, "\\b"); break;
      case '\t': isl_buf_puts(out, "\\t"); break;
      case '\n': isl_buf_puts(out, "\\n"); break;
      case '\f': isl_buf_puts(out, "\\f"); break;
      case '\r': isl_buf_puts(out, "\\r"); break;
      default: isl_buf_printf(out, "\\x%02X", c); break;
      }
    } else if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
               (unsigned char)s[i + 1] <= 0x9F) {
      /* C1 controls U+0080..U+009F. */
      isl_buf_printf(out, "\\x%02X", (unsigned char)s[++i]);
    } else {
      isl_buf_putc(out, (char)c);
    }
  }
  isl_buf_putc(out, q);
}

static void fmt_number(JSContextRef ctx, JSValueRef v, isl_buf_t *out) {
  double d = JSValueToNumber(ctx, v, NULL);
  if (d == 0 && signbit(d)) {
    isl_buf_puts(out, "-0");
    return;
  }
  isl_to_utf8(ctx, v, out, NULL);
}

static void fmt_string(ictx_t *ic, JSValueRef v, isl_buf_t *out) {
  isl_buf_t s = {0};
  isl_to_utf8(ic->ctx, v, &s, NULL);
  size_t w = width(s.p ? s.p : "", s.len);
  /* Long strings with newlines are split after each newline and joined with " +". */
  if (w > 16 && (int)w > ic->break_length - ic->indent - 4 && s.len && memchr(s.p, '\n', s.len)) {
    size_t start = 0;
    bool first = true;
    while (start < s.len) {
      char *nl = memchr(s.p + start, '\n', s.len - start);
      size_t end = nl ? (size_t)(nl - s.p) + 1 : s.len;
      if (!first) {
        isl_buf_puts(out, " +\n");
        spaces(out, ic->indent + 2);
      }
      quote(out, s.p + start, end - start);
      first = false;
      start = end;
    }
  } else {
    quote(out, s.p ? s.p : "", s.len);
  }
  isl_buf_free(&s);
}

static void fmt_primitive(ictx_t *ic, JSValueRef v, isl_buf_t *out) {
  JSContextRef ctx = ic->ctx;
  switch (JSValueGetType(ctx, v)) {
  case kJSTypeUndefined: isl_buf_puts(out, "undefined"); break;
  case kJSTypeNull: isl_buf_puts(out, "null"); break;
  case kJSTypeBoolean: isl_buf_puts(out, JSValueToBoolean(ctx, v) ? "true" : "false"); break;
  case kJSTypeNumber: fmt_number(ctx, v, out); break;
  case kJSTypeString: fmt_string(ic, v, out); break;
  case kJSTypeSymbol:
    if (!hcall_str(ic, "sym", 1, &v, out)) isl_buf_puts(out, "Symbol()");
    break;
  case kJSTypeBigInt:
    isl_to_utf8(ctx, v, out, NULL);
    isl_buf_putc(out, 'n');
    break;
  default: isl_buf_puts(out, "[unknown]"); break;
  }
}

/* ---- objects --------------------------------------------------------------------------- */

static void fmt_value(ictx_t *ic, JSValueRef v, int recurse, isl_buf_t *out);

static bool is_identifier(const char *s, size_t n) {
  if (n == 0) return false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

/* Node's formatProperty for object keys: `key: value`, `'a-b': value`, `[Symbol(x)]: v`,
 * accessors as [Getter], [Setter] or [Getter/Setter]. */
static void fmt_property(ictx_t *ic, JSValueRef key, JSValueRef val, int flags, int recurse,
                         list_t *out) {
  JSContextRef ctx = ic->ctx;
  isl_buf_t b = {0};
  if (JSValueIsSymbol(ctx, key)) {
    isl_buf_putc(&b, '[');
    hcall_str(ic, "sym", 1, &key, &b);
    isl_buf_putc(&b, ']');
  } else {
    isl_buf_t k = {0};
    isl_to_utf8(ctx, key, &k, NULL);
    if (k.len == 9 && memcmp(k.p, "__proto__", 9) == 0) isl_buf_puts(&b, "['__proto__']");
    else if (is_identifier(k.p, k.len)) isl_buf_append(&b, k.p, k.len);
    else quote(&b, k.p ? k.p : "", k.len);
    isl_buf_free(&k);
  }
  isl_buf_puts(&b, ": ");
  if (flags == 0) {
    ic->indent += 2;
    fmt_value(ic, val, recurse, &b);
    ic->indent -= 2;
  } else {
    isl_buf_puts(&b, flags == 3 ? "[Getter/Setter]" : flags == 1 ? "[Getter]" : "[Setter]");
  }
  list_push(out, &b);
}

/* Own enumerable properties of o (skipping array indices when skip) appended to out. */
static void fmt_props(ictx_t *ic, JSObjectRef o, bool skip, int recurse, list_t *out,
                      size_t *nkeys) {
  JSValueRef args[2] = {o, JSValueMakeBoolean(ic->ctx, skip)};
  JSValueRef p = hcall(ic, "props", 2, args);
  *nkeys = 0;
  if (!p || !JSValueIsObject(ic->ctx, p)) return;
  size_t n = array_length(ic->ctx, (JSObjectRef)p);
  for (size_t i = 0; i + 3 <= n; i += 3) {
    JSValueRef k = JSObjectGetPropertyAtIndex(ic->ctx, (JSObjectRef)p, (unsigned)i, NULL);
    JSValueRef v = JSObjectGetPropertyAtIndex(ic->ctx, (JSObjectRef)p, (unsigned)i + 1, NULL);
    int flags = (int)JSValueToNumber(
        ic->ctx, JSObjectGetPropertyAtIndex(ic->ctx, (JSObjectRef)p, (unsigned)i + 2, NULL),
        NULL);
    fmt_property(ic, k, v, flags, recurse, out);
    (*nkeys)++;
  }
}

/* Node's getPrefix: "Foo(2) [tag] ", "[Object: null prototype] ". ctor NULL means a null
 * prototype. */
static void prefix(isl_buf_t *b, const char *ctor, const char *tag, const char *fallback,
                   const char *size) {
  if (!ctor) {
    isl_buf_printf(b, "[%s%s: null prototype] ", fallback, size);
    if (*tag && strcmp(tag, fallback) != 0) isl_buf_printf(b, "[%s] ", tag);
    return;
  }
  isl_buf_printf(b, "%s%s ", ctor, size);
  if (*tag && strcmp(ctor, tag) != 0) isl_buf_printf(b, "[%s] ", tag);
}

/* Node's isBelowBreakLength. */
static bool below_break_length(ictx_t *ic, list_t *l, size_t start, const char *base) {
  size_t total = l->n + start;
  if (total + l->n > (size_t)ic->break_length) return false;
  for (size_t i = 0; i < l->n; i++) {
    total += width(l->v[i], l->len[i]);
    if (total > (size_t)ic->break_length) return false;
  }
  return !strchr(base, '\n');
}

/* Node's groupArrayElements: arrays of more than 6 short entries are laid out in
 * columns. Returns true and replaces l's entries when it grouped them. */
static bool group_array(ictx_t *ic, list_t *l, bool numeric) {
  size_t total = 0, maxlen = 0, outlen = l->n;
  if (l->n > 100) outlen--; /* the "... more items" entry */
  size_t *dlen = isl_malloc((outlen ? outlen : 1) * sizeof(size_t));
  for (size_t i = 0; i < outlen; i++) {
    dlen[i] = width(l->v[i], l->len[i]);
    total += dlen[i] + 2;
    if (dlen[i] > maxlen) maxlen = dlen[i];
  }
  size_t actual_max = maxlen + 2;
  bool grouped = false;
  if (actual_max * 3 + (size_t)ic->indent < (size_t)ic->break_length &&
      ((double)total / (double)actual_max > 5 || maxlen <= 6)) {
    double bias = sqrt((double)actual_max - (double)total / (double)l->n);
    double biased_max = fmax((double)actual_max - 3 - bias, 1);
    double c1 = round(sqrt(2.5 * biased_max * (double)outlen) / biased_max);
    double c2 = floor((double)(ic->break_length - ic->indent) / (double)actual_max);
    size_t columns = (size_t)fmin(fmin(c1, c2), fmin(3 * 4, 15));
    if (columns > 1) {
      size_t *line_max = isl_calloc(columns, sizeof(size_t));
      for (size_t i = 0; i < columns; i++) {
        for (size_t j = i; j < outlen; j += columns)
          if (dlen[j] > line_max[i]) line_max[i] = dlen[j];
        line_max[i] += 2;
      }
      list_t g = {0};
      for (size_t i = 0; i < outlen; i += columns) {
        size_t max = i + columns < outlen ? i + columns : outlen;
        isl_buf_t row = {0};
        size_t j = i;
        for (; j < max - 1; j++) {
          /* "entry, " padded to the column width: numbers right-aligned (padStart),
           * anything else left-aligned (padEnd). */
          size_t w = dlen[j] + 2;
          size_t pad = line_max[j - i] > w ? line_max[j - i] - w : 0;
          if (numeric) spaces(&row, (int)pad);
          isl_buf_append(&row, l->v[j], l->len[j]);
          isl_buf_puts(&row, ", ");
          if (!numeric) spaces(&row, (int)pad);
        }
        if (numeric) {
          size_t w = dlen[j];
          size_t want = line_max[j - i] - 2;
          if (want > w) spaces(&row, (int)(want - w));
        }
        isl_buf_append(&row, l->v[j], l->len[j]);
        list_push(&g, &row);
      }
      if (outlen < l->n) list_push_str(&g, l->v[outlen]);
      list_free(l);
      *l = g;
      free(line_max);
      grouped = true;
    }
  }
  free(dlen);
  return grouped;
}

/* Node's reduceToSingleString with compact = 3. */
static void reduce(ictx_t *ic, list_t *l, const char *base, const char *open,
                   const char *close, bool array_like, bool numeric, int recurse,
                   isl_buf_t *out) {
  size_t entries = l->n;
  bool grouped = false;
  if (array_like && entries > 6) grouped = group_array(ic, l, numeric);
  if (ic->current_depth - recurse < 3 && !grouped) {
    size_t start = l->n + (size_t)ic->indent + width(open, strlen(open)) +
                   width(base, strlen(base)) + 10;
    if (below_break_length(ic, l, start, base)) {
      bool nl = false;
      for (size_t i = 0; i < l->n; i++)
        if (memchr(l->v[i], '\n', l->len[i])) nl = true;
      if (!nl) {
        if (*base) isl_buf_printf(out, "%s ", base);
        isl_buf_printf(out, "%s ", open);
        for (size_t i = 0; i < l->n; i++) {
          if (i) isl_buf_puts(out, ", ");
          isl_buf_append(out, l->v[i], l->len[i]);
        }
        isl_buf_printf(out, " %s", close);
        return;
      }
    }
  }
  if (*base) isl_buf_printf(out, "%s ", base);
  isl_buf_puts(out, open);
  for (size_t i = 0; i < l->n; i++) {
    isl_buf_putc(out, '\n');
    spaces(out, ic->indent + 2);
    isl_buf_append(out, l->v[i], l->len[i]);
    if (i + 1 < l->n) isl_buf_putc(out, ',');
  }
  isl_buf_putc(out, '\n');
  spaces(out, ic->indent);
  isl_buf_puts(out, close);
}

static int circular_index(ictx_t *ic, JSValueRef v) {
  for (int i = 0; i < ic->ncircular; i++)
    if (JSValueIsStrictEqual(ic->ctx, ic->circular[i], v)) return i + 1;
  return 0;
}

/* Errors render as their stack ("Name: message\n    at …"), or "[Name: message]" when
 * there is no stack; nested ones are indented to their position. */
static void fmt_error(ictx_t *ic, JSObjectRef o, isl_buf_t *base) {
  char *d = isl_exception_describe(ic->ctx, o);
  bool has_stack = strstr(d, "\n    at ") != NULL;
  if (!has_stack) isl_buf_putc(base, '[');
  for (const char *p = d; *p; p++) {
    isl_buf_putc(base, *p);
    if (*p == '\n') spaces(base, ic->indent);
  }
  if (!has_stack) isl_buf_putc(base, ']');
  free(d);
}

static const char *typed_array_name(JSTypedArrayType t) {
  switch (t) {
  case kJSTypedArrayTypeInt8Array: return "Int8Array";
  case kJSTypedArrayTypeInt16Array: return "Int16Array";
  case kJSTypedArrayTypeInt32Array: return "Int32Array";
  case kJSTypedArrayTypeUint8Array: return "Uint8Array";
  case kJSTypedArrayTypeUint8ClampedArray: return "Uint8ClampedArray";
  case kJSTypedArrayTypeUint16Array: return "Uint16Array";
  case kJSTypedArrayTypeUint32Array: return "Uint32Array";
  case kJSTypedArrayTypeFloat32Array: return "Float32Array";
  case kJSTypedArrayTypeFloat64Array: return "Float64Array";
  case kJSTypedArrayTypeBigInt64Array: return "BigInt64Array";
  case kJSTypedArrayTypeBigUint64Array: return "BigUint64Array";
  default: return "TypedArray";
  }
}

enum { K_OBJECT, K_ARRAY, K_TYPED, K_BUFFER, K_FUNCTION, K_MAP, K_SET, K_DATE, K_REGEXP,
       K_ERROR, K_PROMISE, K_WEAKMAP, K_WEAKSET, K_BOXED };

/* Node's formatRaw. */
static void fmt_object(ictx_t *ic, JSObjectRef o, int recurse, isl_buf_t *out) {
  JSContextRef ctx = ic->ctx;
  /* What it is. */
  int kind = K_OBJECT;
  char boxed[16] = "";
  JSTypedArrayType tt = JSValueGetTypedArrayType(ctx, o, NULL);
  if (JSValueIsArray(ctx, o)) kind = K_ARRAY;
  else if (tt == kJSTypedArrayTypeArrayBuffer) kind = K_BUFFER;
  else if (tt != kJSTypedArrayTypeNone) kind = K_TYPED;
  else {
    isl_buf_t k = {0};
    JSValueRef arg = o;
    hcall_str(ic, "kind", 1, &arg, &k);
    const char *s = k.p ? k.p : "object";
    if (!strcmp(s, "function")) kind = K_FUNCTION;
    else if (!strcmp(s, "map")) kind = K_MAP;
    else if (!strcmp(s, "set")) kind = K_SET;
    else if (!strcmp(s, "date")) kind = K_DATE;
    else if (!strcmp(s, "regexp")) kind = K_REGEXP;
    else if (!strcmp(s, "error")) kind = K_ERROR;
    else if (!strcmp(s, "promise")) kind = K_PROMISE;
    else if (!strcmp(s, "weakmap")) kind = K_WEAKMAP;
    else if (!strcmp(s, "weakset")) kind = K_WEAKSET;
    else if (strcmp(s, "object") != 0) {
      kind = K_BOXED;
      snprintf(boxed, sizeof(boxed), "%s", s);
    }
    isl_buf_free(&k);
  }
  /* Constructor name and Symbol.toStringTag. */
  JSValueRef arg = o;
  JSValueRef cv = hcall(ic, "ctorName", 1, &arg);
  isl_buf_t ctor_b = {0}, tag_b = {0};
  bool null_proto = cv && JSValueIsNull(ctx, cv);
  if (cv && JSValueIsString(ctx, cv)) isl_to_utf8(ctx, cv, &ctor_b, NULL);
  hcall_str(ic, "tag", 1, &arg, &tag_b);
  const char *tag = tag_b.p ? tag_b.p : "";
  const char *ctor_or_null = null_proto ? NULL : (ctor_b.p ? ctor_b.p : "");
  /* A constructor named "" (anonymous class) shows like Object. */
  const char *ctor_name = ctor_or_null && *ctor_or_null ? ctor_or_null : "Object";

  isl_buf_t base = {0}, open = {0};
  const char *close = "}";
  bool array_like = false, numeric = false;
  bool skip_indices = kind == K_ARRAY || kind == K_TYPED ||
                      (kind == K_BOXED && !strcmp(boxed, "String"));
  size_t length = 0;
  list_t l = {0};
  size_t nkeys = 0;
  char size[32] = "";
  const char *fallback = "Object";

  switch (kind) {
  case K_ARRAY:
    length = array_length(ctx, o);
    snprintf(size, sizeof(size), "(%zu)", length);
    if (strcmp(ctor_name, "Array") != 0 || *tag || null_proto)
      prefix(&open, ctor_or_null, tag, "Array", size);
    isl_buf_putc(&open, '[');
    close = "]";
    array_like = true;
    break;
  case K_TYPED:
    length = JSObjectGetTypedArrayLength(ctx, o, NULL);
    snprintf(size, sizeof(size), "(%zu)", length);
    prefix(&open, ctor_or_null, tag, typed_array_name(tt), size);
    isl_buf_putc(&open, '[');
    close = "]";
    array_like = true;
    numeric = true;
    break;
  case K_MAP:
  case K_SET: {
    JSValueRef a[2] = {o, JSValueMakeBoolean(ctx, kind == K_MAP)};
    JSValueRef sz = hcall(ic, "size", 2, a);
    length = sz ? (size_t)JSValueToNumber(ctx, sz, NULL) : 0;
    snprintf(size, sizeof(size), "(%zu)", length);
    fallback = kind == K_MAP ? "Map" : "Set";
    prefix(&open, ctor_or_null, tag, fallback, size);
    isl_buf_putc(&open, '{');
    break;
  }
  case K_FUNCTION: {
    JSValueRef f = hcall(ic, "fn", 1, &arg);
    isl_buf_t type = {0}, name = {0}, sup = {0};
    if (f && JSValueIsObject(ctx, f)) {
      isl_to_utf8(ctx, JSObjectGetPropertyAtIndex(ctx, (JSObjectRef)f, 0, NULL), &type, NULL);
      isl_to_utf8(ctx, JSObjectGetPropertyAtIndex(ctx, (JSObjectRef)f, 1, NULL), &name, NULL);
      isl_to_utf8(ctx, JSObjectGetPropertyAtIndex(ctx, (JSObjectRef)f, 2, NULL), &sup, NULL);
    }
    const char *ty = type.p ? type.p : "Function";
    if (!strcmp(ty, "class")) {
      isl_buf_printf(&base, "[class %s", name.len ? name.p : "(anonymous)");
      if (sup.len) isl_buf_printf(&base, " extends %s", sup.p);
      isl_buf_putc(&base, ']');
      if (!null_proto && strcmp(ctor_name, "Function") != 0)
        isl_buf_printf(&base, " [%s]", ctor_name);
    } else {
      isl_buf_printf(&base, "[%s", ty);
      if (null_proto) isl_buf_puts(&base, " (null prototype)");
      if (name.len) isl_buf_printf(&base, ": %s]", name.p);
      else isl_buf_puts(&base, " (anonymous)]");
      if (!null_proto && strcmp(ctor_name, ty) != 0) isl_buf_printf(&base, " %s", ctor_name);
    }
    if (*tag && (null_proto || strcmp(ctor_name, tag) != 0)) isl_buf_printf(&base, " [%s]", tag);
    isl_buf_free(&type);
    isl_buf_free(&name);
    isl_buf_free(&sup);
    isl_buf_putc(&open, '{');
    break;
  }
  case K_REGEXP:
    hcall_str(ic, "regexp", 1, &arg, &base);
    if (null_proto || strcmp(ctor_name, "RegExp") != 0) {
      isl_buf_t p = {0};
      prefix(&p, ctor_or_null, tag, "RegExp", "");
      isl_buf_append(&p, base.p, base.len);
      isl_buf_free(&base);
      base = p;
    }
    isl_buf_putc(&open, '{');
    break;
  case K_DATE:
    hcall_str(ic, "date", 1, &arg, &base);
    isl_buf_putc(&open, '{');
    break;
  case K_ERROR:
    fmt_error(ic, o, &base);
    isl_buf_putc(&open, '{');
    break;
  case K_BOXED: {
    JSValueRef a[2] = {o, isl_str(ctx, boxed)};
    JSValueRef pv = hcall(ic, "boxed", 2, a);
    isl_buf_printf(&base, "[%s", boxed);
    if (strcmp(ctor_name, boxed) != 0 && !null_proto) isl_buf_printf(&base, " (%s)", ctor_name);
    isl_buf_puts(&base, ": ");
    int saved = ic->indent;
    if (pv) fmt_primitive(ic, pv, &base);
    ic->indent = saved;
    isl_buf_putc(&base, ']');
    isl_buf_putc(&open, '{');
    break;
  }
  case K_BUFFER:
    prefix(&open, ctor_or_null, tag, "ArrayBuffer", "");
    isl_buf_putc(&open, '{');
    break;
  case K_PROMISE:
    prefix(&open, ctor_or_null, tag, "Promise", "");
    isl_buf_putc(&open, '{');
    break;
  case K_WEAKMAP:
  case K_WEAKSET:
    prefix(&open, ctor_or_null, tag, kind == K_WEAKMAP ? "WeakMap" : "WeakSet", "");
    isl_buf_putc(&open, '{');
    break;
  default:
    if (null_proto || strcmp(ctor_name, "Object") != 0 || *tag)
      prefix(&open, ctor_or_null, tag, "Object", "");
    isl_buf_putc(&open, '{');
    break;
  }

  /* Beyond the depth limit only a name is shown ([Object], [Array], [Foo]), unless the
   * value is empty or fully described by its base. */
  bool over = ic->depth >= 0 && recurse > ic->depth;
  int next = recurse + 1;
  bool pushed = false;

  if (over) {
    /* Node checks emptiness before the depth: an empty value still renders in full. */
    JSValueRef a[2] = {o, JSValueMakeBoolean(ctx, skip_indices)};
    JSValueRef p = hcall(ic, "props", 2, a);
    size_t np = p && JSValueIsObject(ctx, p) ? array_length(ctx, (JSObjectRef)p) : 0;
    bool empty_items = (kind == K_ARRAY || kind == K_TYPED || kind == K_MAP || kind == K_SET)
                           ? length == 0
                           : kind != K_BUFFER && kind != K_WEAKMAP && kind != K_WEAKSET;
    if (np == 0 && empty_items) goto finish;
    if (base.len && np == 0) goto finish;
    isl_buf_t name = {0};
    if (null_proto) isl_buf_printf(&name, "[%s: null prototype]", kind == K_ARRAY ? "Array" : fallback);
    else if (*tag && strcmp(ctor_name, tag) != 0) isl_buf_printf(&name, "[%s [%s]]", ctor_name, tag);
    else isl_buf_printf(&name, "[%s]", ctor_name);
    isl_buf_append(out, name.p, name.len);
    isl_buf_free(&name);
    goto done;
  }

  ic->seen[ic->nseen++] = o;
  pushed = true;
  ic->current_depth = next;
  /* The formatter's entries: elements, Map/Set entries, bytes. */
  switch (kind) {
  case K_ARRAY:
  case K_TYPED: {
    size_t shown = length < 100 ? length : 100;
    numeric = true;
    for (size_t i = 0; i < shown; i++) {
      isl_buf_t e = {0};
      if (kind == K_ARRAY) {
        /* Holes: "<N empty items>". */
        size_t holes = 0;
        while (i + holes < shown) {
          char idx[24];
          snprintf(idx, sizeof(idx), "%zu", i + holes);
          JSStringRef s = JSStringCreateWithUTF8CString(idx);
          bool has = JSObjectHasProperty(ctx, o, s);
          JSStringRelease(s);
          if (has) break;
          holes++;
        }
        if (holes) {
          isl_buf_printf(&e, "<%zu empty item%s>", holes, holes == 1 ? "" : "s");
          list_push(&l, &e);
          numeric = false;
          i += holes - 1;
          continue;
        }
      }
      JSValueRef v = JSObjectGetPropertyAtIndex(ctx, o, (unsigned)i, NULL);
      if (!v) v = JSValueMakeUndefined(ctx);
      if (!JSValueIsNumber(ctx, v) && !JSValueIsBigInt(ctx, v)) numeric = false;
      ic->indent += 2;
      fmt_value(ic, v, next, &e);
      ic->indent -= 2;
      list_push(&l, &e);
    }
    if (length > shown) {
      isl_buf_t e = {0};
      isl_buf_printf(&e, "... %zu more item%s", length - shown, length - shown == 1 ? "" : "s");
      list_push(&l, &e);
    }
    break;
  }
  case K_MAP:
  case K_SET: {
    JSValueRef a[3] = {o, JSValueMakeBoolean(ctx, kind == K_MAP), JSValueMakeNumber(ctx, 100)};
    JSValueRef en = hcall(ic, "entries", 3, a);
    size_t n = en && JSValueIsObject(ctx, en) ? array_length(ctx, (JSObjectRef)en) : 0;
    size_t step = kind == K_MAP ? 2 : 1;
    for (size_t i = 0; i + step <= n; i += step) {
      isl_buf_t e = {0};
      ic->indent += 2;
      fmt_value(ic, JSObjectGetPropertyAtIndex(ctx, (JSObjectRef)en, (unsigned)i, NULL), next, &e);
      if (kind == K_MAP) {
        isl_buf_puts(&e, " => ");
        fmt_value(ic, JSObjectGetPropertyAtIndex(ctx, (JSObjectRef)en, (unsigned)i + 1, NULL),
                  next, &e);
      }
      ic->indent -= 2;
      list_push(&l, &e);
    }
    if (length > n / step) {
      isl_buf_t e = {0};
      size_t more = length - n / step;
      isl_buf_printf(&e, "... %zu more item%s", more, more == 1 ? "" : "s");
      list_push(&l, &e);
    }
    break;
  }
  case K_BUFFER: {
    size_t n = JSObjectGetArrayBufferByteLength(ctx, o, NULL);
    /* The bytes are read through a view, not JSObjectGetArrayBufferBytesPtr: that pins
     * the buffer for good, and a pinned buffer can no longer be transferred. */
    JSObjectRef view = n ? JSObjectMakeTypedArrayWithArrayBufferAndOffset(
                               ctx, kJSTypedArrayTypeUint8Array, o, 0, n < 50 ? n : 50, NULL)
                         : NULL;
    isl_buf_t e = {0};
    isl_buf_puts(&e, "[Uint8Contents]: <");
    for (size_t i = 0; i < n && i < 50 && view; i++) {
      JSValueRef b = JSObjectGetPropertyAtIndex(ctx, view, (unsigned)i, NULL);
      isl_buf_printf(&e, i ? " %02x" : "%02x", (unsigned)JSValueToNumber(ctx, b, NULL));
    }
    if (n > 50) isl_buf_printf(&e, " ... %zu more byte%s", n - 50, n - 50 == 1 ? "" : "s");
    isl_buf_putc(&e, '>');
    list_push(&l, &e);
    isl_buf_printf(&e, "byteLength: %zu", n);
    list_push(&l, &e);
    break;
  }
  case K_WEAKMAP:
  case K_WEAKSET:
    list_push_str(&l, "<items unknown>");
    break;
  default:
    break;
  }
  fmt_props(ic, o, skip_indices, next, &l, &nkeys);
  ic->nseen--;
  pushed = false;

  /* Empty: "{}", "[]", "Foo {}", "Map(0) {}", or just the base. */
  if (l.n == 0) {
  finish:
    if (base.len) {
      isl_buf_append(out, base.p, base.len);
    } else {
      isl_buf_append(out, open.p, open.len);
      isl_buf_puts(out, close);
    }
    goto done;
  }
  /* The <ref *N> marker of a value that something inside it refers back to. */
  int ci = circular_index(ic, o);
  if (ci) {
    isl_buf_t b = {0};
    isl_buf_printf(&b, "<ref *%d>", ci);
    if (base.len) isl_buf_printf(&b, " %s", base.p);
    isl_buf_free(&base);
    base = b;
  }
  reduce(ic, &l, base.p ? base.p : "", open.p ? open.p : "{", close, array_like, numeric,
         next, out);
done:
  if (pushed) ic->nseen--;
  list_free(&l);
  isl_buf_free(&base);
  isl_buf_free(&open);
  isl_buf_free(&ctor_b);
  isl_buf_free(&tag_b);
}

static void fmt_value(ictx_t *ic, JSValueRef v, int recurse, isl_buf_t *out) {
  if (!v) {
    isl_buf_puts(out, "undefined");
    return;
  }
  if (!JSValueIsObject(ic->ctx, v)) {
    fmt_primitive(ic, v, out);
    return;
  }
  /* Cycles: a value already being rendered further up becomes [Circular *N]. */
  for (int i = 0; i < ic->nseen; i++) {
    if (JSValueIsStrictEqual(ic->ctx, ic->seen[i], v)) {
      int idx = circular_index(ic, v);
      if (!idx) {
        ic->circular = isl_realloc(ic->circular, (size_t)(ic->ncircular + 1) * sizeof(JSValueRef));
        ic->circular[ic->ncircular++] = v;
        idx = ic->ncircular;
      }
      isl_buf_printf(out, "[Circular *%d]", idx);
      return;
    }
  }
  /* The seen stack is bounded; with the default depth it never gets close. */
  if (ic->nseen >= (int)(sizeof(ic->seen) / sizeof(ic->seen[0]))) {
    isl_buf_puts(out, "[Object]");
    return;
  }
  fmt_object(ic, (JSObjectRef)v, recurse, out);
}

/* ---- helper lifetime ------------------------------------------------------------------- */

void isl_inspect_install(isl_realm_t *r) { isl_lazy_install(r, &helper_def); }

static void ictx_init(ictx_t *ic, JSContextRef ctx, const isl_inspect_opts_t *opts) {
  memset(ic, 0, sizeof(*ic));
  ic->ctx = ctx;
  isl_inspect_opts_t o = opts ? *opts : ISL_INSPECT_DEFAULTS;
  ic->depth = o.depth;
  ic->break_length = o.break_length;
}

/* Forgets the state of a previous rendering (for the next argument of console.log). */
static void ic_reset(ictx_t *ic) {
  ic->nseen = 0;
  ic->indent = 0;
  ic->current_depth = 0;
  free(ic->circular);
  ic->circular = NULL;
  ic->ncircular = 0;
}

void isl_inspect(JSContextRef ctx, JSValueRef v, const isl_inspect_opts_t *opts, isl_buf_t *out) {
  ictx_t ic;
  ictx_init(&ic, ctx, opts);
  fmt_value(&ic, v, 0, out);
  free(ic.circular);
}

/* ---- console.log formatting ------------------------------------------------------------ */

/* One of console.log's conversions through the helper: an exception, also one from
 * compiling the helper, goes to *exc. */
static JSValueRef fmt_hcall(ictx_t *ic, const char *name, JSValueRef v, JSValueRef *exc) {
  if (!ic_helper(ic)) {
    *exc = ic->hexc;
    return NULL;
  }
  return isl_call_method(ic->ctx, ic->h, name, 1, &v, exc);
}

/* A number as %d/%i/%f print it (Node's formatNumber: -0 stays -0). */
static bool fmt_converted(ictx_t *ic, const char *fn, JSValueRef v, isl_buf_t *out,
                          JSValueRef *exc) {
  JSValueRef r = fmt_hcall(ic, fn, v, exc);
  if (!r || *exc) return false;
  fmt_number(ic->ctx, r, out);
  return true;
}

bool isl_format_args(JSContextRef ctx, size_t argc, const JSValueRef argv[], isl_buf_t *out,
                     JSValueRef *exc) {
  ictx_t ic;
  ictx_init(&ic, ctx, NULL);
  size_t a = 0;
  const char *join = "";
  if (argc > 0 && JSValueIsString(ctx, argv[0])) {
    if (argc == 1) return isl_to_utf8(ctx, argv[0], out, exc);
    JSStringRef fs = JSValueToStringCopy(ctx, argv[0], NULL);
    const JSChar *f = JSStringGetCharactersPtr(fs);
    size_t n = JSStringGetLength(fs);
    size_t last = 0;
    for (size_t i = 0; i + 1 < n; i++) {
      if (f[i] != '%') continue;
      JSChar c = f[++i];
      if (a + 1 != argc) {
        isl_buf_t tmp = {0};
        bool ok = true;
        JSValueRef arg = NULL;
        switch (c) {
        case 's':
          arg = argv[++a];
          if (JSValueIsNumber(ctx, arg)) {
            fmt_number(ctx, arg, &tmp);
          } else if (JSValueIsBigInt(ctx, arg)) {
            isl_to_utf8(ctx, arg, &tmp, NULL);
            isl_buf_putc(&tmp, 'n');
          } else if (JSValueIsObject(ctx, arg)) {
            JSValueRef b = fmt_hcall(&ic, "builtinToString", arg, exc);
            if (!b || *exc) {
              ok = false;
            } else if (JSValueToBoolean(ctx, b)) {
              ic_reset(&ic);
              ic.depth = 0;
              fmt_value(&ic, arg, 0, &tmp);
              ic.depth = 2;
            } else {
              ok = isl_to_utf8(ctx, arg, &tmp, exc);
            }
          } else if (JSValueIsSymbol(ctx, arg)) {
            hcall_str(&ic, "sym", 1, &arg, &tmp);
          } else {
            ok = isl_to_utf8(ctx, arg, &tmp, exc);
          }
          break;
        case 'j': {
          arg = argv[++a];
          JSValueRef r = fmt_hcall(&ic, "json", arg, exc);
          ok = r && !*exc && isl_to_utf8(ctx, r, &tmp, exc);
          break;
        }
        case 'd':
        case 'i':
        case 'f':
          arg = argv[++a];
          if (JSValueIsBigInt(ctx, arg) && c != 'f') {
            isl_to_utf8(ctx, arg, &tmp, NULL);
            isl_buf_putc(&tmp, 'n');
          } else if (JSValueIsSymbol(ctx, arg)) {
            isl_buf_puts(&tmp, "NaN");
          } else {
            ok = fmt_converted(&ic, c == 'd' ? "toNumber" : c == 'i' ? "parseInt" : "parseFloat",
                               arg, &tmp, exc);
          }
          break;
        case 'o':
        case 'O':
          arg = argv[++a];
          ic_reset(&ic);
          ic.depth = c == 'o' ? 4 : 2;
          fmt_value(&ic, arg, 0, &tmp);
          ic.depth = 2;
          break;
        case 'c':
          a++; /* CSS is ignored outside browsers */
          break;
        case '%':
          isl_utf16_to_utf8(out, f + last, i - last);
          last = i + 1;
          continue;
        default:
          continue;
        }
        if (!ok) {
          isl_buf_free(&tmp);
          JSStringRelease(fs);
          free(ic.circular);
          return false;
        }
        if (last != i - 1) isl_utf16_to_utf8(out, f + last, i - 1 - last);
        isl_buf_append(out, tmp.p ? tmp.p : "", tmp.len);
        isl_buf_free(&tmp);
        last = i + 1;
      } else if (c == '%') {
        isl_utf16_to_utf8(out, f + last, i - last);
        last = i + 1;
      }
    }
    if (last != 0) {
      a++;
      join = " ";
      if (last < n) isl_utf16_to_utf8(out, f + last, n - last);
    }
    JSStringRelease(fs);
  }
  for (; a < argc; a++) {
    isl_buf_puts(out, join);
    if (JSValueIsString(ctx, argv[a])) {
      isl_to_utf8(ctx, argv[a], out, NULL);
    } else {
      ic_reset(&ic);
      fmt_value(&ic, argv[a], 0, out);
    }
    join = " ";
  }
  free(ic.circular);
  /* Make sure out->p exists even for no output. */
  isl_buf_reserve(out, 0);
  if (out->p) out->p[out->len] = 0;
  return true;
}
