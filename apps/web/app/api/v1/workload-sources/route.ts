import { handle } from "@/server/process";

export const GET = handle("listWorkloadSources");
export const POST = handle("createWorkloadSource");
