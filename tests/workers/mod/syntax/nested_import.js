// import declarations are only allowed at the top level of a module.
if (true) {
  import { one } from "./values.js";
}
