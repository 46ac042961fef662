import { greet } from "./lib.js";
export default { fetch() { return new Response(greet("graph")); } };
