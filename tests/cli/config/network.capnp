using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "internet", network = (allow = ["public"]))],
  sockets = [(name = "http", address = "127.0.0.1:18192", http = (), service = "internet")],
);
