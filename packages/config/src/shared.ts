import { z } from "zod";

export const DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/rigshift";
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/** What every server process reads: where the database and Redis are, how loud to log. */
export const ZSharedConfig = z.object({
  DATABASE_URL: z.url().default(DEFAULT_DATABASE_URL),
  REDIS_URL: z.url().default(DEFAULT_REDIS_URL),
  /** Prefix of every Redis key and BullMQ queue, so several installs (or test files) share one Redis. */
  REDIS_PREFIX: z.string().regex(/^[a-z0-9_-]+$/i).default("rigshift"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});
export type SharedConfig = z.infer<typeof ZSharedConfig>;

type Env = Record<string, string | undefined>;

/** Parse or exit with a message that names each bad variable. */
export const parseEnv = <S extends z.ZodType>(schema: S, env: Env): z.output<S> => {
  // An empty variable means "not set": `FOO= npm start` should not fail on FOO.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = schema.safeParse(cleaned);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
  throw new Error(`invalid configuration:\n${lines}`);
};

export const loadDatabaseUrl = (env: Env = process.env) => parseEnv(ZSharedConfig, env).DATABASE_URL;
