import d, { a as b, default as c, "string name" as s } from "./m.js";
import * as ns from './ns.js';
import d2, * as ns2 from "./n.js";
import "./side.js";
import j from "./data.json" with { type: "json" };
import k from "./data.json" assert { type: "json" };
console.log(d, b, c, s, ns.x, d2, ns2, j, k);
