import path from "node:path";

/** The checkout's root and the git-ignored folder where the local stack keeps its state. */
export const repoRoot = path.resolve(import.meta.dirname, "../..");
export const stateDir = path.join(repoRoot, ".rigshift");
export const agentConfigDir = path.join(stateDir, "agents");
export const demoAgentsFile = path.join(stateDir, "demo-agents.json");
export const migrationsDir = path.join(repoRoot, "prisma", "migrations");
