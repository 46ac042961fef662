// WPT mimesniff/mime-types/parsing.any.js over both data files: each input is set as a
// Content-Type header; blob().type must be the serialised MIME type ("" for failure).
// An input a header value cannot hold (a code point above U+00FF, or NUL, LF, CR inside)
// must make the Request and Response constructors throw a TypeError instead.
import { runCases } from "harness.js";

const EDGE_WS = /^[\u0009\u000A\u000D\u0020]+|[\u0009\u000A\u000D\u0020]+$/g;

function headerKind(s) {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) return "incompatible";
    if (c === 0x00 || c === 0x0a || c === 0x0d) return "error";
  }
  return "ok";
}

// The outcome of one case, computed ahead (blob() is asynchronous; runCases' checks are
// not): the two types, or the two constructors' errors.
async function outcome(c) {
  // Leading and trailing HTTP whitespace is normalised away by Headers, as in WPT.
  const input = c.input.replace(EDGE_WS, "");
  if (headerKind(input) !== "ok") {
    const errors = [];
    for (const make of [
      () => new Request("about:blank", { headers: [["Content-Type", input]] }),
      () => new Response(null, { headers: [["Content-Type", input]] }),
    ]) {
      try {
        make();
        errors.push(null);
      } catch (e) {
        errors.push(e);
      }
    }
    return { errors };
  }
  const req = await new Request("about:blank", { headers: [["Content-Type", input]] }).blob();
  const res = await new Response(null, { headers: [["Content-Type", input]] }).blob();
  return { types: [req.type, res.type] };
}

function check(results) {
  return (c) => {
    const r = results.get(c);
    const want = c.output === null ? "" : c.output;
    if (r.errors) {
      for (const e of r.errors)
        if (!(e instanceof TypeError)) throw new Error("expected a TypeError, got " + e);
      return;
    }
    const [req, res] = r.types;
    if (req !== want) throw new Error(`Request: got ${JSON.stringify(req)}, want ${JSON.stringify(want)}`);
    if (res !== want) throw new Error(`Response: got ${JSON.stringify(res)}, want ${JSON.stringify(want)}`);
  };
}

// Both files in one run, so that one expectations file serves them.
export const mimeTypeParsing = {
  async test(ctrl, env) {
    const cases = [...env.mimeTypes, ...env.generated];
    const results = new Map();
    for (const c of cases) if (typeof c !== "string") results.set(c, await outcome(c));
    runCases("mimesniff", cases, check(results), env.expected, (c) => c.input);
  },
};
