import { handle } from "@/server/process";

export const POST = handle("login");
export const GET = handle("getSession");
export const DELETE = handle("logout");
