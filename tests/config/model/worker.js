export default { fetch() { return new Response("main"); } };
