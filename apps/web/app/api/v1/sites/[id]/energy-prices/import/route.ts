import { handle } from "@/server/process";

export const POST = handle("importEnergyCsv");
