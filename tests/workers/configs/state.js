// Module state: one instance per worker, even where two workers load the same source.
export let count = 0;
export function bump() {
  return ++count;
}
