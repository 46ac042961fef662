export const present = "p";
