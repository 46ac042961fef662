import { a, b } from "m";
x = `${`${`${a}`}`}` + `}${b}{` + `${ {a}.a }` + tag`x${a}y`;
y = `line
break ${a} /* not a comment */ // nor this
`;
