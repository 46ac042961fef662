// The back worker: imports by module name, throws on /boom.
import { WorkerEntrypoint } from "cloudflare:workers";
import { twice } from "./lib/util.js";
import data from "./lib/data.json";

export default {
  async fetch(request) {
    const path = request.url.replace(/^[a-z]+:\/\/[^/]*/, "");
    if (path === "/boom") throw new Error("back failed on purpose");
    if (path === "/isolation") {
      return new Response(`${typeof globalThis.frontSecret} ${typeof Response.prototype.extraFromFront}`);
    }
    const body = request.method === "POST" ? await request.text() : "";
    return new Response(`back ${request.method} ${path} from=${request.headers.get("x-from")} ` +
                        `n=${twice(data.n)} body=${body}`);
  },
};

// Named entrypoints, reached by bindings with `entrypoint = "..."`.
export class Admin extends WorkerEntrypoint {
  fetch(request) {
    return new Response("admin entrypoint " + (this.env !== undefined));
  }
}

export const plain = {
  fetch() {
    return new Response("plain entrypoint");
  },
};
