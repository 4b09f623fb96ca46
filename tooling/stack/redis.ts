import { spawnSync } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { spawnChild, type Output } from "./child";
import { canConnect, freePort, waitUntil } from "./net";
import type { StartedService } from "./postgres";
import { redisUrl } from "./service-urls";

export const REDIS_MISSING_HELP =
  "Redis is not running at 127.0.0.1:6379 and redis-server is not installed.\n" +
  "Either run `docker compose up -d redis`, or install your distribution's redis-server package " +
  "(Debian/Ubuntu: `sudo apt-get install redis-server`), or set REDIS_URL.";

export const hasRedisServer = () => spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;

/** A redis-server of our own, in the foreground as our child, keeping nothing on disk. */
export const startRedisServer = async ({ dir, output, colour = true }: { dir: string; output: Output; colour?: boolean }): Promise<StartedService> => {
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  const child = spawnChild({
    name: "redis",
    command: "redis-server",
    args: ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"],
    cwd: dir,
    env: process.env,
    output,
    colour,
  });
  await waitUntil(`redis-server on port ${port}`, () => canConnect("127.0.0.1", port), { timeoutMs: 15_000, failed: child.died });
  return { url: redisUrl(port), stop: () => child.stop() };
};
