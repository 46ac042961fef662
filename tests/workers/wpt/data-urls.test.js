// WPT fetch/data-urls: processing.any.js over data-urls.json ([input, MIME type or null,
// body bytes]) and base64.any.js over base64.json ([input after "data:;base64,", bytes or
// null]). A null expectation means fetch() must reject with a TypeError; otherwise the
// response's Content-Type and body bytes must match.
import { runCases } from "harness.js";

// What fetch() gave for one URL, computed ahead (fetch is asynchronous; runCases' checks
// are not).
async function outcome(url) {
  try {
    const res = await fetch(url);
    return { type: res.headers.get("content-type"), bytes: [...new Uint8Array(await res.arrayBuffer())] };
  } catch (e) {
    return { error: e };
  }
}

function checkOutcome(r, mime, bytes) {
  if (mime === null) {
    if (!r.error) throw new Error(`expected a TypeError, got a response typed ${JSON.stringify(r.type)}`);
    if (!(r.error instanceof TypeError)) throw new Error("expected a TypeError, got " + r.error);
    return;
  }
  if (r.error) throw new Error("rejected: " + r.error);
  if (mime !== undefined && r.type !== mime)
    throw new Error(`Content-Type ${JSON.stringify(r.type)}, want ${JSON.stringify(mime)}`);
  if (JSON.stringify(r.bytes) !== JSON.stringify(bytes))
    throw new Error(`body ${JSON.stringify(r.bytes)}, want ${JSON.stringify(bytes)}`);
}

export const dataUrlProcessing = {
  async test(ctrl, env) {
    const results = new Map();
    for (const c of env.dataUrls) if (typeof c !== "string") results.set(c, await outcome(c[0]));
    runCases("data-urls", env.dataUrls, (c) => checkOutcome(results.get(c), c[1], c[2]),
             env.expected, (c) => c[0]);
  },
};

export const dataUrlBase64 = {
  async test(ctrl, env) {
    const results = new Map();
    for (const c of env.base64)
      if (typeof c !== "string") results.set(c, await outcome("data:;base64," + c[0]));
    // base64.any.js checks the bytes only; a failure is null.
    runCases("data-urls-base64", env.base64,
             (c) => checkOutcome(results.get(c), c[1] === null ? null : undefined, c[1]),
             env.expected, (c) => "base64:" + c[0]);
  },
};
