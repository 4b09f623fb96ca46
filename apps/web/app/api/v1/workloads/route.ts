import { handle } from "@/server/process";

export const GET = handle("listWorkloads");
export const POST = handle("createWorkload");
