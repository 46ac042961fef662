import { a } from "m";
obj.import; obj.export; obj?.default;
x = { import: 1, export: 2, default: 3, a };
class K { import() {} export() {} static default = a; get await() {} }
