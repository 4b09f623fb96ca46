import { pino, type Logger } from "pino";

export type Log = Logger;

/** The one pino root of the agent process: JSON to stdout, tokens never printed. */
export const createLog = (level: string): Log =>
  pino({
    name: "rigshift-agent",
    level,
    redact: { paths: ["rigToken", "token", "config.rigToken", "auth.token"], censor: "[redacted]" },
  });
