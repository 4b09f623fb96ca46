// `npm start` (via scripts/bootstrap.mjs): PostgreSQL and Redis (found or started), the Prisma
// client, migrations, the demo farm, the web build, then the whole stack with one simulated
// agent per demo rig. Ctrl-C stops everything this started and exits 0.
import { loadWebConfig } from "@rigshift/config";
import { migrateDatabase } from "../../tooling/stack/database";
import { readDemoAgents, recordDemoAgents } from "../../tooling/stack/demo-agents";
import { agentConfigDir, demoAgentsFile, stateDir } from "../../tooling/stack/paths";
import { resolveServices } from "../../tooling/stack/services";
import { parseGatewayCount, startStack } from "../../tooling/stack/start-stack";
import { buildWebIfStale, generatePrismaClient, makeLog } from "../../tooling/stack/steps";

const colour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const output = (line: string) => process.stdout.write(`${line}\n`);
const log = makeLog(output, colour);

const cleanups: (() => Promise<void>)[] = [];
let stopping = false;
const shutdown = async (code: number) => {
  if (stopping) return;
  stopping = true;
  log("stopping…");
  for (const cleanup of cleanups.reverse()) {
    await cleanup().catch((err: unknown) => log(`while stopping: ${err instanceof Error ? err.message : String(err)}`));
  }
  log(code === 0 ? "stopped" : "stopped after an error");
  process.exit(code);
};
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void shutdown(0));

try {
  const config = loadWebConfig(process.env);
  // GATEWAYS=2: that many gateway processes on GATEWAY_PORT, GATEWAY_PORT+1, …; agents spread over them.
  const gatewayCount = parseGatewayCount(process.env.GATEWAYS);
  const services = await resolveServices({ env: process.env, stateDir, log, output, colour });
  cleanups.push(services.stop);

  await generatePrismaClient(output, colour);
  // These load the Prisma client, which a fresh checkout has only from the line above: no static import.
  const { DEMO_PASSWORD, DEMO_USERS } = await import("@rigshift/db/seed");
  const { existingRigIds, seedDatabase } = await import("../../tooling/stack/seed-database");
  const { created, applied } = await migrateDatabase(services.databaseUrl);
  if (created) log("created the database");
  log(applied.length ? `applied migrations: ${applied.join(", ")}` : "database schema is up to date");

  const now = new Date();
  const farm = await seedDatabase(services.databaseUrl, now);
  if (farm) {
    await recordDemoAgents({ file: demoAgentsFile, agentConfigDir, farm, now });
    log(`seeded the demo farm: ${farm.sites.length} sites, ${farm.rigs.length} rigs, ${farm.rigs.reduce((n, r) => n + r.models.length, 0)} GPUs`);
  }

  let agents = (await readDemoAgents(demoAgentsFile)) ?? [];
  const known = await existingRigIds(services.databaseUrl, agents.map((a) => a.rigId));
  if (agents.some((a) => !known.has(a.rigId))) log(`${demoAgentsFile} names rigs this database does not have: skipping those agents`);
  agents = agents.filter((a) => known.has(a.rigId));
  if (agents.length === 0) {
    log("no demo agents to run: this database was seeded elsewhere. For a fresh demo, drop the database (or set DATABASE_URL to a new one) and start again.");
  }

  await buildWebIfStale(output, colour, log);

  const stack = await startStack({
    databaseUrl: services.databaseUrl,
    redisUrl: services.redisUrl,
    redisPrefix: config.REDIS_PREFIX,
    webPort: config.WEB_PORT,
    gatewayPort: config.GATEWAY_PORT,
    gateways: gatewayCount,
    agents,
    agentConfigDir,
    logLevel: config.LOG_LEVEL,
    output,
    colour,
  });
  cleanups.push(stack.stop);

  const banner = [
    "",
    `Rigshift is running: open http://localhost:${config.WEB_PORT}`,
    ...stack.gatewayUrls.map((url, i) => {
      const count = agents.filter((_, j) => j % stack.gatewayUrls.length === i).length;
      return `  gateway  ${url}  (agents: ${count}${i === 0 && stack.gatewayUrls.length > 1 ? "; browsers use this one" : ""})`;
    }),
    `  logins (password ${DEMO_PASSWORD}):`,
    ...DEMO_USERS.map((u) => `    ${u.role.padEnd(9)} ${u.email}`),
    "  Ctrl-C stops everything.",
    "",
  ];
  for (const line of banner) log(line);

  // A server that exits on its own leaves a half-working dashboard: stop, and say why.
  stack.died.catch((err: unknown) => {
    log(err instanceof Error ? err.message : String(err));
    void shutdown(1);
  });
} catch (err) {
  // The message says what to do; the stack only helps when debugging the orchestrator itself.
  log(err instanceof Error ? (process.env.DEBUG ? (err.stack ?? err.message) : err.message) : String(err));
  await shutdown(1);
}
