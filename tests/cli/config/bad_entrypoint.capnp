using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "a", worker = (modules = [(name = "a.js", esModule = "export default { fetch() { return new Response('a') } }")],
                           bindings = [(name = "B", service = (name = "b", entrypoint = "Missing"))],
                           compatibilityDate = "2024-09-01")),
    (name = "b", worker = (modules = [(name = "b.js", esModule = "export default { fetch() { return new Response('b') } }")],
                           compatibilityDate = "2024-09-01")),
  ],
);
