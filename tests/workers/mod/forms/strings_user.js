// String export names on the import side.
import { "a-b" as ab } from "./exporter.js";
import { "c d" as cd } from "./reexp.js";
import { "🎉" as party, "plain" as plainAgain } from "./strings_exporter.js";
export { ab, cd, party, plainAgain };
