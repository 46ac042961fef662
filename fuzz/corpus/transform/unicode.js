import { a, \u0062 } from "m";
x = '😀é'; \u0061 + \u{62}; ({ \u0061 });
let ä = 1, 𝑥 = 2;
/* U+2028 follows */ y = 1 z = 2; w = ' ';
