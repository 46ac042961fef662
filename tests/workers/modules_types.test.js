// Module types other than JavaScript: text (.txt/.html), data (.bin), JSON (.json) and
// WebAssembly (.wasm). CommonJS is in modules_commonjs.test.js.
import { eq, ok, deepEq, throws } from "./assert.js";
import text from "./mod/types/hello.txt";
import html from "./mod/types/page.html";
import blob from "./mod/types/blob.bin";
import config from "./mod/types/config.json";
import addModule from "./mod/types/add.wasm";
import baseModule from "./mod/types/base.wasm";

export const textModuleIsDecodedString = {
  test() {
    eq(text, "héllo wörld ✓\nsecond line\n");
  },
};

export const htmlModuleIsString = {
  test() {
    eq(html, '<!doctype html><p class="x">import x from "y"</p>\n');
  },
};

export const textModuleIsSameForEveryImporter = {
  async test() {
    eq((await import("./mod/types/text_user.js")).text, text);
  },
};

export const dataModuleIsArrayBuffer = {
  test() {
    ok(blob instanceof ArrayBuffer, "got " + Object.prototype.toString.call(blob));
    deepEq([...new Uint8Array(blob)], [0, 1, 2, 255, 128, 254]);
  },
};

export const jsonModuleWithoutAttributeByExtension = {
  test() {
    eq(config.port, 8080);
    deepEq(config.tags, ["a", "b"]);
  },
};

export const wasmModuleIsCompiledModule = {
  test() {
    ok(addModule instanceof WebAssembly.Module, "got " + addModule);
    deepEq(WebAssembly.Module.exports(addModule).map(({ name, kind }) => [name, kind]), [["add", "function"]]);
  },
};

export const wasmInstantiatedAtTestTimeWithoutCodeGeneration = {
  test() {
    throws(() => eval("1"), EvalError);
    const { add } = new WebAssembly.Instance(addModule, {}).exports;
    eq(add(2, 3), 5);
    eq(add(2147483647, 1), -2147483648, "i32 arithmetic wraps");
  },
};

export const wasmInstantiateAsyncGivesInstance = {
  async test() {
    const inst = await WebAssembly.instantiate(addModule);
    ok(inst instanceof WebAssembly.Instance);
    eq(inst.exports.add(20, 22), 42);
  },
};

export const wasmImportsAreCalled = {
  test() {
    const { addBase } = new WebAssembly.Instance(baseModule, { env: { base: () => 41 } }).exports;
    eq(addBase(1), 42);
  },
};

export const wasmMissingImportIsLinkError = {
  test() {
    throws(() => new WebAssembly.Instance(baseModule, { env: {} }), WebAssembly.LinkError);
    throws(() => new WebAssembly.Instance(baseModule, {}), TypeError);
  },
};
