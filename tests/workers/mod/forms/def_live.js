// `export { x as default }` exports the binding itself: it stays live.
let x = "before";
export { x as default };
export function set(v) { x = v; }
