import { a } from "m"
let s = a
import { b } from "n"
(function () {})()
export { a }
[1].map(String)
x
++a
