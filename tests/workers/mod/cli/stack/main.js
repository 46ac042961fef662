import { helper, explode } from "./lib.js";
export default {
  fetch(request) {
    if (request.url.endsWith("/lib")) explode();

    const o = null; const v = helper + helper; return new Response(o.boom + v); // line 6
  },
};
