export const helperValue = 41;
export function helperThrows() {
  throw new TypeError("from helper"); // line 3
}
