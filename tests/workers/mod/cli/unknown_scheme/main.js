// Imports a built-in that does not exist.
import thing from "nope:thing";
export default { fetch() { return new Response(thing); } };
