// import() resolves against this module, not the caller or the current directory.
export const load = () => import("./neighbor.js");
export const loadComputed = (name) => import(`./${name}.js`);
