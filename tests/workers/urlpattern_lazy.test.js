// URLPattern's engine (src/api/urlpattern.js) is compiled in a realm only when its first
// URLPattern is made, from built-ins captured at install. This worker replaces every
// built-in the engine uses BEFORE its first URLPattern, makes that first pattern while
// they are replaced, and only then restores them: the engine must have compiled and
// matched with the originals. (urlpattern_api.test.js tampers after the first use.)
// Nothing else in this file may make a URLPattern before the module body below.
import { eq, ok, throws } from "./assert.js";

const defineProperty = Object.defineProperty;
const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const OriginalTypeError = TypeError;
const OriginalURL = URL;
const urlProto = URL.prototype;

const replaced = []; // [object, key, original descriptor]
function replace(obj, key, value) {
  replaced[replaced.length] = [obj, key, getOwnPropertyDescriptor(obj, key)];
  defineProperty(obj, key, { value, writable: true, configurable: true });
}
function replaceAccessor(obj, key, get) {
  replaced[replaced.length] = [obj, key, getOwnPropertyDescriptor(obj, key)];
  defineProperty(obj, key, { get, set() {}, configurable: true });
}
const poison = (name) => function () { throw new Error("user's " + name + " was called"); };

for (const k of ["codePointAt", "slice", "toLowerCase", "lastIndexOf", "toWellFormed",
                 "charCodeAt", "indexOf"])
  replace(String.prototype, k, poison("String.prototype." + k));
const tamperList = [
  [Array.prototype, "push"], [RegExp.prototype, "exec"], [RegExp.prototype, Symbol.replace],
  [Object, "create"], [Object, "freeze"], [Object, "getOwnPropertyDescriptor"],
  [Reflect, "apply"], [JSON, "stringify"], [globalThis, "encodeURIComponent"],
  [globalThis, "TypeError"], [globalThis, "RegExp"], [globalThis, "URL"],
];
for (let i = 0; i < tamperList.length; i++)
  replace(tamperList[i][0], tamperList[i][1], poison(String(tamperList[i][1])));
for (const k of ["href", "protocol", "username", "password", "hostname", "port", "pathname",
                 "search", "hash"])
  replaceAccessor(urlProto, k, () => "evil");
// Last, as replace() itself uses it.
replace(Object, "defineProperty", poison("Object.defineProperty"));

const seen = {};
try {
  const p = new URLPattern("https://Example.com:443/books/:id(\\d+)");
  seen.hostname = p.hostname;
  seen.port = p.port;
  seen.pathname = p.pathname;
  seen.hasRegExpGroups = p.hasRegExpGroups;
  const r = p.exec("https://example.com/books/42");
  seen.id = r && r.pathname.groups.id;
  seen.noMatch = p.test("https://example.com/books/abc");
  seen.tabs = new URLPattern({ pathname: "/a\tb\n" }).pathname;
  try {
    new URLPattern("https://example.com/(");
    seen.error = "none";
  } catch (e) {
    seen.error = e instanceof OriginalTypeError ? "TypeError" : "other: " + e;
  }
} catch (e) {
  seen.failure = e;
} finally {
  // Object.defineProperty is the last replacement: restore it by the saved function.
  for (let i = replaced.length - 1; i >= 0; i--)
    defineProperty(replaced[i][0], replaced[i][1], replaced[i][2]);
}

export const firstPatternMadeWhileBuiltinsWereReplaced = {
  test() {
    eq(seen.failure, undefined, "the first URLPattern threw");
    eq(seen.hostname, "example.com");
    eq(seen.port, "", "the default port is dropped");
    eq(seen.pathname, "/books/:id(\\d+)");
    eq(seen.hasRegExpGroups, true);
    eq(seen.id, "42");
    eq(seen.noMatch, false);
    eq(seen.tabs, "/ab", "tabs and newlines are stripped by the captured RegExp replace");
    eq(seen.error, "TypeError", "a bad pattern throws the original TypeError");
  },
};

export const builtinsAreRestored = {
  test() {
    eq(URL, OriginalURL);
    eq(new URL("https://a.test/x").pathname, "/x");
    eq("abc".slice(1), "bc");
  },
};

export const laterPatternsStillWork = {
  test() {
    const p = new URLPattern({ hostname: "{*.}?example.com", pathname: "/:a/:b?" });
    eq(p.exec({ hostname: "www.example.com", pathname: "/x" }).pathname.groups.a, "x");
    ok(!p.test({ hostname: "example.org", pathname: "/x" }));
    throws(() => new URLPattern({ pathname: "/(" }), TypeError);
  },
};
