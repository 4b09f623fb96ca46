import { handle } from "@/server/process";

export const PATCH = handle("updateWorkloadSource");
export const DELETE = handle("deleteWorkloadSource");
