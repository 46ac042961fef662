export default {
  fetch() {
    return new Response("from b");
  },
};
export const bPasses = { test() {} };
export const bFails = {
  test() {
    throw new Error("b fails on purpose");
  },
};
