const s :Text = "a\n\t\\\"\x41\101\u00e9" "b" # c
  "hé";
const d :Data = 0x"0a 1b ff" 0x"";
