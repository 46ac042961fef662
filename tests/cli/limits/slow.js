// A neighbour that takes its time: a second before it answers. Its counter must survive
// whatever microtask.js does.
let hits = 0;
export default {
  async fetch() {
    hits++;
    await scheduler.wait(1000);
    return new Response("slow " + hits);
  },
};
