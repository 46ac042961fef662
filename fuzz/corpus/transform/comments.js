import { a } from "m"; // import x from "y"
/* export default 1; */ x = '/*'; a; y = '*/';
// export { a };
/**
 * import b from "c";
 */
z = "export default a";
