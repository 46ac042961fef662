import secret from "../secret.js";
export default { fetch() { return new Response(secret); } };
