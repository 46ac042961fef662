export default class { hello() { return "anon-class"; } }
