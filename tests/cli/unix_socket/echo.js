// Served on unix sockets by tests/cli/unix_socket_test.py. Answers with the method, URL
// and body it received; /ext, /abstract and /dead call an external service on a unix
// socket through a service binding, /global calls fetch() (this worker's globalOutbound),
// and each reports the status and body that came back.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const route = url.pathname.split("/")[1];
    const binding = { ext: env.BACKEND, abstract: env.ABSTRACT, dead: env.DEAD }[route];
    const init = { method: "POST", body: "to the backend", headers: { "x-from": "worker" } };
    let res;
    try {
      if (binding) res = await binding.fetch("http://backend.test/seen" + url.search, init);
      else if (route === "global") res = await fetch("http://global.test/g" + url.search, init);
    } catch (e) {
      return new Response(`rejected ${e.name}: ${e.message}`);
    }
    if (res) return new Response(`${res.status} ${await res.text()}`);
    return new Response(`${request.method} ${request.url} ${await request.text()}`);
  },
};
