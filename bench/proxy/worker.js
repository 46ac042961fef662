// bench/proxy.sh's proxy: every request goes on to the upstream (env.UPSTREAM, an origin)
// with fetch(), method, headers and body (a stream) as they came, and the upstream's
// response is returned as it is. islet and workerd run this same file.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    return fetch(env.UPSTREAM + url.pathname + url.search, {
      method: request.method,
      headers: request.headers,
      body: request.body,
    });
  },
};
