globalThis.__errorsSideEffectRan = true;
