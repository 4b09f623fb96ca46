import { createDb } from "@rigshift/db";
import { seedDemoFarm, type DemoFarm } from "@rigshift/db/seed";

// Kept apart from database.ts: that one loads the WebAssembly schema engine, which needs
// --experimental-wasm-modules, and `npm run db:seed` runs plain tsx.

/** Seed the demo farm into an install that has no users yet; null when it already had some. */
export const seedDatabase = async (databaseUrl: string, now: Date): Promise<DemoFarm | null> => {
  const db = createDb({ databaseUrl, poolMax: 2 });
  try {
    return await seedDemoFarm(db, { now });
  } finally {
    await db.$disconnect();
  }
};

/** Rig ids of `ids` that exist in the database (a demo-agents file may outlive its database). */
export const existingRigIds = async (databaseUrl: string, ids: string[]) => {
  const db = createDb({ databaseUrl, poolMax: 1 });
  try {
    const rows = await db.rig.findMany({ where: { id: { in: ids } }, select: { id: true } });
    return new Set(rows.map((r) => r.id));
  } finally {
    await db.$disconnect();
  }
};
