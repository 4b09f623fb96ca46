import { handle } from "@/server/process";

export const GET = handle("latestMarket");
