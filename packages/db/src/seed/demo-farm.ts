import type { PrismaClient } from "../client";
import { hashToken, newToken } from "../auth";
import { recordAudit } from "../queries/audit";
import { createUser } from "../queries/users";
import { AI_EPISODES, COIN_OF_MODEL, DEMO_PASSWORD, DEMO_PROFILES, DEMO_SITES, DEMO_USERS, DEMO_WORKLOADS } from "./demo-layout";
import { GPU_MODELS, type GpuModelName } from "./gpu-models";
import { insertTelemetrySamples } from "../queries/telemetry";
import { buildMarketQuotes } from "./market";
import { createRandom } from "./random";
import { buildTelemetryBackfill, type AiEpisode, type BackfillRig } from "./telemetry-backfill";

export type SeedDemoFarmOptions = {
  now: Date;
  /** Enrolment tokens to use by rig name (tests that want to know them up front); others are new. */
  enrollmentTokens?: Record<string, string>;
};

export type DemoFarm = {
  sites: { id: string; name: string; currency: string }[];
  rigs: { id: string; name: string; site: string; enrollmentToken: string; models: GpuModelName[] }[];
  users: { id: string; email: string; role: string; password: string }[];
};

const HOUR_MS = 3_600_000;
const BACKFILL_MINUTES = 24 * 60;
const QUOTE_HOURS = 48;
/** Fixed so the farm's ids, readings and prices are the same on every machine. */
const RANDOM_SEED = 20_260_301;

/**
 * The demo farm of `npm start` and the browser tests: sites, tariffs, rigs with their GPUs, miner
 * profiles, AI workloads, one login per role, 48 h of market quotes and 24 h of telemetry.
 * Only into an empty install (no users): anything else returns null and writes nothing. One
 * transaction, so a failed seed leaves nothing half-made and the next start tries again.
 */
export const seedDemoFarm = async (db: PrismaClient, { now, enrollmentTokens = {} }: SeedDemoFarmOptions): Promise<DemoFarm | null> => {
  const random = createRandom(RANDOM_SEED);
  return db.$transaction(
    async (tx) => {
      if ((await tx.user.count()) > 0) return null;

      const users = [];
      for (const u of DEMO_USERS) users.push({ ...(await createUser(tx, { ...u, password: DEMO_PASSWORD })), password: DEMO_PASSWORD });

      const profileIdByCoin = new Map<string, string>();
      for (const { coin, ...profile } of DEMO_PROFILES) {
        const row = await tx.minerProfile.create({ data: { ...profile, coin }, select: { id: true } });
        profileIdByCoin.set(coin, row.id);
      }

      const workloadIdByKey = new Map<string, string>();
      for (const { key, ...workload } of DEMO_WORKLOADS) {
        const row = await tx.aiWorkload.create({
          data: { ...workload, args: [...workload.args], status: "PENDING", createdAt: now },
          select: { id: true },
        });
        workloadIdByKey.set(key, row.id);
      }

      const sites: DemoFarm["sites"] = [];
      const rigs: DemoFarm["rigs"] = [];
      const backfillRigs: BackfillRig[] = [];
      for (const site of DEMO_SITES) {
        const siteRow = await tx.site.create({
          data: {
            name: site.name, timezone: site.timezone, currency: site.currency, powerCapKw: site.powerCapKw,
            tariffs: {
              create: {
                name: site.tariff.name, basePerKwh: site.tariff.basePerKwh,
                // In force well before the backfill, so every backfilled hour has a price.
                validFrom: new Date(now.getTime() - 365 * 24 * HOUR_MS),
                windows: { create: site.tariff.windows },
              },
            },
          },
          select: { id: true },
        });
        sites.push({ id: siteRow.id, name: site.name, currency: site.currency });

        for (const rig of site.rigs) {
          const enrollmentToken = enrollmentTokens[rig.name] ?? newToken("enroll");
          const rigRow = await tx.rig.create({
            data: {
              siteId: siteRow.id, name: rig.name, enrollmentTokenHash: hashToken(enrollmentToken),
              gpus: {
                create: rig.models.map((model, index) => ({
                  index,
                  model,
                  vendor: GPU_MODELS[model].vendor,
                  vramMb: GPU_MODELS[model].vramMb,
                  uuid: `GPU-${random.hex(8)}-${random.hex(4)}-${random.hex(4)}-${random.hex(4)}-${random.hex(12)}`,
                  pciBusId: `0000:${(index + 1).toString(16).padStart(2, "0")}:00.0`,
                  currentMode: "HASHING" as const,
                  desiredMode: "HASHING" as const,
                  minerProfileId: profileIdByCoin.get(COIN_OF_MODEL[model])!,
                })),
              },
            },
            select: { id: true, gpus: { select: { id: true, index: true }, orderBy: { index: "asc" } } },
          });
          rigs.push({ id: rigRow.id, name: rig.name, site: site.name, enrollmentToken, models: [...rig.models] });
          backfillRigs.push({
            rigId: rigRow.id,
            gpus: rigRow.gpus.map((g) => {
              const model = rig.models[g.index]!;
              const coin = COIN_OF_MODEL[model];
              return { gpuId: g.id, index: g.index, model, coin, algorithm: DEMO_PROFILES.find((p) => p.coin === coin)!.algorithm };
            }),
          });
        }
      }

      await tx.marketQuote.createMany({ data: buildMarketQuotes({ now, hours: QUOTE_HOURS, random }) });

      const episodes: AiEpisode[] = AI_EPISODES.map((e) => {
        const rig = backfillRigs[rigs.findIndex((r) => r.name === e.rig)]!;
        const gpu = rig.gpus[e.gpuIndex]!;
        const workload = DEMO_WORKLOADS.find((w) => w.key === e.workload)!;
        const endMs = Math.floor(now.getTime() / 60_000) * 60_000;
        return {
          gpuId: gpu.gpuId,
          workloadId: workloadIdByKey.get(e.workload)!,
          // The job fills most of what it asked for.
          vramUsedMb: Math.round(workload.minVramMb * 0.9),
          from: new Date(endMs - e.fromHoursAgo * HOUR_MS),
          to: new Date(endMs - e.toHoursAgo * HOUR_MS),
        };
      });
      const samples = buildTelemetryBackfill({ rigs: backfillRigs, episodes, now, minutes: BACKFILL_MINUTES, random });
      await insertTelemetrySamples(tx, samples);
      for (const rig of rigs) await tx.rig.update({ where: { id: rig.id }, data: { lastSeenAt: samples.at(-1)?.at ?? now } });

      await recordAudit(tx, {
        actorType: "SYSTEM", action: "demo.seeded", targetType: "install",
        details: { sites: sites.length, rigs: rigs.length, gpus: backfillRigs.reduce((n, r) => n + r.gpus.length, 0), samples: samples.length },
      });
      return { sites, rigs, users };
    },
    // Hashing four passwords and writing ~58,000 samples takes seconds, not Prisma's default 5.
    { timeout: 180_000, maxWait: 30_000 },
  );
};
