export const v = 1;

throw new RangeError("dep failed while evaluating");
