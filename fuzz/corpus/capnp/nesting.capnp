@0xfeb2cedfa7aad686;
const a :T = [[[( a = [[(b = [1,],)]] )]]];
