/**
 * Where PostgreSQL and Redis are, decided the same way for `npm start`, `npm test` and CI:
 * a URL in the environment wins; else the default local port if something answers there;
 * else we start our own (embedded PostgreSQL, a redis-server on PATH).
 */

export type ServicePlan = { use: "configured"; url: string } | { use: "default"; url: string } | { use: "start" };

export const planService = ({ configuredUrl, defaultUrl, defaultAnswers }: {
  configuredUrl: string | undefined;
  defaultUrl: string;
  defaultAnswers: boolean;
}): ServicePlan => {
  // An empty variable means "not set", as in packages/config.
  if (configuredUrl) return { use: "configured", url: configuredUrl };
  if (defaultAnswers) return { use: "default", url: defaultUrl };
  return { use: "start" };
};

/** Host and port of a postgres:// or redis:// URL, with each scheme's default port. */
export const hostPortOf = (url: string): { host: string; port: number } => {
  const parsed = new URL(url);
  const fallback = parsed.protocol.startsWith("redis") ? 6379 : 5432;
  // URL keeps IPv6 hosts in brackets; net.connect wants them bare.
  return { host: parsed.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1", port: parsed.port ? Number(parsed.port) : fallback };
};

export const postgresUrl = ({ port, user, password, database }: { port: number; user: string; password: string; database: string }) =>
  `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;

export const redisUrl = (port: number) => `redis://127.0.0.1:${port}`;

/** The URL with its password hidden, for logs. */
export const redactUrl = (url: string) => {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
};
