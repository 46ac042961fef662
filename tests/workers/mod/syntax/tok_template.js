// Template literals: nesting, braces, keywords inside, line tracking.
import { one, name } from "./values.js";
export const nested = `a${`b${`c${one}`}`}d`;
export const withBraces = `${{ x: one }.x}${"}"}${'{'}`;
export const keywordsInside = `import x from "y"; export ${name}`;
export const tagged = ((s, ...v) => s.raw.join("|") + v.join(","))`a${one}b\n`;
export const regexInSubstitution = `${/}`/.source}`;
export const multiLine = `line1
${one}
import { nope } from "./nope.js";
line4`;
export function whereAfterTemplate() { return new Error("w").stack; } // line 12
