export const n = 010;
