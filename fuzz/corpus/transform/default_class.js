export default class { static x = 1; #p = 2; get p() { return this.#p; } }
