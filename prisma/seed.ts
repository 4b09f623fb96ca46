// `npm run db:seed`: the demo farm into DATABASE_URL (an empty, migrated database; a database
// that has users is left as it is). Writes the rigs' one-time enrolment tokens and GPU models
// to .rigshift/demo-agents.json, where `npm start` finds them to enrol the simulated agents.
import { loadDatabaseUrl } from "@rigshift/config";
import { DEMO_PASSWORD, DEMO_USERS } from "@rigshift/db/seed";
import { seedDatabase } from "../tooling/stack/seed-database";
import { recordDemoAgents } from "../tooling/stack/demo-agents";
import { agentConfigDir, demoAgentsFile } from "../tooling/stack/paths";

const now = new Date();
const farm = await seedDatabase(loadDatabaseUrl(), now);
if (!farm) {
  process.stdout.write("the database already has users: not seeding\n");
  process.exit(0);
}
await recordDemoAgents({ file: demoAgentsFile, agentConfigDir, farm, now });
const gpus = farm.rigs.reduce((n, r) => n + r.models.length, 0);
process.stdout.write(
  `seeded ${farm.sites.length} sites, ${farm.rigs.length} rigs, ${gpus} GPUs; enrolment tokens in ${demoAgentsFile}\n` +
    `logins (password ${DEMO_PASSWORD}): ${DEMO_USERS.map((u) => u.email).join(", ")}\n`,
);
