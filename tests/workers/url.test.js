// The URL class (URL Standard §6.1): Web IDL shape, errors, and edge cases beyond the WPT
// data (tests/workers/wpt/url.capnp runs that).
import { eq, ok, deepEq, throws } from "./assert.js";

export const attributesAreAccessorsOnThePrototype = {
  test() {
    for (const name of ["href", "origin", "protocol", "username", "password", "host", "hostname",
                        "port", "pathname", "search", "searchParams", "hash"]) {
      const d = Object.getOwnPropertyDescriptor(URL.prototype, name);
      ok(d && typeof d.get === "function", name + " getter");
      eq(d.enumerable, true, name);
      eq(d.configurable, true, name);
      eq(typeof d.set, ["origin", "searchParams"].includes(name) ? "undefined" : "function", name + " setter");
    }
    eq(Object.keys(new URL("http://h/")).length, 0, "no own properties");
    eq(Object.prototype.toString.call(new URL("http://h/")), "[object URL]");
    eq(URL.length, 1);
    eq(URL.name, "URL");
    eq(URL.parse.length, 1);
    eq(URL.canParse.length, 1);
  },
};

export const constructorNeedsNewAndAnArgument = {
  test() {
    throws(() => URL("http://h/"), TypeError);
    throws(() => new URL(), TypeError, /1 argument required/);
  },
};

export const brandChecks = {
  test() {
    const get = Object.getOwnPropertyDescriptor(URL.prototype, "href").get;
    throws(() => get.call({}), TypeError, /Illegal invocation/);
    throws(() => URL.prototype.toString.call(new URLSearchParams()), TypeError, /Illegal invocation/);
  },
};

export const invalidInputThrowsTypeError = {
  test() {
    throws(() => new URL("no scheme"), TypeError, /Invalid URL/);
    throws(() => new URL("/path", "not a base"), TypeError);
    throws(() => new URL("http://h:65536/"), TypeError);
    throws(() => new URL("https://ex ample.org/"), TypeError);
    throws(() => new URL(Symbol("x")), TypeError);
  },
};

export const undefinedBaseIsNoBase = {
  test() {
    eq(new URL("http://h/", undefined).href, "http://h/");
    throws(() => new URL("/x", undefined), TypeError);
    // null is a base string "null", which does not parse.
    throws(() => new URL("/x", null), TypeError);
  },
};

export const baseMayBeAURL = {
  test() {
    const u = new URL("../c?x#y", new URL("https://example.com/a/b/"));
    eq(u.href, "https://example.com/a/c?x#y");
  },
};

export const staticsParseAndCanParse = {
  test() {
    eq(URL.canParse("x:"), true);
    eq(URL.canParse("x"), false);
    eq(URL.canParse("x", "https://h/"), true);
    eq(URL.parse("nope"), null);
    const u = URL.parse("/p", "https://h/q");
    ok(u instanceof URL);
    eq(u.href, "https://h/p");
    ok(URL.parse("https://h/") !== URL.parse("https://h/"), "a new object each time");
  },
};

export const hrefSetterThrowsAndKeepsTheURL = {
  test() {
    const u = new URL("https://h/?a=1");
    throws(() => { u.href = "not a url"; }, TypeError);
    eq(u.href, "https://h/?a=1");
    u.href = "http://other/?b=2";
    eq(u.searchParams.get("b"), "2");
    eq(u.searchParams.get("a"), null);
  },
};

export const stringifierAndToJSON = {
  test() {
    const u = new URL("https://h/p?q#f");
    eq(String(u), "https://h/p?q#f");
    eq(u.toJSON(), "https://h/p?q#f");
    eq(JSON.stringify({ u }), '{"u":"https://h/p?q#f"}');
    eq(`${u}`, u.href);
  },
};

export const loneSurrogatesBecomeReplacementCharacters = {
  test() {
    eq(new URL("https://h/\uD800?\uDC00#\uD800x").href, "https://h/%EF%BF%BD?%EF%BF%BD#%EF%BF%BDx");
    const u = new URL("https://h/");
    u.pathname = "\uDBFF";
    eq(u.pathname, "/%EF%BF%BD");
  },
};

export const settersFollowTheSpec = {
  test() {
    const u = new URL("https://user:pw@example.com:8080/a/b?x=1#frag");
    eq(u.origin, "https://example.com:8080");
    u.protocol = "http";
    eq(u.href, "http://user:pw@example.com:8080/a/b?x=1#frag");
    u.protocol = "foo"; // special to non-special is refused
    eq(u.protocol, "http:");
    u.port = "80";
    eq(u.port, "");
    u.host = "[::1]:81";
    eq(u.host, "[::1]:81");
    eq(u.hostname, "[::1]");
    u.hostname = "0x7f.1";
    eq(u.host, "127.0.0.1:81");
    u.username = "a b";
    u.password = "";
    eq(u.href, "http://a%20b@127.0.0.1:81/a/b?x=1#frag");
    u.pathname = "/c d/../e";
    eq(u.pathname, "/e");
    u.search = "y=2";
    eq(u.search, "?y=2");
    u.hash = "";
    eq(u.href, "http://a%20b@127.0.0.1:81/e?y=2");
    u.search = "?";
    eq(u.search, "");
    eq(u.href, "http://a%20b@127.0.0.1:81/e?");
  },
};

export const settersConvertTheirValue = {
  test() {
    const u = new URL("https://h/");
    u.pathname = { toString: () => "/obj" };
    eq(u.pathname, "/obj");
    throws(() => { u.hash = Symbol(); }, TypeError);
    u.search = undefined;
    eq(u.search, "?undefined");
  },
};

export const opaquePathsIgnoreHostAndPathSetters = {
  test() {
    const u = new URL("mailto:someone@example.com");
    u.host = "x";
    u.pathname = "other";
    u.port = "1";
    u.username = "u";
    eq(u.href, "mailto:someone@example.com");
    eq(u.origin, "null");
  },
};

export const searchParamsIsTheSameObject = {
  test() {
    const u = new URL("https://h/?a=1");
    ok(u.searchParams === u.searchParams);
    ok(u.searchParams instanceof URLSearchParams);
  },
};

export const searchParamsUpdatesTheURL = {
  test() {
    const u = new URL("https://h/?a=b ~#f");
    eq(u.href, "https://h/?a=b%20~#f");
    u.searchParams.append("c", "d e");
    eq(u.href, "https://h/?a=b+%7E&c=d+e#f");
    u.searchParams.delete("a");
    u.searchParams.delete("c");
    eq(u.href, "https://h/#f", "an empty list makes the query null");
    eq(u.search, "");
  },
};

export const theURLUpdatesSearchParams = {
  test() {
    const u = new URL("https://h/?a=1");
    const p = u.searchParams;
    u.search = "?b=2&b=3";
    deepEq(p.getAll("b"), ["2", "3"]);
    u.search = "";
    eq(p.size, 0);
    u.href = "https://h/?z=9";
    eq(p.get("z"), "9");
    u.hash = "x";
    eq(p.get("z"), "9");
  },
};

export const searchParamsOutlivesItsURL = {
  test() {
    let p = (() => new URL("https://h/?a=1").searchParams)();
    p.append("b", "2");
    eq(p.toString(), "a=1&b=2");
  },
};

export const fileURLs = {
  test() {
    const u = new URL("file:///C|/dir/../file.txt");
    eq(u.href, "file:///C:/file.txt");
    eq(u.host, "");
    eq(u.origin, "null");
    eq(new URL("..", u).href, "file:///C:/");
    eq(new URL("file://LOCALHOST/x").href, "file:///x");
  },
};

export const blobOrigin = {
  test() {
    eq(new URL("blob:https://example.com:443/uuid").origin, "https://example.com");
    eq(new URL("blob:ftp://example.com/uuid").origin, "null");
  },
};

export const idnaHosts = {
  test() {
    eq(new URL("https://Faß.DE/").host, "xn--fa-hia.de");
    eq(new URL("https://☕.example/").hostname, "xn--53h.example");
    eq(new URL("https://xn--53h.example/").hostname, "xn--53h.example");
    throws(() => new URL("https://xn--a.example/"), TypeError);
    eq(new URL("sc://Faß.DE/").host, "Fa%C3%9F.DE");
  },
};
