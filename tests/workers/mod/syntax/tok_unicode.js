// Unicode escapes and non-ASCII identifiers.
import { one } from "./values.js";
const \u0061bc = "escaped-abc";
export const viaPlainName = abc;
export const caf\u00e9 = "café";
export const ünïcödé = "unicode";
export const 𝑥 = "astral";
export const escapedImportReference = \u006fne + 1;
export const emojiBeforeImport = "🎉" + one;
