// `export default <expression>` exports the value at that moment, not a live binding.
let x = "before";
export default x;
x = "after";
export function current() { return x; }
