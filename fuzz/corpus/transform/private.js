import { a } from "m";
class K { #a = a; static #b = 1; #m() { return this.#a + (#a in this) + K.#b; } static { this.#b = a; } }
