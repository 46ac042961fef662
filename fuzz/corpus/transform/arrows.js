import { a, b } from "m";
x = (c, d = a) => a + c; y = async () => ({ b }); z = async (b) => b;
w = a => a; v = ([a, b], { c }) => a + b + c;
u = (a)
  => a;
