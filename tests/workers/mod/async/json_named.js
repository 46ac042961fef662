// A JSON module only has a default export.
import { name } from "./data.json" with { type: "json" };
export { name };
