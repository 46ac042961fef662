// `await` in loops and expressions at top level.
let sum = 0;
for (const p of [1, 2, 3].map((n) => Promise.resolve(n))) sum += await p;
export const total = sum;
export const inTemplate = `${await Promise.resolve("t")}`;
for await (const x of (async function* () { yield "g"; })()) sum += x.length;
export const afterForAwait = sum;
