export default
  (a, b) => a / b / 2;
