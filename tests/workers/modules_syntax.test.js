// ES module source text: strict mode, early errors, and the tokenizer's hard cases
// (regex vs division, templates, keywords as names, strings and comments, hashbang,
// Unicode escapes, ASI). Each fixture is imported by its test.
import { eq, ok, deepEq, throws, rejects } from "./assert.js";

const load = (name) => import("./mod/syntax/" + name);

export const topLevelThisIsUndefined = {
  async test() {
    const m = await load("strict.js");
    eq(m.topLevelThis, undefined);
  },
};

export const moduleCodeIsStrict = {
  async test() {
    const m = await load("strict.js");
    eq(m.functionThis, undefined);
    eq(m.argumentsIsUnmapped, "orig");
  },
};

export const assigningUndeclaredVariableThrowsReferenceError = {
  async test() {
    const m = await load("strict.js");
    throws(m.assignUndeclared, ReferenceError);
    ok(!("undeclaredModuleVariable" in globalThis));
  },
};

export const moduleDeclarationsAreNotGlobals = {
  async test() {
    const m = await load("strict.js");
    eq(m.moduleVar, "module var");
    ok(!("moduleVar" in globalThis));
    ok(!("moduleFunction" in globalThis));
  },
};

export const testFileIsStrictToo = {
  test() {
    throws(() => { undeclaredInTestFile = 1; }, ReferenceError);
  },
};

export const withStatementIsSyntaxError = {
  async test() {
    await rejects(load("with_statement.js"), SyntaxError);
  },
};

export const legacyOctalIsSyntaxError = {
  async test() {
    await rejects(load("legacy_octal.js"), SyntaxError);
  },
};

export const duplicateExportNameIsSyntaxError = {
  async test() {
    await rejects(load("duplicate_export.js"), SyntaxError);
  },
};

export const exportOfUndeclaredNameIsSyntaxError = {
  async test() {
    await rejects(load("export_undeclared.js"), SyntaxError);
  },
};

export const importInsideBlockIsSyntaxError = {
  async test() {
    await rejects(load("nested_import.js"), SyntaxError);
  },
};

export const divisionIsNotRegex = {
  async test() {
    const m = await load("tok_regex.js");
    eq(m.division, 1);
    eq(m.divisionAfterParen, 5);
    eq(m.divisionAfterBracket, 4);
    eq(m.divisionAfterImport, 1);
    eq(m.divisionAfterObjectLiteral, 3);
    eq(m.divideAssign, 2);
    eq(m.afterPostfix, 4);
    eq(m.commentNotRegex, 5);
  },
};

export const regexIsNotDivision = {
  async test() {
    const m = await load("tok_regex.js");
    eq(m.regexAfterParen, true);
    eq(m.regexInArray, "\\/");
    eq(m.regexAfterReturn, 'import "x"');
    eq(m.regexClassWithQuotes, true);
    eq(m.regexAfterTypeof, "object");
    eq(m.regexFlags, "gimsuy");
    eq(m.regexAfterIf, true);
    eq(m.regexAfterBlock, true);
    eq(m.regexWithSlashesInClass, "//");
  },
};

export const nestedTemplates = {
  async test() {
    const m = await load("tok_template.js");
    eq(m.nested, "abc1d");
    eq(m.withBraces, "1}{");
    eq(m.regexInSubstitution, "}`");
  },
};

export const importInsideTemplateIsText = {
  async test() {
    const m = await load("tok_template.js");
    eq(m.keywordsInside, 'import x from "y"; export values');
    eq(m.multiLine, 'line1\n1\nimport { nope } from "./nope.js";\nline4');
  },
};

export const taggedTemplateSeesImport = {
  async test() {
    const m = await load("tok_template.js");
    eq(m.tagged, "a|b\\n1");
  },
};

export const linesCountedThroughTemplates = {
  async test() {
    const m = await load("tok_template.js");
    ok(/tok_template\.js:12:/.test(m.whereAfterTemplate()), m.whereAfterTemplate());
  },
};

export const keywordsAsPropertyNames = {
  async test() {
    const m = await load("tok_keywords.js");
    eq(m.keys, "import,export,default,from,as");
    eq(m.member, 6);
    eq(m.optional, 1);
    eq(m.nestedKey, 1);
    eq(m.destructured, 1);
    eq(m.method, "method");
    eq(m.staticField, "static");
  },
};

export const contextualKeywordsAsIdentifiers = {
  async test() {
    const m = await load("tok_keywords.js");
    eq(m.contextual, 15);
    eq(m.from, "from-binding");
  },
};

export const importMetaAndDynamicImportAmongKeywords = {
  async test() {
    const m = await load("tok_keywords.js");
    eq(m.metaType, "object");
    eq((await m.dynamicImport).name, "values");
  },
};

export const reexportOfImportedBindingAsDefault = {
  async test() {
    eq((await load("tok_keywords.js")).default, 1);
  },
};

export const importExportInStringsAndCommentsIgnored = {
  async test() {
    const m = await load("tok_strings.js");
    eq(m.s1, "import x from './nope.js'");
    eq(m.s2, "export default 1; ' import \"./nope.js\"");
    eq(m.s3, '"export" \\');
    eq(m.afterComments, "ok");
  },
};

export const lineContinuationInString = {
  async test() {
    const m = await load("tok_strings.js");
    eq(m.continued, "line continued");
    ok(/tok_strings\.js:11:/.test(m.whereAfterContinuation()), m.whereAfterContinuation());
  },
};

export const hashbangLineIsIgnored = {
  async test() {
    const m = await load("tok_hashbang.js");
    eq(m.hashbang, "ok");
    ok(/tok_hashbang\.js:3:/.test(m.where()), m.where());
  },
};

export const unicodeEscapesInIdentifiers = {
  async test() {
    const m = await load("tok_unicode.js");
    eq(m.viaPlainName, "escaped-abc");
    eq(m["café"], "café");
    eq(m.escapedImportReference, 2);
  },
};

export const nonAsciiIdentifiers = {
  async test() {
    const m = await load("tok_unicode.js");
    eq(m["ünïcödé"], "unicode");
    eq(m["𝑥"], "astral");
    eq(m.emojiBeforeImport, "🎉1");
  },
};

export const statementsWithoutSemicolons = {
  async test() {
    const m = await load("tok_asi.js");
    eq(m.a, 1);
    eq(m.b, 2);
    eq(m.default, 1);
    eq(m.c, 3);
  },
};
