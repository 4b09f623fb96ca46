import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { DemoFarm } from "@rigshift/db/seed";

/**
 * `.rigshift/demo-agents.json`: what the local stack needs to bring the seeded rigs to life —
 * each rig's one-time enrolment token and the GPU models its simulated agent reports. Written
 * when the database is seeded; the seed itself keeps only token hashes.
 */

export type DemoAgent = { rigId: string; name: string; site: string; enrollmentToken: string; models: string[] };
export type DemoAgentsFile = { seededAt: string; rigs: DemoAgent[] };

export const demoAgentsOf = (farm: DemoFarm): DemoAgent[] =>
  farm.rigs.map((r) => ({ rigId: r.id, name: r.name, site: r.site, enrollmentToken: r.enrollmentToken, models: [...r.models] }));

/**
 * Record a fresh seed: write the file and delete the agent configs (and spools) of an earlier
 * seed — their rig ids and tokens name rigs that no longer exist, so those agents could never
 * connect, and their unsent telemetry belongs to no rig.
 */
export const recordDemoAgents = async ({ file, agentConfigDir, farm, now }: { file: string; agentConfigDir: string; farm: DemoFarm; now: Date }) => {
  await mkdir(path.dirname(file), { recursive: true });
  const content: DemoAgentsFile = { seededAt: now.toISOString(), rigs: demoAgentsOf(farm) };
  await writeFile(file, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  const stale = await readdir(agentConfigDir).catch(() => [] as string[]);
  for (const name of stale) await rm(path.join(agentConfigDir, name), { recursive: true, force: true });
};

export const readDemoAgents = async (file: string): Promise<DemoAgent[] | null> => {
  if (!existsSync(file)) return null;
  return (JSON.parse(await readFile(file, "utf8")) as DemoAgentsFile).rigs;
};
