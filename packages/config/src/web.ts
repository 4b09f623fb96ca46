import { z } from "zod";
import { parseEnv, ZSharedConfig } from "./shared";

export const ZWebConfig = ZSharedConfig.extend({
  WEB_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Where browsers reach the gateway's /live; default: the page's host on GATEWAY_PORT. */
  PUBLIC_GATEWAY_URL: z.url().optional(),
  GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).default(3100),
  SESSION_TTL_HOURS: z.coerce.number().int().positive().max(24 * 90).default(24 * 7),
  /** Mark the session cookie Secure; on behind HTTPS, off for plain-HTTP localhost. */
  COOKIE_SECURE: z.stringbool().default(false),
});
export type WebConfig = z.infer<typeof ZWebConfig>;
export const loadWebConfig = (env: Record<string, string | undefined> = process.env) => parseEnv(ZWebConfig, env);
