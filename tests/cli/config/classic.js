addEventListener("fetch", (event) => {
  event.respondWith(new Response("classic says " + WORD));
});
