export { value } from "./slow.js";
