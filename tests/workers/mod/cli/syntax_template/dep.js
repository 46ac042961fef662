export const value = 1;
export const t = `a ${value} b ${
  value +
} c`;
