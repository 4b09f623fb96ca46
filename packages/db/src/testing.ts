import { randomBytes } from "node:crypto";
import path from "node:path";
import pg from "pg";
import { loadDatabaseUrl } from "@rigshift/config";
import { quoteIdent, splitDatabaseUrl } from "./admin";
import { hashToken, newToken } from "./auth";
import { createDb } from "./client";
import { createUser } from "./queries/users";
import { applyMigrations } from "./migrate";

/**
 * Test databases: one template migrated once per run (globalSetup), then a database per test
 * file cloned from it, dropped when the file ends. Real PostgreSQL, real constraints.
 */

/**
 * The template of this test run. Each run has its own (globalSetup names it in the environment
 * its workers inherit), so two runs on one machine never rebuild each other's template.
 */
const templateDatabase = () => process.env.RIGSHIFT_TEST_TEMPLATE ?? "rigshift_test_tpl";
const migrationsDir = path.resolve(import.meta.dirname, "../../../prisma/migrations");

const withAdmin = async <T>(fn: (client: pg.Client) => Promise<T>): Promise<T> => {
  const { adminUrl } = splitDatabaseUrl(loadDatabaseUrl());
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
};

export const databaseUrlFor = (name: string) => {
  const url = new URL(loadDatabaseUrl());
  url.pathname = `/${name}`;
  return url.toString();
};

/** Build this run's template from the migrations (vitest globalSetup); returns its teardown. */
export const prepareTemplateDatabase = async () => {
  const name = `rigshift_test_tpl_${randomBytes(4).toString("hex")}`;
  process.env.RIGSHIFT_TEST_TEMPLATE = name;
  await withAdmin((client) => client.query(`CREATE DATABASE ${quoteIdent(name)}`));
  await applyMigrations(databaseUrlFor(name), migrationsDir);
  return () => withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
};

const SOURCE_IN_USE = "55006";

export type TestDatabase = { name: string; url: string; db: ReturnType<typeof createDb>; drop: () => Promise<void> };

/** A fresh, migrated database for one test file. */
export const createTestDatabase = async (): Promise<TestDatabase> => {
  const name = `rigshift_test_${randomBytes(6).toString("hex")}`;
  // Clones started at the same moment by parallel files can find the template busy: retry.
  for (let attempt = 0; ; attempt++) {
    try {
      await withAdmin((client) => client.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(templateDatabase())}`));
      break;
    } catch (err) {
      if ((err as { code?: string }).code !== SOURCE_IN_USE || attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  const url = databaseUrlFor(name);
  const db = createDb({ databaseUrl: url, poolMax: 4 });
  return {
    name,
    url,
    db,
    drop: async () => {
      await db.$disconnect();
      await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
    },
  };
};

/** A Redis key prefix of one test file, so files running side by side never share keys or queues. */
export const testRedisPrefix = () => `rstest_${randomBytes(4).toString("hex")}`;

export type TestFarm = {
  siteId: string;
  rigId: string;
  enrollmentToken: string;
  gpuIds: string[];
  minerProfileId: string;
  workloadId: string;
  users: Record<"admin" | "operator" | "finance" | "viewer", { id: string; email: string; password: string }>;
};

/**
 * A small farm for integration tests: one site (Europe/Stockholm, SEK, a TOU tariff), one rig
 * with an unused enrolment token and two GPUs (RTX 3060 12 GB, RTX 3090 24 GB), a miner profile,
 * an AI workload that needs 16 GB, and one user per role (password "test-password").
 */
export const insertTestFarm = async (db: ReturnType<typeof createDb>): Promise<TestFarm> => {
  const site = await db.site.create({
    data: {
      name: `Test site ${randomBytes(3).toString("hex")}`,
      timezone: "Europe/Stockholm",
      currency: "SEK",
      powerCapKw: "100",
      tariffs: {
        create: {
          name: "TOU",
          basePerKwh: "0.50",
          validFrom: new Date("2020-01-01T00:00:00Z"),
          windows: { create: [{ days: "mon-fri", startMinute: 6 * 60, endMinute: 22 * 60, perKwh: "1.00" }] },
        },
      },
    },
  });
  const enrollmentToken = newToken("enroll");
  const rig = await db.rig.create({ data: { siteId: site.id, name: "rig-01", enrollmentTokenHash: hashToken(enrollmentToken) } });
  const profile = await db.minerProfile.create({
    data: {
      name: `ETC ${randomBytes(3).toString("hex")}`, coin: "ETC", algorithm: "etchash", miner: "lolminer",
      poolUrl: "stratum+tcp://etc.example.org:1010", wallet: "0xtest", worker: "rig-01", extraArgs: [],
    },
  });
  const workload = await db.aiWorkload.create({
    data: { name: "finetune", customer: "Test AI", gpusNeeded: 1, minVramMb: 16_384, usdPerGpuHour: "0.40", checkpointGraceS: 30 },
  });
  const gpuIds = [];
  for (const [index, model, vramMb] of [[0, "NVIDIA GeForce RTX 3060", 12_288], [1, "NVIDIA GeForce RTX 3090", 24_576]] as const) {
    const gpu = await db.gpu.create({
      data: {
        rigId: rig.id, index, vendor: "NVIDIA", model, vramMb, pciBusId: `0000:0${index + 1}:00.0`,
        currentMode: "HASHING", desiredMode: "HASHING", minerProfileId: profile.id,
      },
    });
    gpuIds.push(gpu.id);
  }
  const users = {} as TestFarm["users"];
  for (const role of ["admin", "operator", "finance", "viewer"] as const) {
    const email = `${role}-${randomBytes(3).toString("hex")}@test.rigshift`;
    const user = await createUser(db, { email, name: role, password: "test-password", role: role.toUpperCase() as "ADMIN" });
    users[role] = { id: user.id, email, password: "test-password" };
  }
  return { siteId: site.id, rigId: rig.id, enrollmentToken, gpuIds, minerProfileId: profile.id, workloadId: workload.id, users };
};
