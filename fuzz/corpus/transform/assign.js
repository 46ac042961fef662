import { a, b } from "m";
a = 1; b += 2; a++; --b; a ||= 3; b ??= 4;
[a, x.y, ...b] = arr; ({ a, c: b } = o); ({ a = 1 } = o);
for (a of xs); for ([a, b] of xs); for (a in o);
(a) = 5;
