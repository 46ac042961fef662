# One echo worker behind three sockets with different HttpOptions.
# tests/cli/socket_options_test.py serves it with -s overrides to 127.0.0.1 ports.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "echo", worker = (modules = [(name = "echo.js", esModule = embed "echo.js")],
                              compatibilityDate = "2024-09-01")),
  ],
  sockets = [
    (name = "inject", address = "127.0.0.1:18290", service = "echo", http = (
      forwardedProtoHeader = "X-Forwarded-Proto",
      injectRequestHeaders = [
        (name = "X-Injected", value = "from the socket"),
        (name = "x-client", value = "replaced"),
        (name = "X-Secret"),
      ],
      injectResponseHeaders = [
        (name = "X-From-Worker", value = "socket"),
        (name = "X-Added", value = "yes"),
        (name = "X-Drop"),
      ],
    )),
    (name = "proxy", address = "127.0.0.1:18291", service = "echo",
     http = (style = proxy, forwardedProtoHeader = "X-Forwarded-Proto")),
    (name = "plain", address = "127.0.0.1:18292", service = "echo"),
  ],
);
