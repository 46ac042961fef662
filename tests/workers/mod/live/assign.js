// Each function assigns to an imported binding in another way.
import { count, inc } from "./counter.js";
import * as nsImport from "./counter.js";
export const assign = () => { count = 5; };
export const increment = () => { count++; };
export const compound = () => { count += 1; };
export const logical = () => { count ||= 1; count &&= 2; };
export const destructure = () => { [count] = [1]; };
export const objectDestructure = () => { ({ count } = { count: 1 }); };
export const forOfTarget = () => { for (count of [1]) {} };
export const functionImport = () => { inc = null; };
export const namespaceImport = () => { nsImport = null; };
