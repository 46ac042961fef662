# Embeds are read relative to this file's directory, wherever the parser runs.
const text :Text = embed "hello.txt";
const blob :Data = embed "../blob.bin";
const empty :Data = embed "../../empty.txt";
