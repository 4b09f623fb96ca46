import { z } from "zod";

// The scenario file (docs/scenario.md). Money is a decimal string ("0.09") or a plain number; it is
// read into decimals, never floats. Every field beyond those the issue names is optional.

const ZMoney = z
  .union([z.string().regex(/^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/, "expected a decimal number such as \"0.09\""), z.number()])
  .describe("A decimal amount, preferably as a string (\"0.09\") so no binary rounding creeps in.");
const ZInstant = z.iso.datetime({ offset: true }).describe("ISO 8601 instant, e.g. 2026-03-02T00:00:00Z.");
const ZClock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "expected HH:MM (00:00 to 24:00)");
const ZId = z.string().min(1).max(100);
const isTimezone = (tz: string) => {
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

export const ZTouWindow = z.strictObject({
  days: z.string().min(1).describe('Weekdays in the site\'s zone: "mon-fri", "sat-sun", "mon,wed", "daily".'),
  from: ZClock.describe("Local start, inclusive."),
  to: ZClock.describe("Local end, exclusive; 24:00 is midnight."),
  perKwh: ZMoney.describe("Price per kWh in the site's currency."),
});

export const ZEnergy = z.union([
  z.strictObject({
    trace: z.string().min(1).describe("CSV `ts,price_per_mwh[,currency,…]`, relative to the scenario file."),
  }),
  z.strictObject({
    tou: z.array(ZTouWindow).min(1).describe("Time-of-use windows; the first that covers a local time sets its price."),
    basePerKwh: ZMoney.optional().describe("Price outside every window; without it, a step no window covers is an error."),
  }),
]);

export const ZCurtailmentRule = z
  .strictObject({
    strikePerKwh: ZMoney.describe("Price per kWh (site currency) above which the site wants to stop."),
    windowsAbove: z.number().int().min(0).default(1).describe("Consecutive steps above the strike before curtailing."),
    windowsBelow: z.number().int().min(0).default(1).describe("Consecutive steps at or below it before resuming."),
    immediatePerKwh: ZMoney.nullable().default(null).describe("Curtail at once at this price or above."),
  })
  .describe("While curtailed, only AI work (and idle GPUs) run at the site, in every strategy.");

export const ZSite = z.strictObject({
  id: ZId,
  timezone: z.string().refine(isTimezone, "unknown IANA time zone").describe("IANA zone, for time-of-use windows."),
  currency: z.string().regex(/^[A-Z]{3}$/, "expected an ISO 4217 code such as USD").describe("Currency energy is bought in."),
  powerCapKw: z.number().positive().describe("The site's power budget for all its GPUs, kW."),
  energy: ZEnergy,
  curtailment: ZCurtailmentRule.optional(),
});

export const ZHashRate = z.strictObject({
  algorithm: z.string().min(1).transform((a) => a.toLowerCase()),
  hs: z.number().positive().describe("Hashrate, H/s."),
  w: z.number().nonnegative().describe("Board power while hashing, W."),
});

export const ZGpuModel = z.strictObject({
  model: ZId,
  vramGb: z.number().positive(),
  idleW: z.number().nonnegative(),
  aiW: z.number().nonnegative(),
  hash: z.array(ZHashRate).default([]),
});

export const ZRig = z.strictObject({
  id: ZId,
  site: ZId,
  gpus: z.array(z.strictObject({ model: ZId, id: ZId.optional().describe("Defaults to `<rig id>-gpu<index>`.") })).min(1),
});

export const ZCoin = z.strictObject({
  coin: z.string().min(1).describe("Symbol; also selects the rows of a trace file with a `coin` column."),
  algorithm: z.string().min(1).transform((a) => a.toLowerCase()),
  trace: z.string().min(1).describe("CSV `ts,price_usd,difficulty`, `ts,usd_per_hs_day`, or Coin Metrics-shaped daily rows."),
  blockReward: ZMoney.optional().describe("Coins per block, for traces that give difficulty but no issuance."),
  blockTimeS: z.number().positive().optional().describe("Target block time, s, to turn difficulty into a network hashrate."),
});

export const ZWorkload = z.strictObject({
  id: ZId,
  arrival: ZInstant.describe("When the customer submits it; it may start at the first step at or after."),
  gpus: z.number().int().positive(),
  minVramGb: z.number().nonnegative().default(0),
  hours: z.number().positive().nullable().describe("Hours of work on all its GPUs at once; null = open-ended (runs until the end)."),
  usdPerGpuHour: ZMoney,
  sameRig: z.boolean().default(false),
  priority: z.number().int().default(0).describe("Higher goes first when GPUs are short."),
  deadline: ZInstant.nullable().default(null).describe("It must finish by then: it starts only if it can, and stops there (the planner's deadline)."),
  latestStart: ZInstant.nullable().default(null).describe("The customer withdraws it if it has not started by then."),
  checkpointMin: z.number().nonnegative().nullable().default(null).describe("Work lost when it is stopped; default switch.aiCheckpointMin."),
});

export const ZPolicyOverrides = z
  .strictObject({
    minGainPct: z.number().min(0),
    minGainUsdPerHour: z.number().min(0),
    confirmPlans: z.number().int().min(0),
    minDwellMin: z.number().min(0),
    minAiRunMin: z.number().min(0),
    allowAiPreemption: z.boolean(),
    hashWarmupMin: z.number().min(0),
    aiCheckpointMin: z.number().min(0),
    amortizeHours: z.number().positive(),
  })
  .partial()
  .describe("Planner policy settings for the policy strategy; unset ones take the planner's DEFAULT_POLICY (warm-up and checkpoint from `switch`).");

export const ZScenario = z
  .strictObject({
    $schema: z.string().optional(),
    name: z.string().optional().describe("Shown in reports; defaults to the file name."),
    start: ZInstant,
    hours: z.number().positive().max(24 * 366),
    stepMinutes: z.number().int().positive().max(1440),
    sites: z.array(ZSite).min(1),
    gpuModels: z.array(ZGpuModel).min(1),
    rigs: z.array(ZRig).min(1),
    coins: z.array(ZCoin).default([]),
    workloads: z.array(ZWorkload).default([]),
    switch: z
      .strictObject({
        hashWarmupMin: z.number().min(0).default(5).describe("Minutes a miner earns nothing after (re)starting."),
        aiCheckpointMin: z.number().min(0).default(15).describe("Minutes of AI work lost when a workload is stopped."),
      })
      .default({ hashWarmupMin: 5, aiCheckpointMin: 15 }),
    policy: ZPolicyOverrides.optional(),
    fx: z
      .record(z.string().regex(/^[A-Z]{3}$/), ZMoney)
      .optional()
      .describe('USD per unit of a currency, e.g. {"EUR": "1.08"}. A currency left out uses the built-in reference rate (see docs), and the report says so.'),
  })
  .superRefine((s, ctx) => {
    // Cross-references: a typo in an id would otherwise surface as a GPU silently missing from the fleet.
    const unique = (ids: string[], path: string) => {
      const seen = new Set<string>();
      ids.forEach((id, i) => {
        if (seen.has(id)) ctx.addIssue({ code: "custom", path: [path, i, "id"], message: `duplicate id "${id}"` });
        seen.add(id);
      });
    };
    unique(s.sites.map((x) => x.id), "sites");
    unique(s.rigs.map((x) => x.id), "rigs");
    unique(s.workloads.map((x) => x.id), "workloads");
    const models = new Set(s.gpuModels.map((m) => m.model));
    const sites = new Set(s.sites.map((x) => x.id));
    s.rigs.forEach((rig, r) => {
      if (!sites.has(rig.site)) ctx.addIssue({ code: "custom", path: ["rigs", r, "site"], message: `no site "${rig.site}"` });
      rig.gpus.forEach((g, i) => {
        if (!models.has(g.model)) ctx.addIssue({ code: "custom", path: ["rigs", r, "gpus", i, "model"], message: `no gpuModel "${g.model}"` });
      });
    });
    const coins = new Set<string>();
    s.coins.forEach((c, i) => {
      if (coins.has(c.coin.toUpperCase())) ctx.addIssue({ code: "custom", path: ["coins", i, "coin"], message: `duplicate coin "${c.coin}"` });
      coins.add(c.coin.toUpperCase());
    });
  });

export type Scenario = z.output<typeof ZScenario>;
export type ScenarioSite = Scenario["sites"][number];
export type ScenarioWorkload = Scenario["workloads"][number];

/** The scenario's JSON Schema (what a file may contain), as docs/scenario.md embeds it. */
export const scenarioJsonSchema = () => z.toJSONSchema(ZScenario, { io: "input", unrepresentable: "any" });
