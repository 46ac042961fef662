import { log } from "./log.js";
log.push("slow start");
await new Promise((resolve) => setTimeout(resolve, 5));
log.push("slow end");
export const value = await Promise.resolve("awaited");
