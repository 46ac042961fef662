// atob / btoa (HTML "Base64 utility methods"). The full WPT table runs in
// tests/unit/base64_test.c against the C decoder; these check the JS bindings.
import { eq, throws } from "./assert.js";

const isInvalidChar = (fn) => {
  const e = throws(fn);
  eq(e.name, "InvalidCharacterError");
};

export const btoaEncodesBinaryStrings = { test() {
  eq(btoa(""), "");
  eq(btoa("f"), "Zg==");
  eq(btoa("fo"), "Zm8=");
  eq(btoa("foo"), "Zm9v");
  eq(btoa("\u00ff\u00fe\u0000"), "//4A");
  eq(btoa(123), "MTIz");
} };

export const btoaRejectsCharactersAboveFF = { test() {
  isInvalidChar(() => btoa("\u0100"));
  isInvalidChar(() => btoa("ok\u20ac"));
} };

export const atobDecodesToBinaryString = { test() {
  eq(atob("Zm9v"), "foo");
  eq(atob("//4A"), "\u00ff\u00fe\u0000");
  eq(atob(""), "");
} };

export const atobAllowsMissingPaddingAndWhitespace = { test() {
  eq(atob("Zg"), "f");
  eq(atob("Zm8"), "fo");
  eq(atob(" Z m\t9\nv\f\r"), "foo");
  eq(atob("Zg=="), "f");
  eq(atob("Zg= ="), "f");
} };

export const atobRejectsInvalidInput = { test() {
  isInvalidChar(() => atob("Z"));         // length % 4 == 1
  isInvalidChar(() => atob("Zg="));       // partial padding
  isInvalidChar(() => atob("Zg==="));
  isInvalidChar(() => atob("Z=g="));      // padding in the middle
  isInvalidChar(() => atob("Zm9v\u00a0")); // NBSP is not ASCII whitespace
  isInvalidChar(() => atob("Zm9\u0100"));
  isInvalidChar(() => atob("Zm-_"));      // base64url alphabet is not accepted
  isInvalidChar(() => atob(undefined));   // "undefined" has 9 characters
} };

export const atobConvertsItsArgumentToString = { test() {
  eq(atob(null), "\u009e\u00e9e"); // "null"
  eq(atob({ toString() { return "YQ"; } }), "a");
} };

export const base64FunctionsRequireAnArgument = { test() {
  throws(() => atob(), TypeError);
  throws(() => btoa(), TypeError);
  eq(atob.length, 1);
  eq(btoa.length, 1);
  eq(atob.name, "atob");
} };

export const base64RoundTripsAllBytes = { test() {
  let s = "";
  for (let i = 0; i < 256; i++) s += String.fromCharCode(i);
  for (let n = 0; n < 5; n++) eq(atob(btoa(s.slice(n))), s.slice(n));
} };
