export const where = "sub/neighbor";
