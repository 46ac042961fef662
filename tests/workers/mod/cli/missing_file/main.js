import { dep } from "./dep.js";
export default { fetch() { return new Response(dep); } };
