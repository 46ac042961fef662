import { x } from "./not_there.js";
export { x };
