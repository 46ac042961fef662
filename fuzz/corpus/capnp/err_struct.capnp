const a :T = (x = 1 y = 2);
