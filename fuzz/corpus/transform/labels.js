import { a } from "m";
a: { break a; }
outer: for (const x of a) { inner: while (1) { continue outer; } }
