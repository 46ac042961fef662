export const helper = 20;
export function explode() {
  const z = helper + helper; throw new Error("exploded in lib " + z); // line 3
}
