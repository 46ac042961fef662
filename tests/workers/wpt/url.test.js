// The checks of WPT's url/ tests (url-constructor, url-origin, url-statics-*, url-setters,
// toascii, IdnaTestV2, percent-encoding) over their JSON data, one runCases per file.
import { runCases } from "harness.js";
import { eq, throws } from "assert.js";

const ATTRS = ["protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "hash"];

// url-constructor.any.js, url-origin.any.js, url-statics-canparse and -parse.
function checkParsing(c) {
  const base = c.base !== null ? c.base : undefined;
  if (c.failure) {
    throws(() => new URL(c.input, base), TypeError);
    eq(URL.canParse(c.input, base), false, "canParse");
    eq(URL.parse(c.input, base), null, "parse");
    return;
  }
  const url = new URL(c.input, base);
  eq(url.href, c.href, "href");
  if ("origin" in c) eq(url.origin, c.origin, "origin");
  for (const a of ATTRS) eq(url[a], c[a], a);
  if ("searchParams" in c) eq(url.searchParams.toString(), c.searchParams, "searchParams");
  eq(URL.canParse(c.input, base), true, "canParse");
  eq(URL.parse(c.input, base).href, c.href, "parse");
  eq(JSON.stringify(url), JSON.stringify(c.href), "toJSON");
}
const parsingId = (c) => [c.input, c.base];

export const urltestdata = {
  test(ctrl, env) {
    runCases("url/urltestdata", env.urltestdata, checkParsing, env.urltestdataExpected, parsingId);
  },
};

export const urltestdataJavascriptOnly = {
  test(ctrl, env) {
    runCases("url/urltestdata-javascript-only", env.jsOnly, checkParsing, env.jsOnlyExpected, parsingId);
  },
};

// url-setters.any.js: one case per (attribute, href, new value).
export const setters = {
  test(ctrl, env) {
    const cases = [];
    for (const [attr, list] of Object.entries(env.setters)) {
      if (attr === "comment") continue;
      for (const c of list) cases.push({ attr, ...c });
    }
    runCases("url/setters_tests", cases, (c) => {
      const url = new URL(c.href);
      url[c.attr] = c.new_value;
      for (const [k, v] of Object.entries(c.expected)) eq(url[k], v, k);
    }, env.settersExpected, (c) => [c.attr, c.href, c.new_value]);
  },
};

// toascii.window.js, for URL (the <a> and <area> variants need a document).
export const toascii = {
  test(ctrl, env) {
    runCases("url/toascii", env.toascii, (c) => {
      const output = c.output === undefined ? c.input : c.output;
      if (output !== null) {
        const url = new URL(`https://${c.input}/x`);
        eq(url.host, output, "host");
        eq(url.hostname, output, "hostname");
        eq(url.pathname, "/x", "pathname");
        eq(url.href, `https://${output}/x`, "href");
      } else {
        throws(() => new URL(`https://${c.input}/x`), TypeError);
      }
      for (const attr of ["host", "hostname"]) {
        const url = new URL("https://x/x");
        url[attr] = c.input;
        eq(url[attr], output !== null ? output : "x", `setting ${attr}`);
      }
    }, env.toasciiExpected, (c) => c.input);
  },
};

// IdnaTestV2.window.js (which skips the empty input: new URL() cannot carry it).
export const idnaTestV2 = {
  test(ctrl, env) {
    const cases = env.idna.filter((c) => typeof c !== "string" && c.input !== "");
    runCases("url/IdnaTestV2", cases, (c) => {
      if (c.output === null) {
        throws(() => new URL(`https://${c.input}/x`), TypeError);
        return;
      }
      const url = new URL(`https://${c.input}/x`);
      eq(url.host, c.output, "host");
      eq(url.hostname, c.output, "hostname");
      eq(url.pathname, "/x", "pathname");
      eq(url.href, `https://${c.output}/x`, "href");
    }, env.idnaExpected, (c) => [c.input, c.comment]);
  },
};

// percent-encoding.window.js loads a document in each encoding and checks an <a>'s query
// (in that encoding) and fragment (always UTF-8). A worker has no document encoding, so
// the URL API is UTF-8: a case per (input, encoding); the non-UTF-8 ones are known
// failures.
export const percentEncoding = {
  test(ctrl, env) {
    const cases = [];
    for (const c of env.percent) {
      if (typeof c === "string") continue;
      for (const encoding of Object.keys(c.output)) cases.push({ input: c.input, encoding, output: c.output });
    }
    runCases("url/percent-encoding", cases, (c) => {
      if (c.encoding !== "utf-8") throw new Error("only UTF-8 is reachable from the URL API");
      const url = new URL(`https://doesnotmatter.invalid/?${c.input}#${c.input}`);
      eq(url.search, `?${c.output[c.encoding]}`, "query");
      eq(url.hash, `#${c.output["utf-8"]}`, "fragment");
    }, env.percentExpected, (c) => [c.input, c.encoding]);
  },
};
