import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { spawnChild, runToCompletion, type Child, type Output } from "./child";
import type { DemoAgent } from "./demo-agents";
import { canConnect, httpAnswers, waitUntil } from "./net";
import { repoRoot } from "./paths";
import { webBuildIdFile } from "./web-build";

/**
 * The running system for `npm start` and the browser tests: gateway, scheduler and web against a
 * given database and Redis prefix, then one simulated agent per demo rig (enrolled first where
 * it has no config yet). The database must be migrated (and seeded, for agents) already; the
 * web app must be built.
 */

export type StartStackOptions = {
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  webPort: number;
  gatewayPort: number;
  agents: DemoAgent[];
  /** Where each agent's config (rig id and token) lives, as `<rigId>.json`. */
  agentConfigDir: string;
  logLevel?: string;
  output?: Output;
  colour?: boolean;
};

export type RunningStack = {
  webUrl: string;
  gatewayUrl: string;
  /** Rejects when gateway, scheduler or web exits on its own: the stack is no longer whole. */
  died: Promise<never>;
  stop: () => Promise<void>;
};

const tsxNode = ["--import", "tsx"];

const nextBin = () => {
  const require = createRequire(path.join(repoRoot, "apps/web/package.json"));
  return path.join(path.dirname(require.resolve("next/package.json")), "dist/bin/next");
};

export const agentConfigPath = (dir: string, rigId: string) => path.join(dir, `${rigId}.json`);

/**
 * Six agents share one config folder, and an agent's default spool is a fixed name beside its
 * config: give each rig its own (relative to the config's folder) so no two agents ever replay
 * each other's telemetry.
 */
const giveOwnSpool = async (configPath: string, rigId: string) => {
  const config = JSON.parse(await readFile(configPath, "utf8")) as Record<string, unknown>;
  await writeFile(configPath, `${JSON.stringify({ ...config, spoolDir: `${rigId}.spool` }, null, 2)}\n`);
  // The file holds the rig's token: owner-only, as the agent wrote it.
  await chmod(configPath, 0o600);
};

export const startStack = async (options: StartStackOptions): Promise<RunningStack> => {
  const { databaseUrl, redisUrl, redisPrefix, webPort, gatewayPort, agents, agentConfigDir } = options;
  const output = options.output ?? ((line: string) => process.stdout.write(`${line}\n`));
  const colour = options.colour ?? true;
  const logLevel = options.logLevel ?? "info";
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const webUrl = `http://127.0.0.1:${webPort}`;

  if (!existsSync(webBuildIdFile(repoRoot))) throw new Error("the web app is not built: run `npm run build -w @rigshift/web` first");
  for (const port of [webPort, gatewayPort]) {
    if (await canConnect("127.0.0.1", port)) throw new Error(`port ${port} is already in use (another \`npm start\`?); set WEB_PORT / GATEWAY_PORT`);
  }

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: redisPrefix,
    WEB_PORT: String(webPort),
    GATEWAY_PORT: String(gatewayPort),
    // The dashboard's origin must be allowed on the gateway's /live, whatever port it is on.
    WEB_ORIGINS: `http://127.0.0.1:${webPort},http://localhost:${webPort}`,
    LOG_LEVEL: logLevel,
    // Children are not vitest: a leaked NODE_OPTIONS or VITEST would change how they load.
    NODE_OPTIONS: "",
    VITEST: undefined,
    NODE_ENV: "production",
  };
  const children: Child[] = [];
  const start = (name: string, command: string, args: string[], cwd = repoRoot) => {
    const child = spawnChild({ name, command, args, cwd, env, output, colour });
    children.push(child);
    return child;
  };
  const stop = async () => {
    // Agents first, so they do not spend the shutdown reconnecting to a gateway that is leaving.
    const agentsFirst = [...children].reverse();
    await Promise.all(agentsFirst.filter((c) => c.name.startsWith("agent")).map((c) => c.stop()));
    await Promise.all(agentsFirst.filter((c) => !c.name.startsWith("agent")).map((c) => c.stop()));
  };

  try {
    const gateway = start("gateway", process.execPath, [...tsxNode, "apps/gateway/src/main.ts"]);
    const scheduler = start("scheduler", process.execPath, [...tsxNode, "apps/scheduler/src/main.ts"]);
    const web = start("web", process.execPath, [nextBin(), "start", "-p", String(webPort)], path.join(repoRoot, "apps/web"));
    const anyDied = Promise.race([gateway.died, scheduler.died, web.died]);
    anyDied.catch(() => {});
    await waitUntil(`${gatewayUrl}/healthz`, () => httpAnswers(`${gatewayUrl}/healthz`), { timeoutMs: 90_000, failed: anyDied });

    await mkdir(agentConfigDir, { recursive: true });
    await Promise.all(
      agents
        .filter((a) => !existsSync(agentConfigPath(agentConfigDir, a.rigId)))
        .map(async (a) => {
          await runToCompletion({
            name: `enroll ${a.name}`,
            command: process.execPath,
            args: [...tsxNode, "apps/agent/src/main.ts", "enroll", "--server", gatewayUrl, "--token", a.enrollmentToken,
              "--config", agentConfigPath(agentConfigDir, a.rigId), "--simulate", a.models.join(";")],
            cwd: repoRoot, env, output, colour,
          });
          await giveOwnSpool(agentConfigPath(agentConfigDir, a.rigId), a.rigId);
        }),
    );
    for (const a of agents) start(`agent ${a.name}`, process.execPath, [...tsxNode, "apps/agent/src/main.ts", "run", "--config", agentConfigPath(agentConfigDir, a.rigId)]);

    await waitUntil(webUrl, () => httpAnswers(webUrl), { timeoutMs: 90_000, failed: anyDied });
    return { webUrl, gatewayUrl, died: anyDied, stop };
  } catch (err) {
    await stop();
    throw err;
  }
};
