// URLPattern (URL Pattern Standard), as workerd exposes it: the Web IDL shape, argument
// conversion and overloads, errors, ignoreCase, groups and the exec() result. The WPT
// data (tests/workers/wpt/urlpattern.capnp) covers the pattern syntax case by case.
import { eq, ok, deepEq, throws } from "./assert.js";

const COMPONENTS = ["protocol", "username", "password", "hostname", "port", "pathname", "search", "hash"];

// ---- Shape ---------------------------------------------------------------------------

export const globalIsNonEnumerableAndWritable = {
  test() {
    const d = Object.getOwnPropertyDescriptor(globalThis, "URLPattern");
    eq(typeof d.value, "function");
    eq(d.enumerable, false);
    eq(d.writable, true);
    eq(d.configurable, true);
    eq(URLPattern.name, "URLPattern");
    eq(URLPattern.length, 0);
  },
};

export const methodsAndAccessorsLiveOnThePrototype = {
  test() {
    const proto = URLPattern.prototype;
    for (const m of ["test", "exec"]) {
      const d = Object.getOwnPropertyDescriptor(proto, m);
      eq(typeof d.value, "function", m);
      eq(d.value.length, 0, m + ".length");
      ok(d.enumerable && d.writable && d.configurable, m + " attributes");
    }
    for (const a of [...COMPONENTS, "hasRegExpGroups"]) {
      const d = Object.getOwnPropertyDescriptor(proto, a);
      eq(typeof d.get, "function", a);
      eq(d.set, undefined, a + " is read-only");
      ok(d.enumerable && d.configurable, a + " attributes");
    }
    eq(proto[Symbol.toStringTag], "URLPattern");
    eq(Object.prototype.toString.call(new URLPattern()), "[object URLPattern]");
  },
};

export const instancesHaveNoOwnProperties = {
  test() {
    const p = new URLPattern({ pathname: "/a/:b" });
    deepEq(Reflect.ownKeys(p), []);
    eq(Object.getPrototypeOf(p), URLPattern.prototype);
  },
};

export const gettersAreReadOnly = {
  test() {
    const p = new URLPattern({ pathname: "/a" });
    throws(() => {
      p.pathname = "/b"; // modules are strict code: assigning to a getter throws
    }, TypeError);
    eq(p.pathname, "/a");
  },
};

export const constructorNeedsNew = {
  test() {
    throws(() => URLPattern({}), TypeError);
  },
};

export const brandChecksThrowTypeError = {
  test() {
    const proto = URLPattern.prototype;
    throws(() => proto.test.call({}, {}), TypeError, /Illegal invocation/);
    throws(() => proto.exec.call(new URL("https://a/"), {}), TypeError, /Illegal invocation/);
    for (const a of [...COMPONENTS, "hasRegExpGroups"]) {
      const get = Object.getOwnPropertyDescriptor(proto, a).get;
      throws(() => get.call({}), TypeError, /Illegal invocation/);
      throws(() => proto[a], TypeError, /Illegal invocation/);
    }
    const fake = Object.create(proto);
    throws(() => fake.test(), TypeError, /Illegal invocation/);
  },
};

export const subclassesGetTheirPrototype = {
  test() {
    class Route extends URLPattern {
      get id() {
        return "r";
      }
    }
    const r = new Route({ pathname: "/users/:id" });
    ok(r instanceof Route && r instanceof URLPattern);
    eq(r.id, "r");
    eq(r.exec({ pathname: "/users/7" }).pathname.groups.id, "7");
  },
};

// ---- Construction and overloads ------------------------------------------------------

export const noArgumentsAndEmptyInitMatchEverything = {
  test() {
    for (const p of [new URLPattern(), new URLPattern({}), new URLPattern(undefined), new URLPattern(null)]) {
      for (const c of COMPONENTS) eq(p[c], "*", c);
      eq(p.hasRegExpGroups, false);
      ok(p.test("https://user:pw@example.com:8080/a/b?c#d"));
      ok(p.test({}));
    }
  },
};

export const constructorStringIsSplitIntoComponents = {
  test() {
    // "*?" would read as an optional wildcard: a '?' after '*' is a modifier.
    eq(new URLPattern("https://e.com/*?q").pathname, "/*?q");
    const p = new URLPattern("https://:sub.example.com/:cat/list?q=:q#top");
    eq(p.protocol, "https");
    eq(p.username, "*");
    eq(p.password, "*");
    eq(p.hostname, ":sub.example.com");
    eq(p.port, "");
    eq(p.pathname, "/:cat/list");
    eq(p.search, "q=:q");
    eq(p.hash, "top");
  },
};

export const constructorStringIsCanonicalized = {
  test() {
    const p = new URLPattern("https://EXAMPLE.COM:443/a b/./c");
    eq(p.protocol, "https");
    eq(p.hostname, "example.com");
    eq(p.port, "", "the default port is dropped");
    eq(p.pathname, "/a%20b/c");
  },
};

export const relativeStringNeedsABaseURL = {
  test() {
    throws(() => new URLPattern("/books/:id"), TypeError);
    const p = new URLPattern("/books/:id", "https://example.com/shop/");
    eq(p.protocol, "https");
    eq(p.hostname, "example.com");
    eq(p.pathname, "/books/:id");
    ok(p.test("https://example.com/books/12"));
    const rel = new URLPattern("../admin/*", "https://discussion.example/forum/?page=2");
    eq(rel.pathname, "/admin/*");
    ok(rel.test("https://discussion.example/admin/update?id=1"));
    ok(!rel.test("https://discussion.example/forum/admin/"));
  },
};

export const baseURLNextToAnInitIsATypeError = {
  test() {
    throws(() => new URLPattern({ pathname: "/a" }, "https://example.com"), TypeError);
    throws(() => new URLPattern({}).test({ pathname: "/a" }, "https://example.com"), TypeError);
    throws(() => new URLPattern({}).exec({ pathname: "/a" }, "https://example.com"), TypeError);
  },
};

export const invalidBaseURLIsATypeError = {
  test() {
    throws(() => new URLPattern("/a", "not a url"), TypeError);
    throws(() => new URLPattern({ pathname: "/a", baseURL: "nope" }), TypeError);
  },
};

export const secondArgumentIsOptionsOrBaseURL = {
  test() {
    // An object (or undefined / null) second argument is the options dictionary.
    const a = new URLPattern({ pathname: "/A" }, { ignoreCase: true });
    ok(a.test({ pathname: "/a" }));
    const b = new URLPattern("https://example.com/A", undefined);
    ok(!b.test("https://example.com/a"));
    const c = new URLPattern("https://example.com/A", null);
    ok(!c.test("https://example.com/a"));
    // Anything else is the base URL, converted to a string.
    const d = new URLPattern("/A", "https://example.com", { ignoreCase: true });
    ok(d.test("https://example.com/a"));
    // With three arguments the second is always the base URL.
    throws(() => new URLPattern("/A", { ignoreCase: true }, undefined), TypeError);
  },
};

export const optionsMustBeAnObject = {
  test() {
    throws(() => new URLPattern("/a", "https://example.com", 5), TypeError);
    throws(() => new URLPattern("/a", "https://example.com", "x"), TypeError);
  },
};

export const argumentsAreConvertedToStrings = {
  test() {
    const seen = [];
    const v = (s) => ({
      toString() {
        seen.push(s);
        return s;
      },
    });
    const p = new URLPattern({ pathname: v("/x"), hash: v("h"), protocol: v("http") });
    eq(p.pathname, "/x");
    eq(p.hash, "h");
    // Dictionary members are read in lexicographic order.
    deepEq(seen, ["h", "/x", "http"]);
    throws(() => new URLPattern(Symbol("s")), TypeError);
    throws(() => new URLPattern({ pathname: Symbol("s") }), TypeError);
    throws(() => new URLPattern({}).test("https://a/", Symbol("s")), TypeError);
  },
};

export const loneSurrogatesBecomeReplacementCharacters = {
  test() {
    const p = new URLPattern({ pathname: "/\uD800" });
    eq(p.pathname, "/%EF%BF%BD");
  },
};

// ---- Errors --------------------------------------------------------------------------

export const malformedPatternsAreTypeErrors = {
  test() {
    const bad = [
      { pathname: "/(" }, // unclosed regexp group
      { pathname: "/()" }, // empty regexp group
      { pathname: "/(?x)" }, // a group starting with '?'
      { pathname: "/((x))" }, // a capturing group inside a regexp group
      { pathname: "/:" }, // ':' without a name
      { pathname: "/{a" }, // unclosed '{'
      { pathname: "/a}" }, // stray '}'
      { pathname: "/a\\" }, // trailing backslash
      { pathname: "/:id/:id" }, // duplicate name
      { pathname: "/(\\m)" }, // not a valid regular expression
      { pathname: "/(café)" }, // non-ASCII in a regexp group
      { protocol: "ht tp" }, // not a scheme
      { hostname: "bad host" }, // not a host
      { port: "99999" }, // out of range
      { hostname: "[::xy]" }, // not an IPv6 pattern
    ];
    for (const init of bad) {
      let error = null;
      try {
        new URLPattern(init);
      } catch (e) {
        error = e;
      }
      ok(error instanceof TypeError, `${JSON.stringify(init)} threw ${error}`);
    }
  },
};

export const errorMessagesSayWhatIsWrong = {
  test() {
    throws(() => new URLPattern({ pathname: "/:id/:id" }), TypeError, /id.*twice/);
    throws(() => new URLPattern({ pathname: "/(" }), TypeError, /not closed/);
    throws(() => new URLPattern("/a"), TypeError, /base URL/);
  },
};

// ---- Matching ------------------------------------------------------------------------

export const testAndExecAgree = {
  test() {
    const p = new URLPattern({ pathname: "/books/:id(\\d+)" });
    eq(p.test({ pathname: "/books/12" }), true);
    eq(p.test({ pathname: "/books/x" }), false);
    eq(p.exec({ pathname: "/books/x" }), null);
    ok(p.exec({ pathname: "/books/12" }) !== null);
  },
};

export const namedAndNumberedGroups = {
  test() {
    const p = new URLPattern({ pathname: "/:lang/docs/(\\d+)/*" });
    const r = p.exec("https://example.com/en/docs/42/a/b");
    deepEq(r.pathname, { groups: { 0: "42", 1: "a/b", lang: "en" }, input: "/en/docs/42/a/b" });
    deepEq(Object.keys(r.pathname.groups), ["0", "1", "lang"]);
  },
};

export const optionalGroupThatDidNotMatchIsUndefined = {
  test() {
    const p = new URLPattern({ pathname: "/product/:id?" });
    const r = p.exec({ pathname: "/product" });
    ok("id" in r.pathname.groups);
    eq(r.pathname.groups.id, undefined);
    eq(p.exec({ pathname: "/product/7" }).pathname.groups.id, "7");
    eq(p.test({ pathname: "/product/" }), false);
  },
};

export const repeatedGroups = {
  test() {
    const p = new URLPattern({ pathname: "/files/:path+" });
    eq(p.exec({ pathname: "/files/a/b/c" }).pathname.groups.path, "a/b/c");
    eq(p.test({ pathname: "/files" }), false);
    const q = new URLPattern({ pathname: "/files/:path*" });
    eq(q.exec({ pathname: "/files" }).pathname.groups.path, undefined);
  },
};

export const groupNamedProtoIsAnOwnProperty = {
  test() {
    const p = new URLPattern({ pathname: "/:__proto__" });
    const g = p.exec({ pathname: "/x" }).pathname.groups;
    eq(Object.getPrototypeOf(g), Object.prototype);
    deepEq(Object.getOwnPropertyDescriptor(g, "__proto__"),
      { value: "x", writable: true, enumerable: true, configurable: true });
  },
};

export const execResultShape = {
  test() {
    const p = new URLPattern("https://example.com/:id");
    const r = p.exec("https://example.com/5?q#h");
    deepEq(Object.keys(r),
      ["hash", "hostname", "inputs", "password", "pathname", "port", "protocol", "search", "username"]);
    deepEq(r.inputs, ["https://example.com/5?q#h"]);
    deepEq(r.protocol, { groups: {}, input: "https" });
    deepEq(r.hostname, { groups: {}, input: "example.com" });
    deepEq(r.port, { groups: {}, input: "" });
    deepEq(r.search, { groups: { 0: "q" }, input: "q" });
    deepEq(r.hash, { groups: { 0: "h" }, input: "h" });
    ok(p.exec("https://example.com/5") !== p.exec("https://example.com/5"), "a new result each time");
  },
};

export const execInputsListTheArguments = {
  test() {
    const p = new URLPattern({ pathname: "/a/:b" });
    deepEq(p.exec("/a/1", "https://example.com").inputs, ["/a/1", "https://example.com"]);
    const init = { pathname: "/a/2", hostname: "h", extra: "ignored" };
    const r = p.exec(init);
    eq(r.inputs.length, 1);
    ok(r.inputs[0] !== init, "the dictionary is converted, not passed through");
    deepEq(r.inputs[0], { hostname: "h", pathname: "/a/2" });
  },
};

export const unparsableInputsDoNotMatch = {
  test() {
    const p = new URLPattern();
    eq(p.test("not a url"), false);
    eq(p.exec("not a url"), null);
    eq(p.test("/a", "not a base"), false);
    eq(p.test({ pathname: "/a", baseURL: "not a base" }), false);
    eq(p.test({ port: "nope" }), false);
    eq(p.test("/a", "https://example.com"), true);
  },
};

export const initInputsAreCanonicalized = {
  test() {
    const p = new URLPattern({ protocol: "https", hostname: "example.com", pathname: "/a%20b" });
    ok(p.test({ protocol: "HTTPS", hostname: "EXAMPLE.com", pathname: "/a b" }));
    const port = new URLPattern({ protocol: "http", port: "" });
    ok(port.test({ protocol: "http", port: "80" }), "the default port is no port");
  },
};

export const defaultPortInPatternIsDropped = {
  test() {
    const p = new URLPattern({ protocol: "https", port: "443" });
    eq(p.port, "");
    ok(p.test("https://example.com:443/"));
    ok(!p.test("https://example.com:8443/"));
  },
};

export const hostWithoutPortMeansTheDefaultPort = {
  test() {
    const p = new URLPattern("https://example.com/*");
    ok(p.test("https://example.com/x"));
    ok(!p.test("https://example.com:8443/x"));
    ok(new URLPattern("https://example.com:*/*").test("https://example.com:8443/x"));
  },
};

// ---- ignoreCase ----------------------------------------------------------------------

export const ignoreCaseAppliesToPathSearchAndHash = {
  test() {
    const p = new URLPattern({ pathname: "/Books/:id", search: "Q=*", hash: "Top" }, { ignoreCase: true });
    const r = p.exec({ pathname: "/bOOks/AbC", search: "q=1", hash: "TOP" });
    ok(r !== null);
    eq(r.pathname.groups.id, "AbC", "groups keep the input's case");
    const strict = new URLPattern({ pathname: "/Books/:id" });
    eq(strict.test({ pathname: "/books/1" }), false);
    eq(new URLPattern({ pathname: "/a" }, { ignoreCase: false }).test({ pathname: "/A" }), false);
  },
};

export const ignoreCaseIsConvertedToBoolean = {
  test() {
    ok(new URLPattern({ pathname: "/a" }, { ignoreCase: 1 }).test({ pathname: "/A" }));
    ok(!new URLPattern({ pathname: "/a" }, { ignoreCase: "" }).test({ pathname: "/A" }));
  },
};

export const ignoreCaseDoesNotTouchProtocolOrUsername = {
  test() {
    const p = new URLPattern({ protocol: "http{s}?", username: "Bob" }, { ignoreCase: true });
    ok(p.test({ protocol: "https", username: "Bob" }));
    ok(!p.test({ protocol: "https", username: "bob" }));
  },
};

// ---- hasRegExpGroups -----------------------------------------------------------------

export const hasRegExpGroupsOnlyForCustomRegExps = {
  test() {
    eq(new URLPattern({ pathname: "/:id" }).hasRegExpGroups, false);
    eq(new URLPattern({ pathname: "/*" }).hasRegExpGroups, false);
    eq(new URLPattern({ pathname: "/:id([^\\/]+?)" }).hasRegExpGroups, false, "the default segment regexp");
    eq(new URLPattern({ pathname: "/:id(\\d+)" }).hasRegExpGroups, true);
    eq(new URLPattern({ hostname: "(a|b).example.com" }).hasRegExpGroups, true);
    eq(new URLPattern("https://example.com/(.*)").hasRegExpGroups, false, "(.*) is the wildcard");
  },
};

// ---- Robustness against user code ----------------------------------------------------

export const replacedBuiltinsDoNotChangeMatching = {
  test() {
    const saved = {
      exec: RegExp.prototype.exec,
      slice: String.prototype.slice,
      push: Array.prototype.push,
      hostname: Object.getOwnPropertyDescriptor(URL.prototype, "hostname"),
    };
    try {
      RegExp.prototype.exec = () => null;
      String.prototype.slice = () => "x";
      Array.prototype.push = () => 0;
      Object.defineProperty(URL.prototype, "hostname", { get: () => "evil", set() {}, configurable: true });
      const p = new URLPattern("https://Example.com/:id");
      eq(p.hostname, "example.com");
      eq(p.exec("https://example.com/7").pathname.groups.id, "7");
    } finally {
      RegExp.prototype.exec = saved.exec;
      String.prototype.slice = saved.slice;
      Array.prototype.push = saved.push;
      Object.defineProperty(URL.prototype, "hostname", saved.hostname);
    }
  },
};

export const objectPrototypeSettersAreNotRun = {
  test() {
    let ran = false;
    Object.defineProperty(Object.prototype, "id", { set() { ran = true; }, configurable: true });
    try {
      const g = new URLPattern({ pathname: "/:id" }).exec({ pathname: "/1" }).pathname.groups;
      eq(Object.getOwnPropertyDescriptor(g, "id").value, "1");
      eq(ran, false);
    } finally {
      delete Object.prototype.id;
    }
  },
};
