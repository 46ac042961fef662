// Export names chosen to show the namespace's key order (code-unit order).
export const zeta = 1, alpha = 2;
export let mid = 3;
export function setMid(v) { mid = v; }
export const $dollar = 4, _under = 5, Upper = 6;
export default "d";
