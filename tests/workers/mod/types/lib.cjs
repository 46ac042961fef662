// A CommonJS module: require, exports, module.exports, __filename, __dirname.
const helper = require("./helper.cjs");
exports.named = "named-value";
exports.fromHelper = helper.value;
exports.helperFirst = helper;
exports.helperAgain = require("./helper.cjs");
exports.json = require("./config.json");
exports.jsonAgain = require("./config.json");
exports.filename = __filename;
exports.dirname = __dirname;
exports.thisIsExports = this === module.exports;
exports.exportsIsModuleExports = exports === module.exports;
exports.sloppy = (function () { return this !== undefined; })();
exports.self = () => module.exports;
let missing;
try { require("./not-there.cjs"); } catch (e) { missing = e; }
exports.missingError = missing;
