// Bodies as streams (Fetch's Body mixin over ReadableStream): `body` is one stream made
// when first read ([SameObject]); reading it disturbs the body; text()/json()/… read the
// stream when it exists and reject when it is locked or disturbed; clone() tees it; any
// ReadableStream is a BodyInit, read to the end with a size limit; Blob.prototype.stream();
// streaming bodies crossing a service binding (env.SELF) both ways.
import { eq, ok, throws, rejects, deepEq } from "./assert.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

// A stream of the given strings, one chunk each (a default stream, not bytes).
function chunks(...parts) {
  return new ReadableStream({
    start(c) {
      for (const p of parts) c.enqueue(enc.encode(p));
      c.close();
    },
  });
}

async function readAll(stream) {
  const reader = stream.getReader();
  let out = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    ok(value instanceof Uint8Array, "chunks are Uint8Arrays");
    out += dec.decode(value, { stream: true });
  }
}

const delay = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- `body` ------------------------------------------------------------------------------

export const bodyIsAReadableStreamMadeOnce = {
  async test() {
    const r = new Response("hello");
    const s = r.body;
    ok(s instanceof ReadableStream);
    eq(r.body, s, "[SameObject]");
    eq(r.bodyUsed, false, "making the stream does not disturb the body");
    eq(await readAll(s), "hello");
    eq(r.bodyUsed, true);
  },
};

export const nullBodyIsNull = {
  test() {
    eq(new Response().body, null);
    eq(new Response(null).body, null);
    eq(new Request("https://a/").body, null);
    eq(new Response(null, { status: 204 }).body, null);
  },
};

export const bodyStreamIsAByteStream = {
  async test() {
    const r = new Response(new Uint8Array([1, 2, 3, 4]));
    const reader = r.body.getReader({ mode: "byob" });
    const { value } = await reader.read(new Uint8Array(2));
    deepEq([...value], [1, 2]);
    const rest = await reader.read(new Uint8Array(8));
    deepEq([...rest.value], [3, 4]);
  },
};

export const requestBodyIsAStream = {
  async test() {
    const q = new Request("https://a/", { method: "POST", body: "abc" });
    eq(await readAll(q.body), "abc");
    eq(q.bodyUsed, true);
    await rejects(q.text(), TypeError);
  },
};

export const emptyBodyStreamCloses = {
  async test() {
    const r = new Response("");
    ok(r.body instanceof ReadableStream, "an empty body is a body");
    eq(await readAll(r.body), "");
    eq(r.bodyUsed, true);
  },
};

export const largeBodyComesInSlices = {
  async test() {
    const big = new Uint8Array(200 * 1024).fill(7);
    const reader = new Response(big).body.getReader();
    let n = 0, reads = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      ok(value.byteLength <= 64 * 1024, "at most 64 KiB per chunk");
      n += value.byteLength;
      reads++;
    }
    eq(n, big.byteLength);
    ok(reads >= 4);
  },
};

// ---- disturbed and locked --------------------------------------------------------------

export const readingOneChunkDisturbs = {
  async test() {
    const r = new Response("abc");
    const reader = r.body.getReader();
    await reader.read();
    eq(r.bodyUsed, true);
    reader.releaseLock();
    await rejects(r.text(), TypeError, /already been used/);
    await rejects(r.json(), TypeError);
    await rejects(r.arrayBuffer(), TypeError);
    await rejects(r.bytes(), TypeError);
    await rejects(r.blob(), TypeError);
    await rejects(r.formData(), TypeError);
    throws(() => r.clone(), TypeError);
  },
};

export const lockedButUndisturbedRejects = {
  async test() {
    const r = new Response("abc");
    const reader = r.body.getReader();
    eq(r.bodyUsed, false, "locking alone does not disturb");
    await rejects(r.text(), TypeError, /locked/);
    throws(() => r.clone(), TypeError, /locked/);
    reader.releaseLock();
    eq(await r.text(), "abc", "once released, the body can be read");
  },
};

export const textAfterBodyWasTouched = {
  async test() {
    const r = new Response("héllo");
    ok(r.body);
    eq(await r.text(), "héllo");
    eq(r.bodyUsed, true);
    ok(r.body.locked || r.bodyUsed);
    const q = new Request("https://a/", { method: "PUT", body: '{"a":[1,2]}' });
    ok(q.body);
    deepEq(await q.json(), { a: [1, 2] });
  },
};

export const everyReaderWorksOnAStream = {
  async test() {
    const make = () => new Response(chunks("a=1", "&b=", "2"), {
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    eq(await make().text(), "a=1&b=2");
    deepEq([...new Uint8Array(await make().arrayBuffer())], [...enc.encode("a=1&b=2")]);
    deepEq([...(await make().bytes())], [...enc.encode("a=1&b=2")]);
    const blob = await make().blob();
    eq(blob.type, "application/x-www-form-urlencoded");
    eq(await blob.text(), "a=1&b=2");
    const fd = await make().formData();
    eq(fd.get("a"), "1");
    eq(fd.get("b"), "2");
    deepEq(await new Response(chunks('{"x":', "true}")).json(), { x: true });
    await rejects(new Response(chunks("{")).json(), SyntaxError);
  },
};

export const bodyUsedAfterTextOnBytes = {
  async test() {
    const r = new Response("x");
    await r.text();
    eq(r.bodyUsed, true);
    // Read before anyone asked for the stream: the stream is there, disturbed.
    ok(r.body instanceof ReadableStream);
    eq(r.bodyUsed, true);
    await rejects(r.text(), TypeError);
  },
};

// ---- clone -----------------------------------------------------------------------------

export const cloneOfAStreamBodyTees = {
  async test() {
    const r = new Response(chunks("one ", "two"));
    const before = r.body;
    const c = r.clone();
    ok(r.body !== before, "this body now reads a branch of the tee");
    ok(c.body instanceof ReadableStream && c.body !== r.body);
    eq(await c.text(), "one two");
    eq(await r.text(), "one two");
  },
};

export const cloneAfterBodyWasTouched = {
  async test() {
    const r = new Response("shared");
    const s = r.body;
    const c = r.clone();
    ok(r.body !== s);
    eq(await readAll(r.body), "shared");
    eq(await c.text(), "shared");
    const q = new Request("https://a/", { method: "POST", body: chunks("q") });
    const qc = q.clone();
    eq(await qc.text(), "q");
    eq(await q.text(), "q");
  },
};

export const cloneOfUntouchedBytesSharesThem = {
  async test() {
    const r = new Response("abc");
    const c = r.clone();
    eq(await r.text(), "abc");
    eq(await c.text(), "abc");
  },
};

// ---- ReadableStream as BodyInit ---------------------------------------------------------

export const responseFromAStream = {
  async test() {
    const s = chunks("he", "llo");
    const r = new Response(s);
    eq(r.body, s, "the stream is the body");
    eq(r.headers.get("content-type"), null, "a stream has no Content-Type");
    eq(await r.text(), "hello");
    eq(r.bodyUsed, true);
  },
};

export const requestFromAStream = {
  async test() {
    const q = new Request("https://a/", { method: "POST", body: chunks("x", "y"), duplex: "half" });
    eq(await q.text(), "xy");
    const q2 = new Request("https://a/", { method: "POST", body: chunks("z") }); // no duplex
    eq(await q2.text(), "z");
    throws(() => new Request("https://a/", { method: "POST", body: chunks(), duplex: "full" }),
           TypeError, /RequestDuplex/);
    throws(() => new Request("https://a/", { body: chunks() }), TypeError, /GET or HEAD/);
  },
};

export const lockedOrDisturbedStreamIsNotABody = {
  async test() {
    const locked = chunks("a");
    locked.getReader();
    throws(() => new Response(locked), TypeError, /locked or disturbed/);
    const disturbed = chunks("a", "b");
    const reader = disturbed.getReader();
    await reader.read();
    reader.releaseLock();
    throws(() => new Response(disturbed), TypeError, /locked or disturbed/);
    throws(() => new Request("https://a/", { method: "POST", body: locked }), TypeError);
  },
};

export const nullBodyStatusWithStream = {
  test() {
    throws(() => new Response(chunks(), { status: 204 }), TypeError, /null body status/);
  },
};

export const newRequestFromRequestTakesTheStream = {
  async test() {
    const a = new Request("https://a/", { method: "POST", body: chunks("moved") });
    const b = new Request(a);
    eq(a.bodyUsed, true);
    throws(() => new Request(a), TypeError, /already been used/);
    eq(await b.text(), "moved");
    const c = new Request("https://a/", { method: "POST", body: "bytes" });
    ok(c.body);
    eq(await new Request(c).text(), "bytes");
  },
};

export const nonByteChunksFailTheRead = {
  async test() {
    const s = new ReadableStream({ start(c) { c.enqueue("a string"); c.close(); } });
    await rejects(new Response(s).text(), TypeError, /Uint8Array/);
  },
};

export const erroredStreamRejects = {
  async test() {
    const s = new ReadableStream({
      pull(c) { c.error(new RangeError("broken")); },
    });
    await rejects(new Response(s).arrayBuffer(), RangeError, /broken/);
  },
};

export const sizeLimitIsATypeError = {
  async test() {
    const mb = new Uint8Array(1 << 20);
    let sent = 0, canceled = null;
    const s = new ReadableStream({
      pull(c) { c.enqueue(mb); sent++; if (sent > 200) c.close(); },
      cancel(reason) { canceled = reason; },
    });
    await rejects(new Response(s).arrayBuffer(), TypeError, /larger than allowed/);
    ok(sent <= 130, `stopped after the limit (${sent} MiB pulled)`);
    ok(canceled instanceof TypeError, "the stream is canceled");
  },
};

export const asyncIteratedChunksOverTime = {
  async test() {
    let i = 0;
    const s = new ReadableStream({
      async pull(c) {
        await delay(1);
        if (i === 5) c.close();
        else c.enqueue(enc.encode(String(i++)));
      },
    });
    eq(await new Response(s).text(), "01234");
  },
};

// ---- Blob.prototype.stream() --------------------------------------------------------------

export const blobStream = {
  async test() {
    eq(typeof Blob.prototype.stream, "function");
    eq(Blob.prototype.stream.length, 0);
    const b = new Blob(["abc", "def"]);
    const s = b.stream();
    ok(s instanceof ReadableStream);
    ok(b.stream() !== s, "a new stream each time");
    eq(await readAll(s), "abcdef");
    eq(await readAll(b.slice(2, 5).stream()), "cde", "a slice streams its window");
    eq(await readAll(new Blob([]).stream()), "");
    const f = new File(["file!"], "f.txt");
    eq(await readAll(f.stream()), "file!");
    eq(await new Response(b.stream()).text(), "abcdef");
    throws(() => Blob.prototype.stream.call({}), TypeError, /Illegal invocation/);
  },
};

export const blobStreamIsBytes = {
  async test() {
    const reader = new Blob(["xyz"]).stream().getReader({ mode: "byob" });
    const { value } = await reader.read(new Uint8Array(2));
    eq(dec.decode(value), "xy");
  },
};

// ---- IdentityTransformStream and FixedLengthStream (workerd) -----------------------------

export const identityTransformStreamPassesBytes = {
  async test() {
    const its = new IdentityTransformStream();
    ok(its instanceof TransformStream);
    ok(its.readable instanceof ReadableStream && its.writable instanceof WritableStream);
    eq(IdentityTransformStream.length, 0);
    const w = its.writable.getWriter();
    w.write(enc.encode("ab"));
    w.write(new Uint16Array([0x6463]).buffer); // an ArrayBuffer: "cd" on little endian
    w.write(new DataView(enc.encode("ef").buffer));
    w.close();
    const reader = its.readable.getReader();
    const first = await reader.read();
    ok(first.value instanceof Uint8Array);
    let rest = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += dec.decode(value);
    }
    eq(dec.decode(first.value) + rest, "abcdef");
  },
};

export const identityTransformStreamRefusesNonBytes = {
  async test() {
    const its = new IdentityTransformStream();
    const read = its.readable.getReader().read(); // a reader is waiting: writes go through
    const w = its.writable.getWriter();
    await rejects(w.write("text"), TypeError, /byte stream/);
    await rejects(read, TypeError);
  },
};

export const fixedLengthStream = {
  async test() {
    const f = new FixedLengthStream(5);
    ok(f instanceof IdentityTransformStream && f instanceof TransformStream);
    eq(FixedLengthStream.length, 1);
    const w = f.writable.getWriter();
    w.write(enc.encode("hel"));
    w.write(enc.encode("lo"));
    w.close();
    eq(await new Response(f.readable).text(), "hello");
    eq(Object.prototype.toString.call(f), "[object FixedLengthStream]");
    const empty = new FixedLengthStream(0n);
    empty.writable.close();
    eq(await new Response(empty.readable).text(), "");
  },
};

export const fixedLengthStreamTooManyOrTooFew = {
  async test() {
    const f = new FixedLengthStream(3);
    const all = new Response(f.readable).text(); // read as written
    const w = f.writable.getWriter();
    await w.write(enc.encode("ab"));
    await rejects(w.write(enc.encode("cd")), TypeError, /too many bytes/);
    await rejects(all, TypeError, /too many bytes/);
    const g = new FixedLengthStream(3);
    const gw = g.writable.getWriter();
    const text = new Response(g.readable).text();
    await gw.write(enc.encode("a"));
    await rejects(gw.close(), TypeError, /did not see all expected bytes/);
    await rejects(text, TypeError);
  },
};

export const fixedLengthStreamArguments = {
  test() {
    throws(() => new FixedLengthStream(), TypeError, /1 argument/);
    throws(() => new FixedLengthStream(-1), TypeError, /whole number/);
    throws(() => new FixedLengthStream(1.5), TypeError, /whole number/);
    throws(() => new FixedLengthStream(2 ** 53), TypeError, /whole number/);
    throws(() => new FixedLengthStream(NaN), TypeError);
    throws(() => new FixedLengthStream(-1n), TypeError);
    ok(new FixedLengthStream(2 ** 53 - 1));
    ok(new FixedLengthStream("7"), "converted like a number");
    throws(() => FixedLengthStream(1), TypeError);
    throws(() => new IdentityTransformStream(5), TypeError, /queuing strategy/);
  },
};

// ---- Across a service binding (env.SELF): streams leave and arrive as C streams ---------

const canceled = [];

export default {
  async fetch(request, env) {
    const path = new URL(request.url).pathname;
    if (path === "/slow") {
      let i = 0;
      return new Response(new ReadableStream({
        async pull(c) {
          await delay(2);
          if (i === 4) return c.close();
          c.enqueue(enc.encode(`chunk${i++};`));
        },
        cancel(reason) { canceled.push(reason); },
      }));
    }
    if (path === "/endless") {
      const chunk = new Uint8Array(16384);
      return new Response(new ReadableStream({
        async pull(c) { await delay(1); c.enqueue(chunk.slice()); },
        cancel(reason) { canceled.push(reason); },
      }));
    }
    if (path === "/echo-stream") return new Response(request.body);
    if (path === "/forward") {
      // The body goes on untouched: C takes it as it is (no JS in between), and it is
      // used and locked here just as if it had been read.
      const body = request.body;
      const p = env.SELF.fetch("http://w/echo-stream", { method: "POST", body, duplex: "half" });
      const state = `${body.locked} ${request.bodyUsed}`;
      let readable = "yes";
      try { body.getReader(); } catch (e) { readable = e.constructor.name; }
      const r = await p;
      return new Response(r.body, { headers: { "x-state": `${state} ${readable}` } });
    }
    if (path === "/forward-late") {
      // Read a little first: the rest still goes on, through JS.
      const reader = request.body.getReader();
      const first = await reader.read();
      const rest = new ReadableStream({
        start(c) { c.enqueue(first.value); },
        async pull(c) {
          const { done, value } = await reader.read();
          if (done) c.close();
          else c.enqueue(value);
        },
      });
      return env.SELF.fetch("http://w/echo-stream", { method: "POST", body: rest, duplex: "half" });
    }
    if (path === "/echo-text") return new Response(await request.text());
    if (path === "/error") {
      return new Response(new ReadableStream({
        start(c) { c.enqueue(enc.encode("partial")); },
        pull(c) { c.error(new Error("worker stream broke")); },
      }));
    }
    if (path === "/blob") return new Response(new Blob(["from a blob"]).stream());
    if (path === "/fixed") {
      const { readable, writable } = new FixedLengthStream(6);
      (async () => {
        const w = writable.getWriter();
        await delay(2);
        await w.write(enc.encode("fix"));
        await w.write(enc.encode("ed"));
        await w.write(enc.encode("!"));
        await w.close();
      })();
      return new Response(readable);
    }
    return new Response("?", { status: 404 });
  },
};

export const streamedResponseThroughServiceBinding = {
  async test(ctrl, env) {
    const r = await env.SELF.fetch("http://w/slow");
    eq(r.status, 200);
    ok(r.body instanceof ReadableStream);
    eq(await r.text(), "chunk0;chunk1;chunk2;chunk3;");
  },
};

export const streamedResponseReadChunkByChunk = {
  async test(ctrl, env) {
    const r = await env.SELF.fetch("http://w/slow");
    eq(await readAll(r.body), "chunk0;chunk1;chunk2;chunk3;");
  },
};

export const streamedRequestBodyThroughServiceBinding = {
  async test(ctrl, env) {
    const r = await env.SELF.fetch("http://w/echo-stream", {
      method: "POST", body: chunks("up", "load"), duplex: "half",
    });
    eq(await r.text(), "upload");
    const r2 = await env.SELF.fetch("http://w/echo-text", { method: "POST", body: chunks("t", "xt") });
    eq(await r2.text(), "txt");
  },
};

export const forwardedStreamIsHandedOnUsedAndLocked = {
  async test(ctrl, env) {
    const r = await env.SELF.fetch("http://w/forward", {
      method: "POST", body: chunks("for", "ward", "ed"), duplex: "half",
    });
    eq(await r.text(), "forwarded");
    eq(r.headers.get("x-state"), "true true TypeError",
       "after fetch() took it the stream is locked and the body used");
    const r2 = await env.SELF.fetch("http://w/forward-late", {
      method: "POST", body: chunks("a", "b", "c"), duplex: "half",
    });
    eq(await r2.text(), "abc");
  },
};

export const erroredStreamThroughServiceBinding = {
  async test(ctrl, env) {
    const r = await env.SELF.fetch("http://w/error");
    eq(r.status, 200, "the head went out before the stream failed");
    await rejects(r.text(), TypeError, /worker stream broke/);
  },
};

export const cloneOfAResponseFromAService = {
  async test(ctrl, env) {
    const r = await env.SELF.fetch("http://w/slow");
    const c = r.clone();
    eq(await c.text(), "chunk0;chunk1;chunk2;chunk3;");
    eq(await r.text(), "chunk0;chunk1;chunk2;chunk3;");
  },
};

export const cancelingAResponseFromAServiceCancelsTheSource = {
  async test(ctrl, env) {
    canceled.length = 0;
    const r = await env.SELF.fetch("http://w/slow");
    const reader = r.body.getReader();
    eq(dec.decode((await reader.read()).value), "chunk0;");
    await reader.cancel("enough");
    eq(r.bodyUsed, true);
    await delay(5);
    eq(canceled.length, 1, "the worker's stream saw the cancel");
    ok(canceled[0] instanceof DOMException && canceled[0].name === "AbortError", String(canceled[0]));
  },
};

export const fixedLengthResponseThroughServiceBinding = {
  async test(ctrl, env) {
    const r = await env.SELF.fetch("http://w/fixed");
    eq(await r.text(), "fixed!");
  },
};

export const unreadResponseFromAServiceIsDropped = {
  async test(ctrl, env) {
    for (let i = 0; i < 5; i++) await env.SELF.fetch("http://w/slow");
    eq((await (await env.SELF.fetch("http://w/blob")).text()), "from a blob");
  },
};

// A Response whose body was looked at (its JS stream made) and then dropped unread: once
// the stream is paused (its queue full) nothing roots it, so the garbage collector can
// take it (its finalizer then cancels the producer in the other worker), instead of both
// living until the worker is torn down.
export const droppedStreamCanBeCollected = {
  async test(ctrl, env) {
    const refs = [];
    for (let i = 0; i < 3; i++) {
      const r = await env.SELF.fetch("http://w/endless");
      refs.push(new WeakRef(r.body));
    }
    await delay(100); // the three fill their queues and pause
    // No deref() meanwhile: a WeakRef's target is kept until the end of the job that
    // dereferenced it.
    for (let k = 0; k < 150; k++) {
      let junk = [];
      for (let j = 0; j < 20000; j++) junk.push({ j, s: "x" + j });
      junk = null;
      await delay(1);
    }
    eq(refs.filter((w) => w.deref()).length, 0, "every dropped stream was collected");
  },
};

// Fetch's "consume body" fully reads the stream: the reader it took keeps the lock, so the
// body's stream stays locked afterwards, whether it was made before or after the read.
export const consumedBodyStreamStaysLocked = {
  async test() {
    const r = new Response("abc");
    const early = r.body;
    eq(await r.text(), "abc");
    ok(early.locked, "a stream touched before text() is locked after it");
    eq(r.body, early);
    throws(() => early.getReader(), TypeError);

    const late = new Response("xyz");
    eq(await late.arrayBuffer().then((b) => b.byteLength), 3);
    ok(late.bodyUsed);
    ok(late.body.locked, "a stream made after the read is locked too");

    const req = new Request("http://x/", { method: "POST", body: new ReadableStream({
      start(c) { c.enqueue(new TextEncoder().encode("s")); c.close(); } }) });
    eq(await req.text(), "s");
    ok(req.body.locked, "a JS stream body read whole stays locked");
    eq(new Response(null).body, null);
  },
};
