import { a } from "m";
x = a / 2 / a; y = /a\/[/]b/g.test(a);
if (x) /re/.test(a);
while (x) /re/.exec(a);
x = (a) / 2; x = y[0] / a; x = {} / a; x = function () {} / a;
{}
/re/.test(a);
function f() { return /re/; }
x = typeof /a/; x = a++ / 2; x = `${a}` / a;
