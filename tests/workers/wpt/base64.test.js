// atob() against WPT's data-urls/base64.json, the Infra standard's forgiving-base64
// decode: [input, bytes] decodes to those bytes as a binary string, [input, null] throws
// an InvalidCharacterError DOMException.
import { runCases } from "harness.js";

function check([input, bytes]) {
  let got;
  try {
    got = atob(input);
  } catch (e) {
    if (bytes !== null) throw new Error(`threw ${e.name}: ${e.message}`);
    if (e.name !== "InvalidCharacterError") throw new Error(`threw ${e.name}, not InvalidCharacterError`);
    return;
  }
  if (bytes === null) throw new Error(`decoded to ${JSON.stringify(got)} instead of throwing`);
  const want = String.fromCharCode(...bytes);
  if (got !== want) throw new Error(`got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

export const forgivingBase64 = {
  test(ctrl, env) {
    runCases("base64", env.cases, check, env.expected, (c) => c[0]);
  },
};
