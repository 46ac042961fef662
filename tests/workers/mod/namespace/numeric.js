// Integer-like export names: a namespace sorts them as strings ("10" before "9"), unlike
// an ordinary object, which lists integer keys first in numeric order.
const a = "a";
export { a as "9", a as "10", a as "b" };
