const p = "party";
const plain = "plain-value";
export { p as "🎉", plain as "plain" };
