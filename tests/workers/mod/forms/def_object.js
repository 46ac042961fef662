// An object literal after `export default` is an expression, not a block.
export default { export: 1, import: 2, default: 3 };
