#!/usr/bin/env islet
import { a } from "m";
console.log(a);
