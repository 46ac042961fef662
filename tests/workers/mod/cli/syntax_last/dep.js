export const value = 1;
export const other = 2;
export const last = (3 +;