import thing from "nope:thing";
export { thing };
