import pino, { type Logger } from "pino";

export type { Logger };

/** The web process's one pino root; handlers log through children that carry the request. */
export const createLog = (level: string) =>
  pino({ name: "web", level, redact: { paths: ["password", "token", "*.password", "*.token", "headers.cookie", "headers.authorization"], censor: "[redacted]" } });
