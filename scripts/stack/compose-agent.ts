// The simulated agent of docker-compose.yml: enrol one demo rig (DEMO_RIG, default boden-r01)
// with the token `npm run db:seed` left in .rigshift/demo-agents.json (a volume shared with the
// migrate service), then run it. Enrols once: the config in the volume survives restarts.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readDemoAgents } from "../../tooling/stack/demo-agents";
import { agentConfigDir, demoAgentsFile, repoRoot } from "../../tooling/stack/paths";
import { agentConfigPath } from "../../tooling/stack/start-stack";

const server = process.env.GATEWAY_URL ?? "http://gateway:3100";
const rigName = process.env.DEMO_RIG ?? "boden-r01";

const rig = (await readDemoAgents(demoAgentsFile))?.find((r) => r.name === rigName);
if (!rig) {
  process.stderr.write(`no demo rig "${rigName}" in ${demoAgentsFile}: was the database seeded by this compose project?\n`);
  process.exit(1);
}
const config = agentConfigPath(agentConfigDir, rig.rigId);
const agentArgs = (args: string[]) => ["--import", "tsx", "apps/agent/src/main.ts", ...args];

if (!existsSync(config)) {
  const enroll = spawnSync(process.execPath, agentArgs(["enroll", "--server", server, "--token", rig.enrollmentToken, "--config", config, "--simulate", rig.models.join(";")]), { cwd: repoRoot, stdio: "inherit" });
  if (enroll.status !== 0) process.exit(enroll.status ?? 1);
}
// `docker compose stop` signals only us (PID 1): pass it on so the agent stops cleanly.
const run = spawn(process.execPath, agentArgs(["run", "--config", config]), { cwd: repoRoot, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => run.kill(signal));
run.on("exit", (code) => process.exit(code ?? 0));
