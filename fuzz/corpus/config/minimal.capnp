using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (services = [(name = "main", worker = .w)], sockets = [(name = "http", address = "*:8080", http = (), service = "main")]);
const w :Workerd.Worker = (serviceWorkerScript = "addEventListener('fetch', e => e.respondWith(new Response('hi')))", compatibilityDate = "2023-02-28");
