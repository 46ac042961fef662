export const url = import.meta.url;
export const meta = import.meta;
export const sameEachTime = import.meta === import.meta;
