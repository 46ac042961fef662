import { a } from "m";
function* g() { yield a; yield* a; yield /re/; const x = yield; }
async function* h() { for await (const x of a) yield x; await a; }
