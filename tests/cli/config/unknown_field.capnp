using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "a", worker = (modules = [(name = "a.js", esModule = "export default {}")],
                                     compatibilityDate = "2024-09-01", colour = "blue"))],
);
