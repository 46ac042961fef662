// URLPattern's engine is compiled on a realm's first URLPattern (src/api/urlpattern.c).
// Here the first attempts come with the stack nearly exhausted: they must throw a
// RangeError (never crash or leave the realm without an engine), and an attempt with
// room to spare must then compile it. Nothing may make a URLPattern before the dive.
import { eq, ok } from "./assert.js";

const outcomes = [];
let attempts = 0;
// Recurses until the stack overflows, then tries a URLPattern in each of the deepest
// frames on the way back up.
function dive() {
  try {
    dive();
  } catch {}
  if (attempts < 400) {
    attempts++;
    try {
      new URLPattern({ pathname: "/:x" });
      outcomes[outcomes.length] = "ok";
    } catch (e) {
      outcomes[outcomes.length] = e instanceof RangeError ? "RangeError" : "other: " + e;
    }
  }
}
dive();

export const deepFirstUseThrowsRangeErrorThenWorks = {
  test() {
    eq(outcomes[0], "RangeError", "the deepest attempt");
    eq(outcomes[outcomes.length - 1], "ok", "the shallowest attempt");
    ok(!outcomes.some((o) => o.startsWith("other")), outcomes.find((o) => o.startsWith("other")));
    const firstOk = outcomes.indexOf("ok");
    ok(outcomes.slice(firstOk).every((o) => o === "ok"), "once compiled, every attempt works");
  },
};

export const engineWorksAfterwards = {
  test() {
    const p = new URLPattern({ pathname: "/books/:id" });
    eq(p.exec({ pathname: "/books/7" }).pathname.groups.id, "7");
    eq(p.test({ pathname: "/films/7" }), false);
  },
};
