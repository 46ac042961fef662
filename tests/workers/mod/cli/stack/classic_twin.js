var helper = 20;
addEventListener("fetch", (event) => { event.respondWith((function fetch(request) {
  // Line 6 has the very text of main.js's line 6, run untransformed: JSC's column for it
  // is the one main.js must report.

    const o = null; const v = helper + helper; return new Response(o.boom + v); // line 6
})(event.request)); });
