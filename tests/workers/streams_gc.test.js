// Stream objects under garbage-collection pressure: collections that start while an
// operation is still making and linking its objects (a constructor, tee, pipeTo,
// getReader) must not free any of them. Regression for use-after-free crashes found with
// the sanitizer build (st_obj_init's pins).
import { eq } from "./assert.js";

export const streamObjectsSurviveCollectionsWhileBeingMade = { async test() {
  const reads = [];
  for (let i = 0; i < 4000; i++) {
    const ts = new TransformStream();
    const [a, b] = new ReadableStream({ pull(c) { c.enqueue(i); c.close(); } }).tee();
    a.pipeTo(ts.writable).catch(() => {});
    reads.push(ts.readable.getReader().read().then((r) => r.value));
    new WritableStream().getWriter().write(i).catch(() => {});
    b.cancel();
    // Garbage, so that collections come often and at any allocation.
    new Array(200).fill(0).map((_, k) => ({ k }));
  }
  const values = await Promise.all(reads);
  eq(values.length, 4000);
  for (let i = 0; i < values.length; i++) if (values[i] !== i) eq(values[i], i);
} };
