import { a } from "m";
x = 1_000n + a + 0x1F_FFn + .5 + 1e-3 + 0b1010 + 0o17 + 1.5e+10;
y = a? .5 : a?.b;
