// `dup` comes from two `export *` with different sources: importing it is a SyntaxError.
import { dup } from "./reexp.js";
export const value = dup;
