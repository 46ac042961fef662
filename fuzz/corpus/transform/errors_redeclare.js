import x from "m";
let x = 1;
