// Answers with the URL and the request headers it sees, as JSON, and sets a response
// header the socket's injectResponseHeaders replace or remove.
export default {
  fetch(request) {
    const headers = {};
    for (const [name, value] of request.headers) headers[name] = value;
    return new Response(JSON.stringify({ url: request.url, headers }), {
      headers: { "content-type": "application/json", "x-from-worker": "worker", "x-drop": "1" },
    });
  },
};
