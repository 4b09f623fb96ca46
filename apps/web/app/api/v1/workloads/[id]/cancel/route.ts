import { handle } from "@/server/process";

export const POST = handle("cancelWorkload");
