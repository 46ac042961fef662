import { value } from "./dep.js";
export default { fetch() { return new Response(String(value)); } };
