export const fromB = "B";
export const dup = "B";
