import { handle } from "@/server/process";

export const PATCH = handle("updateMarketSource");
export const DELETE = handle("deleteMarketSource");
