// TLA two levels down still delays the root.
import { value } from "./main_value.js";
export const deepValue = "deep " + value;
