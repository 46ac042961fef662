x = `abc ${ y
