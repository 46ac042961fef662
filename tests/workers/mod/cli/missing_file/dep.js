// dep.js exists; the file it imports does not.
import { gone } from "./not_here.js";
export const dep = gone;
