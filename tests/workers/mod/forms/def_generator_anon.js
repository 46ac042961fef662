export default function* () { yield "gen-anon"; }
