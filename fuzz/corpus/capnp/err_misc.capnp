const a :T = "abc\q";
const a :T = .missing;
