export default class Named { hello() { return "named-class"; } }
export const sameClass = () => Named;
