# WPT's forgiving-base64 cases (data-urls/base64.json) through atob(): each case is
# [input, bytes or null]; null means atob throws InvalidCharacterError.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "base64", worker = .base64)],
);

const base64 :Workerd.Worker = (
  modules = [
    (name = "base64.test.js", esModule = embed "base64.test.js"),
    (name = "harness.js", esModule = embed "harness.js"),
  ],
  bindings = [
    (name = "cases", json = embed "../../../../shared/wpt-data/data-urls/base64.json"),
    (name = "expected", text = embed "base64.expected"),
  ],
  compatibilityDate = "2024-01-01",
);
