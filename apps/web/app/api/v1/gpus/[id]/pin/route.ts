import { handle } from "@/server/process";

export const PUT = handle("pinGpu");
export const DELETE = handle("unpinGpu");
