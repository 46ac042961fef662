const a :T = (x = (y = .b));
const b :T = [a];
