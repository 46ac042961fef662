export const fromA = "A";
export const dup = "A";
export const own = "A-shadowed";
export default "A-default";
