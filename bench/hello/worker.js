// The hello-world module worker served by both islet and workerd (identical source).
export default { fetch() { return new Response("Hello World\n") } }
