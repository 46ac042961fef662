// module.exports replaced by a function; a property on it.
module.exports = function replaced() { return "called"; };
module.exports.extra = "extra";
