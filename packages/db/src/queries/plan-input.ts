import {
  CURTAILMENT_START,
  type CurtailmentState,
  Decimal,
  GPU_MODEL_PERF,
  type GpuModelPerf,
  perKwhFromPerMwh,
  stepCurtailment,
  tariffPricePerKwh,
} from "@rigshift/economics";
import { UNKNOWN_MODEL_W as UNKNOWN_W } from "@rigshift/planner";
import type { CoinMarket, GpuSnapshot, PlannerMemory, Policy, SiteState, Target, WorkloadRequest } from "@rigshift/planner";
import type { GpuMode, PlanTarget } from "@rigshift/protocol";
import type { Db } from "../client";
import type { GpuLiveStore } from "../live/gpu-live-store";
import { readPinTarget } from "./gpu-planning";
import { learnGpuModelPerf, type LearnedGpuModelPerf } from "./telemetry-perf";
import { readPolicyOverrides } from "./site-settings";
import { OPEN_WORKLOAD_STATUSES } from "./workloads";

/**
 * The planner's view of the world now, read from the database and the live store: the fleet
 * snapshot, coin markets, each site's energy price in USD/kWh and curtailment state, the open
 * workloads, and what the plan job carried over from its last run. Sites or GPUs that cannot be
 * planned (no FX rate, no price, offline) are left out and named in `skipped`.
 */

const HOUR_MS = 3_600_000;
export const PLANNER_STATE_ID = "fleet";

/** Per site: curtailment state and the price window it was last stepped in (a window is stepped once). */
export type SiteCurtailment = CurtailmentState & { window: string };
export type StoredPlannerState = {
  memory: PlannerMemory;
  curtailment: Record<string, SiteCurtailment>;
  /** Per GPU: the target key it had at the last plan, and since when (epoch ms). */
  gpuSince: Record<string, { key: string; sinceMs: number }>;
};

export type PlanSkip = { siteId: string | null; gpuIds: string[]; reason: string };

export type FleetSnapshot = {
  nowMs: number;
  gpus: GpuSnapshot[];
  models: GpuModelPerf[];
  coins: CoinMarket[];
  sites: SiteState[];
  workloads: WorkloadRequest[];
  /** Per site: its policy overrides (empty object: the planner's defaults). */
  policyBySite: Map<string, Partial<Policy>>;
  /** GPUs with a command still on its way: in the snapshot at the command's target, never re-commanded. */
  inFlight: Map<string, string>;
  /** Miner profile per coin (the one a planned HASH command runs). */
  profileByCoin: Map<string, { id: string; algorithm: string }>;
  skipped: PlanSkip[];
  state: StoredPlannerState;
  /** The state after this snapshot (curtailment stepped, GPU mode times); saved when the plan is recorded. */
  nextState: Omit<StoredPlannerState, "memory">;
  /** Running workloads whose expected hours have passed. */
  finishedWorkloadIds: string[];
};

const keyOf = (t: Target) => (t.mode === "IDLE" ? "IDLE" : t.mode === "HASH" ? `HASH:${t.coin}` : `AI:${t.workloadId}`);

const asObject = (json: unknown): Record<string, unknown> => (json && typeof json === "object" && !Array.isArray(json) ? (json as Record<string, unknown>) : {});

export const loadPlannerState = async (db: Db): Promise<StoredPlannerState> => {
  const row = await db.plannerState.findUnique({ where: { id: PLANNER_STATE_ID } });
  const memory = asObject(row?.memory);
  return {
    memory: { challengers: asObject(memory.challengers) as PlannerMemory["challengers"], workloadWins: asObject(memory.workloadWins) as Record<string, number> },
    curtailment: asObject(row?.curtailment) as StoredPlannerState["curtailment"],
    gpuSince: asObject(row?.gpuSince) as StoredPlannerState["gpuSince"],
  };
};

/** Latest quote per symbol and kind at or before `at`. */
const latestQuotes = (db: Db, kind: "COIN" | "FX", at: Date) =>
  db.$queryRaw<{ symbol: string; algorithm: string | null; priceUsd: { toString(): string }; usdPerHsDay: { toString(): string } | null }[]>`
    SELECT DISTINCT ON ("symbol") "symbol", "algorithm", "priceUsd", "usdPerHsDay"
      FROM "MarketQuote"
     WHERE "kind" = ${kind}::"QuoteKind" AND "at" <= ${at}
     ORDER BY "symbol", "at" DESC, "id" DESC`;

/** Learned figures backed by less telemetry than this are noise (a GPU's first minutes on a coin). */
const MIN_LEARNED_GPU_HOURS = 1;

/**
 * Per-model figures: the seeded table, with what the fleet's own telemetry taught (medians, as
 * helper queries/telemetry-perf learns them from the hour rollups) laid over it, per algorithm.
 */
export const mergeModelPerf = (seeded: readonly GpuModelPerf[], learned: readonly LearnedGpuModelPerf[]): GpuModelPerf[] => {
  const out = new Map(seeded.map((m) => [m.model, { ...m, hash: [...m.hash] }]));
  for (const l of learned) {
    if (l.gpuHours < MIN_LEARNED_GPU_HOURS) continue;
    let m = out.get(l.model);
    if (!m) out.set(l.model, (m = { model: l.model, vramGb: 0, idleW: UNKNOWN_W.idleW, aiW: UNKNOWN_W.aiW, hash: [] }));
    if (l.mode === "IDLE") m.idleW = l.powerW.median;
    else if (l.mode === "AI") m.aiW = l.powerW.median;
    else if (l.algorithm && l.hashrateHs) {
      const entry = { algorithm: l.algorithm, hs: l.hashrateHs.median, w: l.powerW.median };
      m.hash = [...m.hash.filter((h) => h.algorithm !== l.algorithm), entry];
    }
  }
  return [...out.values()];
};

type EnergyNow = { usdPerKwh: Decimal; window: string } | { error: string };

const energyNow = async (
  db: Db,
  site: { id: string; timezone: string; currency: string; energySource: "TARIFF" | "TRACE" },
  fx: Map<string, Decimal>,
  now: Date,
): Promise<EnergyNow> => {
  if (site.energySource === "TRACE") {
    const p = await db.energyPrice.findFirst({ where: { siteId: site.id, at: { lte: now } }, orderBy: [{ at: "desc" }, { id: "desc" }], select: { at: true, perMwh: true, currency: true } });
    if (!p) return { error: "no energy price at or before now in the site's trace" };
    const rate = fx.get(p.currency);
    if (!rate) return { error: `no FX rate for ${p.currency}, the currency of the site's energy trace` };
    return { usdPerKwh: perKwhFromPerMwh(new Decimal(p.perMwh.toString())).times(rate), window: p.at.toISOString() };
  }
  const t = await db.tariff.findFirst({
    where: { siteId: site.id, validFrom: { lte: now } },
    orderBy: { validFrom: "desc" },
    select: { basePerKwh: true, windows: { select: { days: true, startMinute: true, endMinute: true, perKwh: true } } },
  });
  if (!t) return { error: "no tariff in force" };
  const rate = fx.get(site.currency);
  if (!rate) return { error: `no FX rate for ${site.currency}, the site's currency` };
  const perKwh = tariffPricePerKwh({
    tariff: { basePerKwh: new Decimal(t.basePerKwh.toString()), windows: t.windows.map((w) => ({ ...w, perKwh: new Decimal(w.perKwh.toString()) })) },
    timezone: site.timezone,
    at: now,
  });
  // A tariff's price window, for the curtailment rule's counts, is the hour.
  return { usdPerKwh: perKwh.times(rate), window: new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS).toISOString() };
};

const steadyMode = (mode: GpuMode): "HASHING" | "AI" | "IDLE" | "OFFLINE" =>
  mode === "HASHING" || mode === "STARTING_HASHING" ? "HASHING" : mode === "AI" || mode === "STARTING_AI" ? "AI" : mode === "OFFLINE" ? "OFFLINE" : "IDLE";

export type LoadFleetSnapshotOptions = {
  now: Date;
  /** Per-model hashrate and power are learned from this many days of hour rollups (0: the seeded table only). */
  learnDays?: number;
};

export const loadFleetSnapshot = async (db: Db, live: GpuLiveStore, { now, learnDays = 7 }: LoadFleetSnapshotOptions): Promise<FleetSnapshot> => {
  const nowMs = now.getTime();
  const state = await loadPlannerState(db);
  const skipped: PlanSkip[] = [];

  const fx = new Map((await latestQuotes(db, "FX", now)).map((q) => [q.symbol, new Decimal(q.priceUsd.toString())]));
  fx.set("USD", new Decimal(1));

  const profiles = await db.minerProfile.findMany({ orderBy: { createdAt: "asc" }, select: { id: true, coin: true, algorithm: true } });
  const profileByCoin = new Map<string, { id: string; algorithm: string }>();
  for (const p of profiles) if (!profileByCoin.has(p.coin)) profileByCoin.set(p.coin, { id: p.id, algorithm: p.algorithm });
  // Only coins the farm has a miner profile for can be hashed: the others are not options.
  const coins: CoinMarket[] = (await latestQuotes(db, "COIN", now)).flatMap((q) => {
    const profile = profileByCoin.get(q.symbol);
    if (!profile || q.usdPerHsDay === null) return [];
    return [{ coin: q.symbol, algorithm: profile.algorithm, usdPerHsDay: Number(q.usdPerHsDay.toString()) }];
  });

  // Sites: energy price now, curtailment.
  const siteRows = await db.site.findMany({
    select: {
      id: true, timezone: true, currency: true, powerCapKw: true, energySource: true, plannerPolicy: true,
      curtailStrikePerMwh: true, curtailImmediatePerMwh: true, curtailAfterWindows: true, resumeAfterWindows: true,
    },
  });
  const sites: SiteState[] = [];
  const policyBySite = new Map<string, Partial<Policy>>();
  const curtailment: Record<string, SiteCurtailment> = {};
  const unplannable = new Map<string, string>();
  for (const site of siteRows) {
    const energy = await energyNow(db, site, fx, now);
    if ("error" in energy) {
      unplannable.set(site.id, energy.error);
      continue;
    }
    let curtailed = false;
    if (site.curtailStrikePerMwh !== null) {
      const siteRate = fx.get(site.currency);
      if (!siteRate) {
        unplannable.set(site.id, `no FX rate for ${site.currency}, the currency of the site's curtailment rule`);
        continue;
      }
      const toUsdPerKwh = (perMwh: { toString(): string }) => perKwhFromPerMwh(new Decimal(perMwh.toString())).times(siteRate);
      const rule = {
        strikePerKwh: toUsdPerKwh(site.curtailStrikePerMwh),
        immediatePerKwh: site.curtailImmediatePerMwh === null ? null : toUsdPerKwh(site.curtailImmediatePerMwh),
        windowsAbove: site.curtailAfterWindows,
        windowsBelow: site.resumeAfterWindows,
      };
      const previous = state.curtailment[site.id];
      // Each price window counts once, however many plans run inside it.
      const next =
        previous && previous.window === energy.window
          ? previous
          : { ...stepCurtailment(rule, previous ?? CURTAILMENT_START, energy.usdPerKwh), window: energy.window };
      curtailment[site.id] = next;
      curtailed = next.curtailed;
    }
    sites.push({ id: site.id, powerCapKw: Number(site.powerCapKw.toString()), energyUsdPerKwh: energy.usdPerKwh.toNumber(), curtailed });
    policyBySite.set(site.id, readPolicyOverrides(site.plannerPolicy));
  }

  // GPUs: mode from the live store when it has one, else the database.
  const gpuRows = await db.gpu.findMany({
    select: {
      id: true, rigId: true, model: true, vramMb: true, currentMode: true, workloadId: true, pinTarget: true, pinUntil: true, maintenance: true,
      minerProfile: { select: { coin: true } }, rig: { select: { siteId: true } },
    },
    orderBy: [{ rigId: "asc" }, { index: "asc" }],
  });
  const liveStates = await live.getMany(gpuRows.map((g) => g.id));
  const openParts = await db.commandGpu.findMany({
    where: { status: { in: ["QUEUED", "DISPATCHED", "RUNNING"] }, command: { status: { in: ["QUEUED", "DISPATCHED", "RUNNING"] }, expiresAt: { gt: now } } },
    select: { gpuId: true, commandId: true, workloadId: true, minerProfile: { select: { coin: true } }, command: { select: { mode: true } } },
  });
  const inFlight = new Map(openParts.map((p) => [p.gpuId, p.commandId]));
  const inFlightPart = new Map(openParts.map((p) => [p.gpuId, p]));
  // What each GPU last finished switching to: where an AI GPU's workload and a miner's coin are known.
  const lastDone = await db.$queryRaw<{ gpuId: string; mode: GpuMode | null; coin: string | null; workloadId: string | null; finishedAt: Date }[]>`
    SELECT DISTINCT ON (cg."gpuId") cg."gpuId", c."mode", mp."coin", cg."workloadId", cg."updatedAt" AS "finishedAt"
      FROM "CommandGpu" cg
      JOIN "Command" c ON c."id" = cg."commandId"
      LEFT JOIN "MinerProfile" mp ON mp."id" = cg."minerProfileId"
     WHERE cg."status" = 'DONE'
     ORDER BY cg."gpuId", cg."updatedAt" DESC`;
  const lastDoneByGpu = new Map(lastDone.map((d) => [d.gpuId, d]));

  const skipGpu = (siteId: string | null, gpuId: string, reason: string) => {
    const entry = skipped.find((s) => s.siteId === siteId && s.reason === reason);
    if (entry) entry.gpuIds.push(gpuId);
    else skipped.push({ siteId, gpuIds: [gpuId], reason });
  };

  const gpus: GpuSnapshot[] = [];
  const gpuSince: StoredPlannerState["gpuSince"] = {};
  for (const g of gpuRows) {
    const siteId = g.rig.siteId;
    const siteError = unplannable.get(siteId);
    if (siteError) {
      skipGpu(siteId, g.id, siteError);
      continue;
    }
    const l = liveStates.get(g.id);
    const part = inFlightPart.get(g.id);
    const done = lastDoneByGpu.get(g.id);
    let current: Target;
    if (part) {
      // On its way somewhere: plan from where it is going, so the next plan does not fight the command.
      const mode = part.command.mode ?? "IDLE";
      const coin = part.minerProfile?.coin;
      current =
        mode === "HASHING" && coin ? { mode: "HASH", coin, algorithm: profileByCoin.get(coin)?.algorithm ?? "unknown" }
        : mode === "AI" && part.workloadId ? { mode: "AI", workloadId: part.workloadId }
        : { mode: "IDLE" };
    } else {
      const mode = steadyMode(l?.mode ?? g.currentMode);
      if (mode === "OFFLINE") {
        skipGpu(siteId, g.id, "offline");
        continue;
      }
      if (mode === "HASHING") {
        const coin = l?.coin ?? (done?.mode === "HASHING" ? done.coin : null) ?? g.minerProfile?.coin ?? null;
        if (!coin) {
          skipGpu(siteId, g.id, "hashing, but the coin is unknown");
          continue;
        }
        current = { mode: "HASH", coin, algorithm: profileByCoin.get(coin)?.algorithm ?? "unknown" };
      } else if (mode === "AI") {
        const workloadId = g.workloadId ?? (done?.mode === "AI" ? done.workloadId : null);
        if (!workloadId) {
          skipGpu(siteId, g.id, "running AI work, but which workload is unknown");
          continue;
        }
        current = { mode: "AI", workloadId };
      } else current = { mode: "IDLE" };
    }
    const key = keyOf(current);
    const known = state.gpuSince[g.id];
    const doneKey = done ? keyOf(done.mode === "HASHING" && done.coin ? { mode: "HASH", coin: done.coin, algorithm: "" } : done.mode === "AI" && done.workloadId ? { mode: "AI", workloadId: done.workloadId } : { mode: "IDLE" }) : null;
    // Since when: carried over while the target holds; on first sight, the switch that put it there.
    const sinceMs = known?.key === key ? known.sinceMs : doneKey === key && done ? done.finishedAt.getTime() : nowMs;
    gpuSince[g.id] = { key, sinceMs };
    const pinTarget = readPinTarget(g.pinTarget) as Target | null;
    gpus.push({
      id: g.id,
      rigId: g.rigId,
      siteId,
      model: g.model,
      vramGb: g.vramMb / 1024,
      current,
      sinceMs,
      pin: pinTarget && g.pinUntil && g.pinUntil > now ? { target: pinTarget, untilMs: g.pinUntil.getTime() } : null,
      maintenance: g.maintenance,
    });
  }

  // Workloads: open ones; running work's remaining hours from when it started.
  const workloadRows = await db.aiWorkload.findMany({
    where: { status: { in: [...OPEN_WORKLOAD_STATUSES] } },
    select: {
      id: true, gpusNeeded: true, minVramMb: true, sameRig: true, usdPerGpuHour: true, priority: true, expectedHours: true,
      startedAt: true, earliestStart: true, deadline: true, status: true,
    },
  });
  const finishedWorkloadIds: string[] = [];
  const workloads: WorkloadRequest[] = [];
  for (const w of workloadRows) {
    const expected = w.expectedHours === null ? null : Number(w.expectedHours.toString());
    const ranHours = w.startedAt ? (nowMs - w.startedAt.getTime()) / HOUR_MS : 0;
    const remainingHours = expected === null ? null : expected - ranHours;
    if (w.status === "RUNNING" && remainingHours !== null && remainingHours <= 0) {
      finishedWorkloadIds.push(w.id);
      continue;
    }
    workloads.push({
      id: w.id,
      gpus: w.gpusNeeded,
      minVramGb: w.minVramMb / 1024,
      sameRig: w.sameRig,
      usdPerGpuHour: Number(w.usdPerGpuHour.toString()),
      priority: w.priority,
      remainingHours,
      earliestStartMs: w.earliestStart?.getTime() ?? null,
      deadlineMs: w.deadline?.getTime() ?? null,
    });
  }

  return {
    nowMs,
    gpus,
    models: mergeModelPerf(GPU_MODEL_PERF, learnDays > 0 ? await learnGpuModelPerf(db, { since: new Date(nowMs - learnDays * 24 * HOUR_MS), until: now }) : []),
    coins,
    sites,
    workloads,
    policyBySite,
    inFlight,
    profileByCoin,
    skipped,
    state,
    nextState: { curtailment, gpuSince },
    finishedWorkloadIds,
  };
};

export const toPlanTarget = (t: Target): PlanTarget => t;
