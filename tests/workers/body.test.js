// The Body mixin (Fetch Standard §5.3) through Response and Request.
import { eq, ok, deepEq, throws, rejects } from "./assert.js";

export const textDecodesUtf8 = {
  async test() {
    eq(await new Response("héllo €").text(), "héllo €");
  },
};

export const textStripsBom = {
  async test() {
    eq(await new Response(new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0x69])).text(), "hi");
  },
};

export const textReplacesInvalidUtf8 = {
  async test() {
    eq(await new Response(new Uint8Array([0x61, 0xff, 0x62])).text(), "a\ufffdb");
  },
};

export const loneSurrogateBecomesReplacement = {
  async test() {
    deepEq([...(await new Response("\ud800").bytes())], [0xef, 0xbf, 0xbd]);
  },
};

export const jsonParses = {
  async test() {
    deepEq(await new Response('{"a": [1, true, null]}').json(), { a: [1, true, null] });
  },
};

export const jsonParseErrorRejectsWithSyntaxError = {
  async test() {
    await rejects(new Response("{nope").json(), SyntaxError);
    await rejects(new Response(null).json(), SyntaxError);
  },
};

export const arrayBufferReturnsBytes = {
  async test() {
    const ab = await new Response("abc").arrayBuffer();
    ok(ab instanceof ArrayBuffer);
    deepEq([...new Uint8Array(ab)], [97, 98, 99]);
  },
};

export const bytesReturnsUint8Array = {
  async test() {
    const u = await new Response("abc").bytes();
    eq(Object.getPrototypeOf(u), Uint8Array.prototype);
    deepEq([...u], [97, 98, 99]);
  },
};

export const readersReturnPromises = {
  test() {
    const r = new Response("x");
    ok(r.text() instanceof Promise);
    ok(new Response("x").json().catch(() => {}) instanceof Promise);
    ok(new Response("x").arrayBuffer() instanceof Promise);
    ok(new Response("x").bytes() instanceof Promise);
  },
};

export const readingSetsBodyUsed = {
  async test() {
    const r = new Response("x");
    eq(r.bodyUsed, false);
    const p = r.text();
    eq(r.bodyUsed, true, "set synchronously");
    await p;
    eq(r.bodyUsed, true);
  },
};

export const secondReadRejects = {
  async test() {
    const r = new Response("x");
    await r.text();
    const e = await rejects(r.text(), TypeError);
    eq(e.message, "Body has already been used");
    await rejects(r.arrayBuffer(), TypeError);
    await rejects(r.json(), TypeError);
    await rejects(r.bytes(), TypeError);
  },
};

export const nullBodyReadsEmptyAndStaysUnused = {
  async test() {
    const r = new Response(null);
    eq(await r.text(), "");
    eq(r.bodyUsed, false);
    eq(await r.text(), "", "a null body can be read again");
    eq((await r.arrayBuffer()).byteLength, 0);
  },
};

export const arrayBufferBodyIsCopiedAtConstruction = {
  async test() {
    const buf = new Uint8Array([1, 2, 3]);
    const r = new Response(buf.buffer);
    buf[0] = 9;
    deepEq([...(await r.bytes())], [1, 2, 3]);
  },
};

export const typedArrayViewUsesItsRange = {
  async test() {
    const buf = new Uint8Array([1, 2, 3, 4, 5]);
    deepEq([...(await new Response(buf.subarray(1, 3)).bytes())], [2, 3]);
    deepEq([...(await new Response(new Uint16Array([0x0201])).bytes())], [1, 2]);
  },
};

export const dataViewBody = {
  async test() {
    const buf = new Uint8Array([1, 2, 3, 4]).buffer;
    deepEq([...(await new Response(new DataView(buf, 1, 2)).bytes())], [2, 3]);
  },
};

export const otherObjectsAreStringified = {
  async test() {
    eq(await new Response({}).text(), "[object Object]");
    eq(await new Response(42).text(), "42");
    eq(await new Response({ toString: () => "custom" }).text(), "custom");
    eq(new Response({}).headers.get("content-type"), "text/plain;charset=UTF-8");
  },
};

export const bodyToStringErrorPropagates = {
  test() {
    throws(() => new Response(Symbol("s")), TypeError);
    const boom = new Error("boom");
    let caught;
    try {
      new Response({ toString() { throw boom; } });
    } catch (e) {
      caught = e;
    }
    eq(caught, boom);
  },
};

export const urlSearchParamsBodyWhenAvailable = {
  async test() {
    if (typeof URLSearchParams !== "function") return; // installed by a later issue
    const r = new Response(new URLSearchParams("a=1&b=2"));
    eq(r.headers.get("content-type"), "application/x-www-form-urlencoded;charset=UTF-8");
    eq(await r.text(), "a=1&b=2");
  },
};

export const requestBodyReaders = {
  async test() {
    const r = new Request("https://a/", { method: "POST", body: '{"k":1}' });
    deepEq(await r.json(), { k: 1 });
    eq(r.bodyUsed, true);
    await rejects(r.text(), TypeError);
  },
};

export const bodyMethodsAreOnEachPrototype = {
  test() {
    for (const C of [Request, Response]) {
      for (const m of ["text", "json", "arrayBuffer", "bytes", "blob", "formData"]) {
        eq(typeof Object.getOwnPropertyDescriptor(C.prototype, m).value, "function", C.name + "." + m);
      }
    }
  },
};

// ---- Blob and FormData bodies, blob() and formData() -------------------------------------

const bytesOf = async (b) => [...new Uint8Array(await b.arrayBuffer())];

export const blobBodyHasItsBytesAndType = {
  async test() {
    const blob = new Blob(["a", new Uint8Array([0, 255])], { type: "Image/PNG" });
    const r = new Response(blob);
    eq(r.headers.get("content-type"), "image/png");
    deepEq([...(await r.bytes())], [97, 0, 255]);
    const q = new Request("https://a/", { method: "POST", body: blob });
    eq(q.headers.get("content-type"), "image/png");
    eq(await q.text(), "a\u0000\ufffd");
  },
};

export const blobBodyWithoutTypeSetsNoContentType = {
  async test() {
    const r = new Response(new Blob(["x"]));
    eq(r.headers.get("content-type"), null);
    eq(await r.text(), "x");
  },
};

export const explicitContentTypeWinsOverTheBlobs = {
  test() {
    const r = new Response(new Blob([], { type: "a/b" }), { headers: { "Content-Type": "c/d" } });
    eq(r.headers.get("content-type"), "c/d");
  },
};

export const emptyBlobIsANonNullBody = {
  async test() {
    const r = new Response(new Blob([]));
    eq(await r.text(), "");
    eq(r.bodyUsed, true, "an empty body is still a body, and reading it disturbs it");
    throws(() => new Response(new Blob([]), { status: 204 }), TypeError);
  },
};

export const slicedBlobBody = {
  async test() {
    const b = new Blob(["0123456789"]).slice(3, 6, "text/x");
    const r = new Response(b);
    eq(r.headers.get("content-type"), "text/x");
    eq(await r.text(), "345");
  },
};

export const blobBodyBytesAreNotChangedByReaders = {
  async test() {
    const blob = new Blob(["abc"]);
    const u = await new Response(blob).bytes();
    u[0] = 120;
    eq(await blob.text(), "abc");
    eq(await new Response(blob).text(), "abc", "a Blob can be a body many times");
  },
};

export const blobReaderTakesTheContentType = {
  async test() {
    const typeOf = async (ct) => {
      const headers = ct === undefined ? {} : { "Content-Type": ct };
      return (await new Response(new Uint8Array([1]), { headers }).blob()).type;
    };
    eq(await typeOf("Text/HTML; Charset=\"UTF-8\""), "text/html;charset=UTF-8");
    eq(await typeOf("text/plain;charset=utf-8;x=\"a b\""), "text/plain;charset=utf-8;x=\"a b\"");
    eq(await typeOf("nonsense"), "");
    eq(await typeOf(""), "");
    eq(await typeOf(undefined), "");
    eq(await typeOf("text/plain, text/html"), "text/html", "the last valid value wins");
    const r = new Response("héllo");
    const b = await r.blob();
    ok(b instanceof Blob);
    eq(b.type, "text/plain;charset=UTF-8");
    eq(b.size, 6);
    eq(await b.text(), "héllo");
    eq(r.bodyUsed, true);
    await rejects(r.blob(), TypeError);
  },
};

export const blobReaderCombinesContentTypeHeaders = {
  async test() {
    const h = new Headers();
    h.append("Content-Type", "text/plain;charset=gbk");
    h.append("Content-Type", "text/plain");
    eq((await new Response("", { headers: h }).blob()).type, "text/plain;charset=gbk");
  },
};

export const blobReaderOfANullBody = {
  async test() {
    const b = await new Response(null).blob();
    eq(b.size, 0);
    eq(b.type, "");
    const q = await new Request("https://a/").blob();
    eq(q.size, 0);
  },
};

export const blobFromResponseIsIndependentOfLaterReads = {
  async test() {
    const r = new Response(new Uint8Array([1, 2, 3]));
    const c = r.clone();
    const b = await r.blob();
    const u = await c.bytes();
    u[0] = 9;
    deepEq(await bytesOf(b), [1, 2, 3]);
  },
};

export const formDataBodyIsMultipart = {
  async test() {
    const fd = new FormData();
    fd.append("field", "value");
    const r = new Response(fd);
    const ct = r.headers.get("content-type");
    const m = /^multipart\/form-data; boundary=(.+)$/.exec(ct);
    ok(m, ct);
    const boundary = m[1];
    eq(await r.text(),
       `--${boundary}\r\nContent-Disposition: form-data; name="field"\r\n\r\nvalue\r\n--${boundary}--\r\n`);
    const other = new Response(fd).headers.get("content-type");
    ok(other !== ct, "a fresh boundary each time");
  },
};

export const formDataFilePartsCarryFilenameAndType = {
  async test() {
    const fd = new FormData();
    fd.append("f", new File(["x"], "a.txt", { type: "text/plain" }));
    fd.append("g", new Blob(["y"]));
    const r = new Response(fd);
    const boundary = r.headers.get("content-type").split("boundary=")[1];
    eq(await r.text(),
       `--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n` +
       `Content-Type: text/plain\r\n\r\nx\r\n` +
       `--${boundary}\r\nContent-Disposition: form-data; name="g"; filename="blob"\r\n` +
       `Content-Type: application/octet-stream\r\n\r\ny\r\n--${boundary}--\r\n`);
  },
};

export const formDataEscapesNamesAndNormalisesNewlines = {
  async test() {
    const fd = new FormData();
    fd.append("a\nb\"c\rd%0A", "v1\nv2\rv3\r\nv4");
    fd.append("f", new File(["raw\n"], "x\ny\"z\r.txt"));
    const text = await new Response(fd).text();
    ok(text.includes('name="a%0D%0Ab%22c%0D%0Ad%0A"\r\n\r\nv1\r\nv2\r\nv3\r\nv4\r\n'), text);
    ok(text.includes('filename="x%0Ay%22z%0D.txt"'), "filenames are escaped, not normalised: " + text);
    ok(text.includes("\r\n\r\nraw\n\r\n"), "file contents are not touched");
  },
};

export const emptyFormData = {
  async test() {
    const r = new Response(new FormData());
    const boundary = r.headers.get("content-type").split("boundary=")[1];
    eq(await r.text(), `--${boundary}--\r\n`);
  },
};

export const formDataRoundTrip = {
  async test() {
    const all = new Uint8Array(256).map((_, i) => i);
    // Bytes that look like a boundary inside a file.
    const tricky = new TextEncoder().encode("\r\n--\r\n--x\r\n\r\n");
    const fd = new FormData();
    fd.append("plain", "hello");
    fd.append("empty", "");
    fd.append("unicode ✓ \ud83d\ude00", "välue ✓");
    fd.append("quote\"d", "q");
    fd.append("bin", new File([all], "all-bytes.bin", { type: "application/octet-stream" }));
    fd.append("tricky", new File([tricky], "we\"ird\nna me.txt", { type: "text/plain" }));
    fd.append("emptyfile", new File([], "", { type: "" }));
    fd.append("plain", "again");
    fd.append("nul\u0000name", "nul\u0000value");
    const back = await new Response(fd).formData();
    ok(back instanceof FormData);
    deepEq([...back.keys()],
           ["plain", "empty", "unicode ✓ \ud83d\ude00", "quote\"d", "bin", "tricky", "emptyfile", "plain",
            "nul\u0000name"]);
    deepEq(back.getAll("plain"), ["hello", "again"]);
    eq(back.get("empty"), "");
    eq(back.get("unicode ✓ \ud83d\ude00"), "välue ✓");
    eq(back.get("quote\"d"), "q");
    eq(back.get("nul\u0000name"), "nul\u0000value");
    const bin = back.get("bin");
    ok(bin instanceof File);
    eq(bin.name, "all-bytes.bin");
    eq(bin.type, "application/octet-stream");
    deepEq(await bytesOf(bin), [...all]);
    const t = back.get("tricky");
    eq(t.name, "we\"ird\nna me.txt");
    eq(t.type, "text/plain");
    deepEq(await bytesOf(t), [...tricky]);
    const e = back.get("emptyfile");
    eq(e.name, "");
    eq(e.size, 0);
    eq(e.type, "application/octet-stream", "an empty type is sent as octet-stream");
  },
};

export const formDataRoundTripNormalisesNewlinesInNames = {
  async test() {
    const fd = new FormData();
    fd.append("a\nb", "x\ny");
    const back = await new Response(fd).formData();
    deepEq([...back], [["a\r\nb", "x\r\ny"]]);
  },
};

export const formDataRoundTripThroughARequest = {
  async test() {
    const fd = new FormData();
    fd.append("k", "v");
    fd.append("f", new Blob([new Uint8Array([1, 2, 3])], { type: "x/y" }), "f.bin");
    const q = new Request("https://a/", { method: "POST", body: fd });
    ok(q.headers.get("content-type").startsWith("multipart/form-data; boundary="));
    const back = await q.clone().formData();
    eq(back.get("k"), "v");
    eq(back.get("f").name, "f.bin");
    eq(back.get("f").type, "x/y");
    deepEq(await bytesOf(back.get("f")), [1, 2, 3]);
    // And on through a second Request made from the first.
    const again = await new Request(q).formData();
    eq(again.get("k"), "v");
  },
};

const multipart = (body, boundary = "XyZ") =>
  new Response(body, { headers: { "Content-Type": `multipart/form-data; boundary=${boundary}` } });

export const multipartParsingDetails = {
  async test() {
    const body =
      "preamble is ignored\r\n" +
      "--XyZ\r\n" +
      "content-disposition: FORM-DATA; name=\"a\"\r\n" +
      "Content-Type: text/html; charset=latin1\r\n" +
      "X-Other: ignored\r\n" +
      "\r\n" +
      "\ufeffhtml text\r\n" +
      "--XyZ  \r\n" +
      "Content-Disposition: form-data; filename=\"f.txt\"; name=b\r\n" +
      "\r\n" +
      "file body\r\n" +
      "--XyZ--\r\nepilogue is ignored";
    const fd = await multipart(body).formData();
    eq(fd.get("a"), "html text", "a text part ignores its type, drops a BOM");
    const f = fd.get("b");
    eq(f.name, "f.txt");
    eq(f.type, "text/plain", "a file part without Content-Type is text/plain");
    eq(await f.text(), "file body");
  },
};

export const multipartBoundaryFromTheParsedType = {
  async test() {
    const body = '--a"b\r\nContent-Disposition: form-data; name="n"\r\n\r\nv\r\n--a"b--\r\n';
    const r = new Response(body, { headers: { "Content-Type": 'Multipart/Form-Data; Boundary="a\\"b"' } });
    eq((await r.formData()).get("n"), "v");
  },
};

export const multipartInvalidUtf8BecomesReplacement = {
  async test() {
    // A name and a value with a stray 0xFF byte each.
    const enc = new TextEncoder();
    const bytes = [...enc.encode('--XyZ\r\nContent-Disposition: form-data; name="n'), 0xff,
                   ...enc.encode('"\r\n\r\nv'), 0xff, ...enc.encode("\r\n--XyZ--\r\n")];
    const fd = await multipart(new Uint8Array(bytes)).formData();
    deepEq([...fd], [["n\ufffd", "v\ufffd"]]);
  },
};

export const malformedMultipartRejects = {
  async test() {
    const part = 'Content-Disposition: form-data; name="a"\r\n\r\nv\r\n';
    const bad = [
      ["no closing delimiter", `--XyZ\r\n${part}`],
      ["no delimiter at all", "just text"],
      ["empty body", ""],
      ["no name", '--XyZ\r\nContent-Disposition: form-data\r\n\r\nv\r\n--XyZ--'],
      ["not form-data", '--XyZ\r\nContent-Disposition: attachment; name="a"\r\n\r\nv\r\n--XyZ--'],
      ["no Content-Disposition", "--XyZ\r\nContent-Type: text/plain\r\n\r\nv\r\n--XyZ--"],
      ["a header line without a colon", `--XyZ\r\nBogus\r\n${part}--XyZ--`],
      ["headers never end", '--XyZ\r\nContent-Disposition: form-data; name="a"\r\n'],
      ["junk after the delimiter", `--XyZjunk\r\n${part}--XyZ--`],
      ["unterminated quoted name", '--XyZ\r\nContent-Disposition: form-data; name="a\r\n\r\nv\r\n--XyZ--'],
    ];
    for (const [why, body] of bad) {
      const r = multipart(body);
      await rejects(r.formData(), TypeError, undefined, why);
      eq(r.bodyUsed, true, why);
    }
    eq((await multipart(`--XyZ\r\n${part}--XyZ--`).formData()).get("a"), "v", "the good one parses");
  },
};

export const multipartNeedsABoundary = {
  async test() {
    const body = '--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r\n--XyZ--';
    for (const ct of ["multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=\"\""]) {
      const r = new Response(body, { headers: { "Content-Type": ct } });
      await rejects(r.formData(), TypeError, /boundary/);
    }
  },
};

export const urlencodedFormData = {
  async test() {
    const r = new Response("a=1&b=%20x+y&&a=2&c&=v&%E2%9C%93=%FF", {
      headers: { "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8" },
    });
    const fd = await r.formData();
    deepEq([...fd], [["a", "1"], ["b", " x y"], ["a", "2"], ["c", ""], ["", "v"], ["✓", "\ufffd"]]);
    eq(r.bodyUsed, true);
    const empty = await new Request("https://a/", {
      method: "POST", body: "", headers: { "Content-Type": "Application/X-WWW-Form-Urlencoded" },
    }).formData();
    eq([...empty].length, 0);
    eq([...(await new Response(null, { headers: { "content-type": "application/x-www-form-urlencoded" } }).formData())].length, 0);
  },
};

export const formDataRejectsOtherTypes = {
  async test() {
    await rejects(new Response("a=1").formData(), TypeError, /multipart\/form-data/);
    await rejects(new Response("a=1", { headers: { "Content-Type": "application/json" } }).formData(), TypeError);
    await rejects(new Response(new Blob(["a=1"])).formData(), TypeError, /Content-Type/);
    const used = new Response("a=1", { headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    await used.text();
    await rejects(used.formData(), TypeError, /already been used/);
  },
};

export const stringBodiesStayPlainBytes = {
  async test() {
    // The fast path: a string body is bytes, readable any way, with its text type.
    const r = new Response("plain");
    eq(r.headers.get("content-type"), "text/plain;charset=UTF-8");
    eq((await r.clone().blob()).type, "text/plain;charset=UTF-8");
    eq(await r.text(), "plain");
  },
};

// String bodies are USVStrings in UTF-8: lone surrogates become U+FFFD, NUL and astral
// characters survive, long and Latin-1 strings convert whole.
export const stringBodiesAreUtf8UsvStrings = {
  async test() {
    const r = new Response("a\uD800b\uDC00c\u00e9\u{1F600}\0z");
    const b = new Uint8Array(await r.arrayBuffer());
    eq([...b].map((x) => x.toString(16).padStart(2, "0")).join(" "),
       "61 ef bf bd 62 ef bf bd 63 c3 a9 f0 9f 98 80 00 7a");
    const big = "x".repeat(5000) + "\uD800";
    const t = await new Response(big).text();
    eq(t.length, 5001);
    eq(t.charCodeAt(5000), 0xfffd);
    eq((await new Response("\u00ff".repeat(3000)).arrayBuffer()).byteLength, 6000);
    eq(await new Response("\uDBFF\uDFFF\uDBFF").text(), "\u{10FFFF}\uFFFD");
  },
};
