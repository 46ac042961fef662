// The proxy of tests/cli/proxy_memory_test.py: every request goes on to the upstream
// with its method, headers and body as a stream, and the upstream's response comes back
// as it is. /ext/... goes through the external service binding EXT instead of fetch().
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const ext = url.pathname.startsWith("/ext/");
    const path = ext ? url.pathname.slice(4) : url.pathname;
    const init = { method: request.method, headers: request.headers, body: request.body,
                   duplex: "half" };
    if (ext) return env.EXT.fetch("http://upstream" + path + url.search, init);
    return fetch(env.UPSTREAM + path + url.search, init);
  },
};
