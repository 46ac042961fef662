# WPT data-driven tests for the URL Standard (url/*.json from ../shared/wpt-data, never
# copied): the URL parser, setters, hosts and IDNA, percent-encoding. Known failures are
# listed per data file in url-*.expected with their reasons.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "url", worker = .url)],
);

const url :Workerd.Worker = (
  modules = [
    (name = "url.test.js", esModule = embed "url.test.js"),
    (name = "harness.js", esModule = embed "harness.js"),
    (name = "assert.js", esModule = embed "../assert.js"),
  ],
  bindings = [
    (name = "urltestdata", json = embed "../../../../shared/wpt-data/url/urltestdata.json"),
    (name = "jsOnly", json = embed "../../../../shared/wpt-data/url/urltestdata-javascript-only.json"),
    (name = "setters", json = embed "../../../../shared/wpt-data/url/setters_tests.json"),
    (name = "toascii", json = embed "../../../../shared/wpt-data/url/toascii.json"),
    (name = "idna", json = embed "../../../../shared/wpt-data/url/IdnaTestV2.json"),
    (name = "percent", json = embed "../../../../shared/wpt-data/url/percent-encoding.json"),
    (name = "urltestdataExpected", text = embed "url-urltestdata.expected"),
    (name = "jsOnlyExpected", text = embed "url-javascript-only.expected"),
    (name = "settersExpected", text = embed "url-setters.expected"),
    (name = "toasciiExpected", text = embed "url-toascii.expected"),
    (name = "idnaExpected", text = embed "url-idna.expected"),
    (name = "percentExpected", text = embed "url-percent-encoding.expected"),
  ],
  compatibilityDate = "2024-01-01",
);
