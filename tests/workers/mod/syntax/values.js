export const one = 1;
export const name = "values";
