import { z } from "zod";
import { ZDecimalString, ZGpuMode, ZGpuVendor, ZRole, ZTargetMode } from "./enums";
import { GPU_READING_FIELDS } from "./messages/telemetry";

/** REST bodies and responses of /api/v1, shared by the route handlers and the dashboard's client. */

export const ZLoginBody = z.object({
  email: z.email().max(320),
  password: z.string().min(1).max(1024),
});

export const ZSessionView = z.object({
  user: z.object({ id: z.uuid(), email: z.string(), name: z.string(), role: ZRole }),
  expiresAt: z.iso.datetime({ offset: true }),
});
export type SessionView = z.infer<typeof ZSessionView>;

export const ZCreateTokenBody = z.object({
  name: z.string().min(1).max(100).default("api"),
  expiresInDays: z.number().int().positive().max(3650).optional(),
});

export const ZCreatedToken = z.object({ id: z.uuid(), name: z.string(), token: z.string(), expiresAt: z.string().nullable() });

export const ZCreateCommandBody = z.object({
  type: z.literal("switch"),
  gpuIds: z.array(z.uuid()).min(1).max(1024),
  mode: ZTargetMode,
  /** Seconds until the command expires if not finished; default 10 minutes. */
  ttlS: z.number().int().min(5).max(86_400).default(600),
  /**
   * A manual switch pins the GPUs there until this time, so the planner does not undo it.
   * Absent: 4 hours from now; null: no pin (the planner may move them at its next run).
   */
  pinUntil: z.iso.datetime({ offset: true }).nullable().optional(),
});
export type CreateCommandBody = z.infer<typeof ZCreateCommandBody>;

export const ZSiteView = z.object({
  id: z.uuid(),
  name: z.string(),
  timezone: z.string(),
  currency: z.string(),
  powerCapKw: ZDecimalString,
  rigCount: z.number().int(),
  gpuCount: z.number().int(),
});
export type SiteView = z.infer<typeof ZSiteView>;

export const ZRigView = z.object({
  id: z.uuid(),
  siteId: z.uuid(),
  name: z.string(),
  hostname: z.string().nullable(),
  agentVersion: z.string().nullable(),
  enrolled: z.boolean(),
  lastSeenAt: z.string().nullable(),
  gpuCount: z.number().int(),
});
export type RigView = z.infer<typeof ZRigView>;

// A target as the planner names it (packages/planner Target).
export const ZPlanTarget = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("IDLE") }),
  z.object({ mode: z.literal("HASH"), coin: z.string(), algorithm: z.string() }),
  z.object({ mode: z.literal("AI"), workloadId: z.string() }),
]);
export type PlanTarget = z.infer<typeof ZPlanTarget>;

export const ZGpuView = z.object({
  id: z.uuid(),
  rigId: z.uuid(),
  siteId: z.uuid(),
  index: z.number().int(),
  uuid: z.string().nullable(),
  vendor: ZGpuVendor,
  model: z.string(),
  vramMb: z.number().int(),
  mode: ZGpuMode,
  desiredMode: ZGpuMode,
  ...GPU_READING_FIELDS,
  coin: z.string().nullable(),
  lastSeenAt: z.string().nullable(),
  /**
   * The operator's pin (null when none, or once `until` has passed) and maintenance flag. Optional
   * for producers other than listGpuViews/getGpuView, which always fill them.
   */
  pin: z.object({ target: ZPlanTarget, until: z.string() }).nullable().optional(),
  maintenance: z.boolean().optional(),
});
export type GpuView = z.infer<typeof ZGpuView>;

export const ZGpuSamplePoint = z.object({
  at: z.string(),
  mode: ZGpuMode,
  hashrateHs: z.number().nullable(),
  tempC: z.number().nullable(),
  powerW: z.number().nullable(),
});
export type GpuSamplePoint = z.infer<typeof ZGpuSamplePoint>;

export const ZReportGroupBy = z.enum(["site", "rig", "gpu"]);
export type ReportGroupBy = z.infer<typeof ZReportGroupBy>;

export const ZRevenueQuery = z
  .object({
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    groupBy: ZReportGroupBy.default("site"),
  })
  .refine((q) => Date.parse(q.from) < Date.parse(q.to), { message: "from must be before to", path: ["to"] });
export type RevenueQuery = z.infer<typeof ZRevenueQuery>;

/** One line of the revenue report; money as decimal strings in USD, rounded to the cent. */
export const ZRevenueLine = z.object({
  key: z.string(),
  label: z.string(),
  hashingRevenueUsd: ZDecimalString,
  aiRevenueUsd: ZDecimalString,
  revenueUsd: ZDecimalString,
  energyCostUsd: ZDecimalString,
  marginUsd: ZDecimalString,
  energyKwh: ZDecimalString,
});
export type RevenueLine = z.infer<typeof ZRevenueLine>;

export const ZRevenueReport = z.object({
  from: z.string(),
  to: z.string(),
  groupBy: ZReportGroupBy,
  currency: z.literal("USD"),
  lines: z.array(ZRevenueLine),
  total: ZRevenueLine,
});
export type RevenueReport = z.infer<typeof ZRevenueReport>;

export const ZHealth = z.object({
  status: z.enum(["ok", "degraded"]),
  db: z.enum(["ok", "down"]),
  redis: z.enum(["ok", "down"]),
});

// ───────────────────────── Planning (issue #6): market, sites, workloads, pins, plans ─────────────────────────

const ZIsoTime = z.iso.datetime({ offset: true });
/** ISO 4217 code, upper case. */
export const ZCurrencyCode = z.string().regex(/^[A-Z]{3}$/, "expected an ISO 4217 currency code like EUR");
export const ZCoinSymbol = z.string().regex(/^[A-Z0-9]{1,16}$/, "expected a coin symbol like ETC (upper case)");
export const ZAlgorithm = z.string().regex(/^[a-z0-9_-]{1,40}$/, "expected an algorithm name like etchash (lower case)");
const ZSourceName = z.string().min(1).max(100);
const ZPositiveDecimal = ZDecimalString.refine((s) => !/^-/.test(s) && /[1-9]/.test(s), "must be positive");
const ZNonNegativeDecimal = ZDecimalString.refine((s) => !/^-/.test(s), "must not be negative");

/** Result of a CSV or JSON import: rows read, rows stored now, rows already stored (same time and source). */
export const ZImportResult = z.object({
  rows: z.number().int(),
  inserted: z.number().int(),
  skipped: z.number().int(),
  from: z.string().nullable(),
  to: z.string().nullable(),
});
export type ImportResult = z.infer<typeof ZImportResult>;

/** Query of POST /market/coins/import (body: the CSV). */
export const ZCoinImportQuery = z.object({
  coin: z.string().transform((s) => s.toUpperCase()).pipe(ZCoinSymbol),
  algorithm: z.string().transform((s) => s.toLowerCase()).pipe(ZAlgorithm),
  source: ZSourceName.default("csv"),
});
/** Query of POST /sites/{id}/energy-prices/import (body: the CSV). `currency` for files without a currency column. */
export const ZEnergyImportQuery = z.object({ source: ZSourceName.default("csv"), currency: ZCurrencyCode.optional() });

export const ZFxQuotesBody = z.object({
  source: ZSourceName.default("api"),
  quotes: z.array(z.object({ currency: ZCurrencyCode, at: ZIsoTime, usdPerUnit: ZPositiveDecimal })).min(1).max(10_000),
});
export type FxQuotesBody = z.infer<typeof ZFxQuotesBody>;

export const ZQuoteKind = z.enum(["COIN", "FX"]);
export const ZMarketQuotesQuery = z.object({
  kind: ZQuoteKind.default("COIN"),
  symbol: z.string().transform((s) => s.toUpperCase()).optional(),
  from: ZIsoTime.optional(),
  to: ZIsoTime.optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});
export const ZMarketQuoteView = z.object({
  kind: ZQuoteKind,
  symbol: z.string(),
  algorithm: z.string().nullable(),
  at: z.string(),
  priceUsd: ZDecimalString,
  usdPerHsDay: ZDecimalString.nullable(),
  source: z.string(),
});
export type MarketQuoteView = z.infer<typeof ZMarketQuoteView>;

export const ZEnergyPricesQuery = z.object({
  from: ZIsoTime.optional(),
  to: ZIsoTime.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});
export const ZEnergyPriceView = z.object({ at: z.string(), perMwh: ZDecimalString, currency: z.string(), source: z.string() });
export type EnergyPriceView = z.infer<typeof ZEnergyPriceView>;

/** A dot path into a JSON document: `data.items`, `quote.USD.price`, `0.price`. */
export const ZJsonPath = z.string().regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, "expected a dot path like data.price");

/**
 * Where an HTTP source's records and fields are. `items` points at the array of records (absent:
 * the document is the array, or one record). `ts` is an ISO time or epoch seconds/milliseconds.
 */
const ZMappingBase = z.object({ items: ZJsonPath.optional(), ts: ZJsonPath });
export const ZCoinSourceMapping = ZMappingBase.extend({
  price: ZJsonPath.optional(),
  difficulty: ZJsonPath.optional(),
  networkHashrate: ZJsonPath.optional(),
  blockReward: ZJsonPath.optional(),
  blockTimeS: ZJsonPath.optional(),
  blocksPerDay: ZJsonPath.optional(),
  issuancePerDay: ZJsonPath.optional(),
  usdPerHsDay: ZJsonPath.optional(),
})
  .strict()
  .refine((m) => m.usdPerHsDay || (m.price && (m.difficulty || m.networkHashrate)), {
    message: "map usdPerHsDay, or price with difficulty or networkHashrate",
  });
export const ZFxSourceMapping = ZMappingBase.extend({ usdPerUnit: ZJsonPath }).strict();
export const ZEnergySourceMapping = ZMappingBase.extend({ perMwh: ZJsonPath, currency: ZJsonPath.optional() }).strict();

const ZSourceCommon = { name: ZSourceName, url: z.url({ protocol: /^https?$/ }), enabled: z.boolean().default(true) };
export const ZCreateMarketSourceBody = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("COIN"), ...ZSourceCommon, coin: ZCoinSymbol, algorithm: ZAlgorithm, mapping: ZCoinSourceMapping }),
  z.object({ kind: z.literal("FX"), ...ZSourceCommon, currency: ZCurrencyCode, mapping: ZFxSourceMapping }),
  z.object({ kind: z.literal("ENERGY"), ...ZSourceCommon, siteId: z.uuid(), mapping: ZEnergySourceMapping }),
]);
export type CreateMarketSourceBody = z.infer<typeof ZCreateMarketSourceBody>;
/** PATCH: the mapping, if given, is checked against the source's kind. */
export const ZUpdateMarketSourceBody = z
  .object({ name: ZSourceName, url: ZSourceCommon.url, enabled: z.boolean(), mapping: z.record(z.string(), z.unknown()) })
  .partial()
  .strict();
export const ZMarketSourceKind = z.enum(["COIN", "FX", "ENERGY"]);
export const ZMarketSourceView = z.object({
  id: z.uuid(),
  name: z.string(),
  kind: ZMarketSourceKind,
  url: z.string(),
  symbol: z.string().nullable(),
  algorithm: z.string().nullable(),
  siteId: z.string().nullable(),
  mapping: z.record(z.string(), z.unknown()),
  enabled: z.boolean(),
  lastPolledAt: z.string().nullable(),
  lastOkAt: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
});
export type MarketSourceView = z.infer<typeof ZMarketSourceView>;

// Site planning settings.
export const ZEnergySourceKind = z.enum(["TARIFF", "TRACE"]);
/** In the site's currency per MWh; see economics' stepCurtailment. */
export const ZCurtailmentRule = z.object({
  strikePerMwh: ZDecimalString,
  /** Curtail at once when the price reaches this; null: no immediate threshold. */
  immediatePerMwh: ZDecimalString.nullable().default(null),
  /** Consecutive price windows above the strike before curtailing. */
  afterWindows: z.number().int().min(1).max(1000).default(1),
  /** Consecutive windows at or below the strike before resuming. */
  resumeAfterWindows: z.number().int().min(1).max(1000).default(1),
});
export type CurtailmentRuleView = z.infer<typeof ZCurtailmentRule>;

/** Per-site overrides of the planner's Policy (packages/planner/src/types.ts); absent keys keep the defaults. */
export const ZPolicyOverrides = z
  .object({
    minGainPct: z.number().min(0).max(1000),
    minGainUsdPerHour: z.number().min(0).max(1000),
    confirmPlans: z.number().int().min(1).max(1000),
    minDwellMin: z.number().min(0).max(7 * 24 * 60),
    minAiRunMin: z.number().min(0).max(30 * 24 * 60),
    allowAiPreemption: z.boolean(),
    hashWarmupMin: z.number().min(0).max(24 * 60),
    aiCheckpointMin: z.number().min(0).max(24 * 60),
    amortizeHours: z.number().positive().max(24 * 30),
  })
  .partial()
  .strict();
export type PolicyOverrides = z.infer<typeof ZPolicyOverrides>;

const ZClock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "expected HH:MM (00:00–24:00)");
export const ZTariffWindowBody = z
  .object({ days: z.string().regex(/^[a-z,\- ]+$/i, "expected days like mon-fri, sat,sun or daily"), from: ZClock, to: ZClock, perKwh: ZDecimalString })
  .refine((w) => w.from < w.to, { message: "from must be before to (split a window that crosses midnight in two)", path: ["to"] });
export const ZTariffBody = z.object({
  name: z.string().min(1).max(100),
  /** In the site's currency. */
  basePerKwh: ZDecimalString,
  /** Default: now. Earlier tariffs stay for the books of the hours they covered. */
  validFrom: ZIsoTime.optional(),
  windows: z.array(ZTariffWindowBody).max(100).default([]),
});
export type TariffBody = z.infer<typeof ZTariffBody>;
export const ZTariffView = z.object({
  id: z.uuid(),
  name: z.string(),
  basePerKwh: ZDecimalString,
  validFrom: z.string(),
  windows: z.array(z.object({ days: z.string(), from: z.string(), to: z.string(), perKwh: ZDecimalString })),
});
export type TariffView = z.infer<typeof ZTariffView>;

export const ZSiteSettings = z.object({
  siteId: z.uuid(),
  name: z.string(),
  timezone: z.string(),
  currency: z.string(),
  powerCapKw: ZDecimalString,
  energySource: ZEnergySourceKind,
  curtailment: ZCurtailmentRule.nullable(),
  policy: ZPolicyOverrides,
  /** The tariff in force now, if any. */
  tariff: ZTariffView.nullable(),
});
export type SiteSettings = z.infer<typeof ZSiteSettings>;
/** PATCH: only the fields given change; `curtailment: null` removes the rule; `policy` replaces the overrides. */
export const ZUpdateSiteSettingsBody = z
  .object({
    powerCapKw: ZPositiveDecimal,
    energySource: ZEnergySourceKind,
    curtailment: ZCurtailmentRule.nullable(),
    policy: ZPolicyOverrides,
  })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: "nothing to change: give powerCapKw, energySource, curtailment or policy" });
export type UpdateSiteSettingsBody = z.infer<typeof ZUpdateSiteSettingsBody>;

// AI workload queue.
export const ZWorkloadStatus = z.enum(["PENDING", "PLACED", "RUNNING", "DONE", "CANCELLED"]);
export type WorkloadStatus = z.infer<typeof ZWorkloadStatus>;

export const ZCreateWorkloadBody = z
  .object({
    name: z.string().min(1).max(200),
    customer: z.string().min(1).max(200),
    gpusNeeded: z.number().int().min(1).max(1024),
    minVramMb: z.number().int().min(0).max(1_048_576),
    /** All GPUs on one rig. */
    sameRig: z.boolean().default(false),
    /** Null: open-ended. */
    expectedHours: ZPositiveDecimal.nullable().default(null),
    usdPerGpuHour: ZNonNegativeDecimal,
    priority: z.number().int().min(-1000).max(1000).default(0),
    earliestStart: ZIsoTime.nullable().default(null),
    deadline: ZIsoTime.nullable().default(null),
    /** Seconds between the checkpoint signal and the kill when the work is stopped. */
    checkpointGraceS: z.number().int().min(0).max(86_400).default(60),
    image: z.string().max(500).nullable().default(null),
    command: z.string().max(2000).nullable().default(null),
    args: z.array(z.string().max(2000)).max(100).default([]),
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().max(10_000)).default({}),
  })
  .strict()
  .refine((w) => !w.earliestStart || !w.deadline || Date.parse(w.earliestStart) < Date.parse(w.deadline), {
    message: "deadline must be after earliestStart",
    path: ["deadline"],
  });
export type CreateWorkloadBody = z.infer<typeof ZCreateWorkloadBody>;

export const ZWorkloadListQuery = z.object({
  /** One status or several, comma-separated; default: every status but DONE and CANCELLED. */
  status: z
    .string()
    .transform((s) => s.split(",").map((p) => p.trim().toUpperCase()))
    .pipe(z.array(ZWorkloadStatus).min(1))
    .optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export const ZWorkloadView = z.object({
  id: z.uuid(),
  name: z.string(),
  customer: z.string(),
  source: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  externalId: z.string().nullable(),
  gpusNeeded: z.number().int(),
  minVramMb: z.number().int(),
  sameRig: z.boolean(),
  expectedHours: ZDecimalString.nullable(),
  usdPerGpuHour: ZDecimalString,
  priority: z.number().int(),
  earliestStart: z.string().nullable(),
  deadline: z.string().nullable(),
  checkpointGraceS: z.number().int(),
  status: ZWorkloadStatus,
  createdAt: z.string(),
  placedAt: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  cancelledAt: z.string().nullable(),
  /** GPUs the latest plan runs it on. */
  placement: z.array(z.object({ gpuId: z.uuid(), rigId: z.uuid(), rigName: z.string(), siteId: z.uuid(), index: z.number().int() })),
});
export type WorkloadView = z.infer<typeof ZWorkloadView>;

/** One job of an external marketplace's JSON feed (the built-in `json-feed` adapter's format). */
export const ZFeedJob = z.object({
  id: z.union([z.string().min(1).max(200), z.number().int()]).transform(String),
  name: z.string().min(1).max(200).optional(),
  customer: z.string().min(1).max(200),
  gpus: z.number().int().min(1).max(1024),
  minVramGb: z.number().min(0).max(1024),
  sameRig: z.boolean().default(false),
  /** Null or absent: open-ended. */
  hours: z.number().positive().nullable().default(null),
  usdPerGpuHour: z.union([ZNonNegativeDecimal, z.number().nonnegative().transform(String)]),
  priority: z.number().int().min(-1000).max(1000).default(0),
  earliestStart: ZIsoTime.nullable().default(null),
  deadline: ZIsoTime.nullable().default(null),
  checkpointGraceS: z.number().int().min(0).max(86_400).default(60),
  image: z.string().max(500).nullable().default(null),
  command: z.string().max(2000).nullable().default(null),
  args: z.array(z.string()).max(100).default([]),
});
export type FeedJob = z.infer<typeof ZFeedJob>;
/** The feed document: `{ "jobs": [...] }` or a bare array. */
export const ZWorkloadFeed = z.union([z.object({ jobs: z.array(z.unknown()).max(100_000) }), z.array(z.unknown()).max(100_000).transform((jobs) => ({ jobs }))]);

export const ZCreateWorkloadSourceBody = z.object({
  name: ZSourceName,
  adapter: z.literal("json-feed").default("json-feed"),
  url: z.url({ protocol: /^https?$/ }),
  enabled: z.boolean().default(true),
});
export const ZUpdateWorkloadSourceBody = z.object({ name: ZSourceName, url: z.url({ protocol: /^https?$/ }), enabled: z.boolean() }).partial().strict();
export const ZWorkloadSourceView = z.object({
  id: z.uuid(),
  name: z.string(),
  adapter: z.string(),
  url: z.string(),
  enabled: z.boolean(),
  lastPolledAt: z.string().nullable(),
  lastOkAt: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
});
export type WorkloadSourceView = z.infer<typeof ZWorkloadSourceView>;

// Plans, pins and maintenance (ZPlanTarget, a planner Target, is declared above ZGpuView).
/** Pin a GPU: HASHING needs the coin, AI the workload. `until` default: 4 hours from now. */
export const ZPinBody = z
  .object({
    mode: ZTargetMode,
    coin: z.string().transform((s) => s.toUpperCase()).pipe(ZCoinSymbol).optional(),
    workloadId: z.uuid().optional(),
    until: ZIsoTime.optional(),
  })
  .strict()
  .refine((b) => b.mode !== "HASHING" || b.coin, { message: "a HASHING pin needs the coin", path: ["coin"] })
  .refine((b) => b.mode !== "AI" || b.workloadId, { message: "an AI pin needs the workloadId", path: ["workloadId"] });
export const ZMaintenanceBody = z.object({ enabled: z.boolean(), note: z.string().max(500).nullable().default(null) }).strict();
export const ZGpuPlanningState = z.object({
  gpuId: z.uuid(),
  pin: z.object({ target: ZPlanTarget, until: z.string() }).nullable(),
  maintenance: z.boolean(),
  maintenanceNote: z.string().nullable(),
});
export type GpuPlanningState = z.infer<typeof ZGpuPlanningState>;

export const ZPlanDecisionView = z.object({
  gpuId: z.uuid(),
  current: ZPlanTarget,
  target: ZPlanTarget,
  changed: z.boolean(),
  /** The rule that decided: best-option, no-profit, curtailed, power-cap, vram, same-rig, pinned, maintenance, min-dwell, min-ai-run, min-gain, confirming. */
  binding: z.string(),
  reason: z.string(),
  /** Expected USD per hour of each option, net of energy (decimal strings). */
  options: z.object({
    hash: z.object({ coin: z.string(), usdPerHour: ZDecimalString }).nullable(),
    ai: z.object({ workloadId: z.string(), usdPerHour: ZDecimalString }).nullable(),
    idleUsdPerHour: ZDecimalString,
  }),
  /** The command this plan issued for the GPU (null in a preview, or when nothing changed). */
  commandId: z.string().nullable(),
});
export type PlanDecisionView = z.infer<typeof ZPlanDecisionView>;

export const ZPlanSkip = z.object({ siteId: z.string().nullable(), gpuIds: z.array(z.string()), reason: z.string() });
export const ZPlanUnplaced = z.object({ workloadId: z.string(), reason: z.string() });
export const ZPlanView = z.object({
  id: z.uuid(),
  at: z.string(),
  durationMs: z.number().int(),
  gpuCount: z.number().int(),
  commandCount: z.number().int(),
  placements: z.array(z.object({ workloadId: z.string(), gpuIds: z.array(z.string()) })),
  /** GPUs left out of the plan and why (offline, no FX rate for their site's currency, no energy price…). */
  skipped: z.array(ZPlanSkip),
  /** Open workloads the plan could not place, with the planner's reason (e.g. no GPU has the VRAM). */
  unplaced: z.array(ZPlanUnplaced),
  decisions: z.array(ZPlanDecisionView),
});
export type PlanView = z.infer<typeof ZPlanView>;

/** "What if": the plan the planner would make now, recorded nowhere. */
export const ZPlanPreview = ZPlanView.omit({ id: true, durationMs: true, commandCount: true }).extend({
  /** Switches the next plan would issue; GPUs with a command in flight are left out (`heldBack`). */
  commands: z.array(z.object({ gpuIds: z.array(z.string()), target: ZPlanTarget, reason: z.string() })),
  heldBack: z.array(z.object({ gpuId: z.string(), reason: z.string() })),
});
export type PlanPreview = z.infer<typeof ZPlanPreview>;
