export let n = 1;
export function bump() { n++; }
