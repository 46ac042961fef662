import notes from "./notes.yaml";
export default { fetch() { return new Response(notes); } };
