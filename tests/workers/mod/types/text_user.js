import text from "./hello.txt";
export { text };
