export let count = 0;
export function inc() { count++; }
export function reset() { count = 0; }
export let obj = { n: 1 };
export function replaceObj() { obj = { n: 2 }; }
export var late;
export function setLate(v) { late = v; }
