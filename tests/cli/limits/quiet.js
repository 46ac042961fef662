// A well-behaved neighbour: its counter must survive whatever busy.js does.
let hits = 0;
export default {
  fetch() {
    hits++;
    return new Response("quiet " + hits);
  },
};
