import { handle } from "@/server/process";

export const GET = handle("listMarketSources");
export const POST = handle("createMarketSource");
