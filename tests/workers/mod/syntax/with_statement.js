// `with` is a SyntaxError in strict (module) code.
const o = { x: 1 };
with (o) { x; }
