#!/usr/bin/env islet
export const hashbang = "ok";
export function where() { return new Error("w").stack; } // line 3
