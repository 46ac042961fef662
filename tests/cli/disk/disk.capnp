# A worker in front of two disk services: "files" (read-only) and "uploads" (writable,
# dotfiles allowed), plus a socket straight onto "files". The paths are relative to the
# current directory, as in workerd: tests/cli/disk_test.py runs islet from a temporary
# directory holding public/ (a copy of ./public) and uploads/.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "front", worker = (
      modules = [(name = "worker.js", esModule = embed "worker.js")],
      compatibilityDate = "2024-09-01",
      bindings = [(name = "FILES", service = "files"), (name = "UPLOADS", service = "uploads")],
    )),
    (name = "files", disk = (path = "public")),
    (name = "uploads", disk = (path = "uploads", writable = true, allowDotfiles = true)),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:18290", http = (), service = "front"),
    (name = "files", address = "127.0.0.1:18291", http = (), service = "files"),
  ],
);
