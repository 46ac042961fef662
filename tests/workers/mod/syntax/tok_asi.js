// Statements without semicolons around import/export.
import { one } from "./values.js"
const a = one
export { a }
export const b = a
+ 1
export default a
export const c = (function () { return 3 })()
