// A worker with the default globalOutbound: the implicit "internet" network service, whose
// policy (public addresses only) refuses the loopback upstream after DNS.
import { ok, rejects } from "assert.js";

export const loopbackIsRefusedByTheDefaultPolicy = {
  async test(ctrl, env) {
    const e = await rejects(fetch(env.BASE + "/echo"), TypeError);
    ok(/address 127\.0\.0\.1 is not allowed by network service 'internet'/.test(e.message), e.message);
  },
};

export const aNameResolvingToLoopbackIsRefusedToo = {
  async test(ctrl, env) {
    const port = new URL(env.BASE).port;
    const e = await rejects(fetch(`http://localhost:${port}/echo`), TypeError);
    ok(/address (127\.0\.0\.1|::1) is not allowed by network service 'internet'/.test(e.message), e.message);
  },
};
