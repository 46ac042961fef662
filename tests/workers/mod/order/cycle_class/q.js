// A default class (unlike a default function) is not initialized before p evaluates.
import { log } from "./log.js";
import P from "./p.js";
log.push("q");
let s;
try { s = typeof P; } catch (e) { s = e; }
export const seen = s;
