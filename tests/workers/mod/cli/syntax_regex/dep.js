export const value = 1;
const re = /[/]x/g; const after = re.source ) ;
