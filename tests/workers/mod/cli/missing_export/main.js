import { present, absent } from "./lib.js";
export default { fetch() { return new Response(present + absent); } };
