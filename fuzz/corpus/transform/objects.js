import { a, get, set, async } from "m";
x = { a, get, set, async, get b() {}, set b(v) {}, async c() {}, *d() {}, async *e() {}, [a]: 1, 'f': 2, 3: 4, ...a };
get(); set(); async(1); async (x) => x;
