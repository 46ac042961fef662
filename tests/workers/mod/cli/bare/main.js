// A bare specifier: islet has no node_modules resolution.

import _ from "lodash";
export default { fetch() { return new Response(_); } };
