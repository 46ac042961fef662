// Counts how often its body runs: require() caches the module.
globalThis.__typesHelperLoads = (globalThis.__typesHelperLoads || 0) + 1;
module.exports = { value: 7 };
