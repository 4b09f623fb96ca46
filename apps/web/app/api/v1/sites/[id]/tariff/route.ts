import { handle } from "@/server/process";

export const PUT = handle("setSiteTariff");
