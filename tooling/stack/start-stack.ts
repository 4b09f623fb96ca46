import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { spawnChild, runToCompletion, type Child, type Output } from "./child";
import type { DemoAgent } from "./demo-agents";
import { canConnect, httpAnswers, waitUntil } from "./net";
import { repoRoot } from "./paths";
import { webBuildIdFile } from "./web-build";
import { GATEWAY_PROCESS_ENV } from "./gateway-env";

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
  /** The first gateway's port; gateway i listens on gatewayPort + i. */
  gatewayPort: number;
  /** How many gateway processes to run side by side (the Redis adapter joins them); default 1. */
  gateways?: number;
  agents: DemoAgent[];
  /** Where each agent's config (rig id and token) lives, as `<rigId>.json`. */
  agentConfigDir: string;
  logLevel?: string;
  /** More settings for the gateway, scheduler and web (e.g. `PLAN_INTERVAL_MS: "0"`). */
  env?: NodeJS.ProcessEnv;
  output?: Output;
  colour?: boolean;
};

export type RunningStack = {
  webUrl: string;
  /** The first gateway: the one browsers use. */
  gatewayUrl: string;
  /** Every gateway, first one first. */
  gatewayUrls: string[];
  /** Rejects when gateway, scheduler or web exits on its own: the stack is no longer whole. */
  died: Promise<never>;
  stop: () => Promise<void>;
};

const tsxNode = ["--import", "tsx"];

const nextBin = () => {
  const require = createRequire(path.join(repoRoot, "apps/web/package.json"));
  return path.join(path.dirname(require.resolve("next/package.json")), "dist/bin/next");
};

/**
 * Gateway ports (first, first + 1, …) and which gateway each agent talks to: round-robin in the
 * agents' order, so a browser on the first gateway sees rigs of the others through Redis.
 */
export const assignGateways = <A>({ firstPort, gateways, agents }: { firstPort: number; gateways: number; agents: readonly A[] }) => {
  if (!Number.isInteger(gateways) || gateways < 1) throw new Error(`GATEWAYS must be a whole number of at least 1, got ${gateways}`);
  if (!Number.isInteger(firstPort) || firstPort < 1 || firstPort + gateways - 1 > 65535) {
    throw new Error(`gateway ports ${firstPort}…${firstPort + gateways - 1} are not all valid ports`);
  }
  const ports = Array.from({ length: gateways }, (_, i) => firstPort + i);
  return { ports, agents: agents.map((agent, i) => ({ agent, port: ports[i % gateways]! })) };
};

/** `GATEWAYS` from the environment: unset or empty means 1. */
export const parseGatewayCount = (raw: string | undefined): number => {
  if (raw === undefined || raw.trim() === "") return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`GATEWAYS must be a whole number from 1 to 64, got "${raw}"`);
  return n;
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

/** Send an enrolled agent to a given gateway: its config's `server`, nothing else changed. */
const pointAtGateway = async (configPath: string, server: string) => {
  const config = JSON.parse(await readFile(configPath, "utf8")) as Record<string, unknown>;
  if (config.server === server) return;
  await writeFile(configPath, `${JSON.stringify({ ...config, server }, null, 2)}\n`);
  await chmod(configPath, 0o600);
};

export const startStack = async (options: StartStackOptions): Promise<RunningStack> => {
  const { databaseUrl, redisUrl, redisPrefix, webPort, gatewayPort, agents, agentConfigDir } = options;
  const assigned = assignGateways({ firstPort: gatewayPort, gateways: options.gateways ?? 1, agents });
  const gatewayUrls = assigned.ports.map((port) => `http://127.0.0.1:${port}`);
  const output = options.output ?? ((line: string) => process.stdout.write(`${line}\n`));
  const colour = options.colour ?? true;
  const logLevel = options.logLevel ?? "info";
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const webUrl = `http://127.0.0.1:${webPort}`;

  if (!existsSync(webBuildIdFile(repoRoot))) throw new Error("the web app is not built: run `npm run build -w @rigshift/web` first");
  for (const port of [webPort, ...assigned.ports]) {
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
    ...options.env,
  };
  const children: Child[] = [];
  const start = (name: string, command: string, args: string[], cwd = repoRoot, childEnv = env) => {
    const child = spawnChild({ name, command, args, cwd, env: childEnv, output, colour });
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
    const gateways = assigned.ports.map((port, i) =>
      start(assigned.ports.length > 1 ? `gateway ${i + 1}` : "gateway", process.execPath, [...tsxNode, "apps/gateway/src/main.ts"], repoRoot, { ...env, ...GATEWAY_PROCESS_ENV, GATEWAY_PORT: String(port) }),
    );
    const scheduler = start("scheduler", process.execPath, [...tsxNode, "apps/scheduler/src/main.ts"]);
    const web = start("web", process.execPath, [nextBin(), "start", "-p", String(webPort)], path.join(repoRoot, "apps/web"));
    const anyDied = Promise.race([...gateways.map((g) => g.died), scheduler.died, web.died]);
    anyDied.catch(() => {});
    for (const url of gatewayUrls) await waitUntil(`${url}/healthz`, () => httpAnswers(`${url}/healthz`), { timeoutMs: 90_000, failed: anyDied });

    await mkdir(agentConfigDir, { recursive: true });
    await Promise.all(
      agents
        .filter((a) => !existsSync(agentConfigPath(agentConfigDir, a.rigId)))
        .map(async (a) => {
          // Enrolment goes to any gateway (they share the database); the first is always there.
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
    // The config names the gateway it was enrolled on (or that an earlier start gave it): point it at its own one.
    for (const { agent: a, port } of assigned.agents) {
      await pointAtGateway(agentConfigPath(agentConfigDir, a.rigId), `http://127.0.0.1:${port}`);
      start(`agent ${a.name}`, process.execPath, [...tsxNode, "apps/agent/src/main.ts", "run", "--config", agentConfigPath(agentConfigDir, a.rigId)]);
    }

    await waitUntil(webUrl, () => httpAnswers(webUrl), { timeoutMs: 90_000, failed: anyDied });
    return { webUrl, gatewayUrl, gatewayUrls, died: anyDied, stop };
  } catch (err) {
    await stop();
    throw err;
  }
};
