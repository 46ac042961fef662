import { helperValue } from "./helper.js";

throw new Error("top level " + helperValue); // line 3
