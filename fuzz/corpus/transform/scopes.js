import { a, b, c } from "m";
function f(a, { b = c, d: [e] } = {}, ...g) { var h; { let c; c = a; } return b + h; }
const k = (a) => a + b, l = async c => c, m = ({ b }) => b;
try { a } catch (a) { a } finally { a }
for (let b of c) b; for (const [c] of a) c;
x = function a() { return a; }; y = class b { m() { return b; } };
lbl: for (;;) { break lbl; continue lbl; }
switch (a) { case b: let c; c; default: a }
