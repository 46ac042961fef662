// WPT's urlpatterntestdata.json, one case at a time, checked the way WPT's urlpattern
// runner reads the data: construction (or its TypeError), the eight pattern strings
// (filled in from the constructor arguments when the case does not list them), test(),
// and exec() (its inputs and each component's input and groups).
import { runCases } from "harness.js";

const COMPONENTS = ["protocol", "username", "password", "hostname", "port", "pathname", "search", "hash"];
// A component's pattern comes from the base URL only if no earlier one is given.
const EARLIER = {
  protocol: [], username: [], password: [], hostname: ["protocol"],
  port: ["protocol", "hostname"], pathname: ["protocol", "hostname", "port"],
  search: ["protocol", "hostname", "port", "pathname"],
  hash: ["protocol", "hostname", "port", "pathname", "search"],
};

function fail(what) { throw new Error(what); }
function same(actual, expected, what) {
  if (!Object.is(actual, expected)) fail(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}
function throwsType(fn, what) {
  try { fn(); } catch (e) {
    if (e instanceof TypeError) return;
    fail(`${what}: expected a TypeError, got ${e && e.name}: ${e && e.message}`);
  }
  fail(`${what}: expected a TypeError, nothing was thrown`);
}

function expectedPattern(c, component) {
  const first = c.pattern[0];
  if (c.exactly_empty_components && c.exactly_empty_components.includes(component)) return "";
  if (typeof first === "object" && first[component]) return first[component];
  if (typeof first === "object" && EARLIER[component].some((e) => e in first)) return "*";
  let base = null;
  if (typeof first === "object" && first.baseURL) base = new URL(first.baseURL);
  else if (c.pattern.length > 1 && typeof c.pattern[1] === "string") base = new URL(c.pattern[1]);
  if (base && component !== "username" && component !== "password") {
    const v = base[component];
    if (component === "protocol") return v.slice(0, -1);
    if (component === "search" || component === "hash") return v.slice(1);
    return v;
  }
  return "*";
}

function groupsEqual(actual, expected, what) {
  const a = Object.keys(actual), e = Object.keys(expected);
  same(a.length, e.length, `${what} number of groups (${JSON.stringify(a)})`);
  for (const k of e) {
    if (!Object.prototype.hasOwnProperty.call(actual, k)) fail(`${what}: no group ${JSON.stringify(k)}`);
    same(actual[k], expected[k] === null ? undefined : expected[k], `${what} group ${JSON.stringify(k)}`);
  }
}

function check(c) {
  if (c.expected_obj === "error") {
    throwsType(() => new URLPattern(...c.pattern), "constructor");
    return;
  }
  const pattern = new URLPattern(...c.pattern);
  const expectedObj = c.expected_obj || {};
  for (const component of COMPONENTS) {
    const expected = expectedObj[component] ?? expectedPattern(c, component);
    same(pattern[component], expected, `pattern.${component}`);
  }
  const inputs = c.inputs || [];
  if (c.expected_match === "error") {
    throwsType(() => pattern.test(...inputs), "test()");
    throwsType(() => pattern.exec(...inputs), "exec()");
    return;
  }
  same(pattern.test(...inputs), !!c.expected_match, "test()");
  const result = pattern.exec(...inputs);
  if (!c.expected_match || typeof c.expected_match !== "object") {
    same(result, c.expected_match, "exec()");
    return;
  }
  if (result === null) fail("exec(): expected a match, got null");
  const expectedInputs = c.expected_match.inputs || inputs;
  same(result.inputs.length, expectedInputs.length, "exec().inputs.length");
  for (let i = 0; i < expectedInputs.length; i++) {
    const got = result.inputs[i], want = expectedInputs[i];
    if (typeof want === "string") {
      same(got, want, `exec().inputs[${i}]`);
      continue;
    }
    for (const component of COMPONENTS) same(got[component], want[component], `exec().inputs[${i}].${component}`);
  }
  for (const component of COMPONENTS) {
    let want = c.expected_match[component];
    if (!want) {
      // Unlisted components matched "" against the default wildcard (one group "0"), or
      // against an empty pattern (no groups) when the case says so.
      want = { input: "", groups: {} };
      if (!(c.exactly_empty_components || []).includes(component)) want.groups["0"] = "";
    }
    const got = result[component];
    same(got.input, want.input, `exec().${component}.input`);
    groupsEqual(got.groups, want.groups, `exec().${component}.groups`);
  }
}

export const urlpatterntestdata = {
  test(ctrl, env) {
    runCases("urlpattern", env.cases, check, env.expected, (c) => ({ pattern: c.pattern, inputs: c.inputs }));
  },
};
