import { v } from "./dep.js";
export default { fetch() { return new Response(v); } };
