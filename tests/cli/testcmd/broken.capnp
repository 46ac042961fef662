using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "a", wurker = (modules = []))],
);
