using W = import "/workerd/workerd.capnp";
const a :W.Config = (x = .b, y = [b, W.Some.thing], style = host, e = embed "w.js", v = void, t = true);
const b :T = (u = (inner = false),);
