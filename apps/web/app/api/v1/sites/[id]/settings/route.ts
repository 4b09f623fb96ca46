import { handle } from "@/server/process";

export const GET = handle("getSiteSettings");
export const PATCH = handle("updateSiteSettings");
