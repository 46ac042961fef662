const url = import.meta.url;
const m = await import("./x.js", { with: { type: "json" } });
for await (const x of y) {}
f(() => import('y'));
