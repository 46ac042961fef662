// A module imported only for its side effect.
globalThis.__formsSideEffectRuns = (globalThis.__formsSideEffectRuns ?? 0) + 1;
