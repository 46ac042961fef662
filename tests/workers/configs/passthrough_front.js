// Forwards every request to back and returns its response, touching neither body.
export default {
  fetch(request, env) {
    return env.BACK.fetch(request);
  },
};
