export default function named() { return "named"; }
// The declaration binds `named` locally too.
export const localName = named.name;
