import { handle } from "@/server/process";

export const POST = handle("importFx");
