// Calls fetch() to whatever this worker's globalOutbound is, and reports what came back
// (or the rejection) as text.
export default {
  async fetch(request) {
    const path = request.url.replace(/^[a-z]+:\/\/[^/]*/, "").replace(/[?#].*/, ""); // no URL class yet
    try {
      let res;
      if (path === "/post") {
        res = await fetch("https://anything.example/x?q=1", {
          method: "POST",
          body: "hello from a",
          headers: { "x-test": "yes", "keep-alive": "timeout=5", "upgrade": "websocket", "proxy-authorization": "secret" },
        });
      } else {
        res = await fetch("https://anything.example" + path);
      }
      return new Response(`${res.status} ${res.headers.get("x-backend")} ${await res.text()}`);
    } catch (e) {
      return new Response(`rejected ${e.name}: ${e.message}`);
    }
  },
};
