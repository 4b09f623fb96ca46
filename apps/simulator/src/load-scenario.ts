import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { CURTAILMENT_START, Decimal, coinUsdPerHsDay, energyCostBetween, perKwhFromPerMwh, priceAt, stepCurtailment, type CurtailmentRule, type Tariff } from "@rigshift/economics";
import { parseCoinTrace, parseEnergyTrace, type CoinQuoteRow } from "@rigshift/market";

import { usdPerUnit } from "./fx";
import { ZScenario, type Scenario, type ScenarioSite } from "./scenario-schema";
import type { CoinWorld, GpuWorld, SiteWorld, WorkloadWorld, World } from "./world";

/** A scenario that cannot be run: names the file and the field or line at fault. */
export class ScenarioError extends Error {
  override name = "ScenarioError";
}

const MINUTE_MS = 60_000;

/** Read, validate and price a scenario file: traces are read relative to it. */
export const loadScenario = (file: string): World => {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ScenarioError(`${file}: cannot read the scenario: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ScenarioError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  const parsed = ZScenario.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(top level)"}: ${i.message}`).join("\n");
    throw new ScenarioError(`${file}: invalid scenario\n${issues}`);
  }
  const name = parsed.data.name ?? file.split("/").pop()!.replace(/\.json$/, "");
  return buildWorld(parsed.data, { name, readTrace: (path) => readTrace(resolve(dirname(file), path), file) });
};

const readTrace = (path: string, scenarioFile: string) => {
  try {
    return { path, text: readFileSync(path, "utf8") };
  } catch (err) {
    throw new ScenarioError(`${scenarioFile}: cannot read trace ${path}: ${(err as Error).message}`);
  }
};

type TraceReader = (path: string) => { path: string; text: string };

/** A scenario already validated, priced for every step. Exported for tests that build scenarios in code. */
export const buildWorld = (s: Scenario, { name, readTrace }: { name: string; readTrace: TraceReader }): World => {
  const startMs = Date.parse(s.start);
  const stepMs = s.stepMinutes * MINUTE_MS;
  const steps = Math.ceil((s.hours * 60) / s.stepMinutes);
  const fx = Object.fromEntries(Object.entries(s.fx ?? {}).map(([k, v]) => [k, new Decimal(v)]));
  const fxAssumed: Record<string, string> = {};
  const stepBounds = Array.from({ length: steps }, (_, i) => [new Date(startMs + i * stepMs), new Date(startMs + (i + 1) * stepMs)] as const);

  const sites: SiteWorld[] = s.sites.map((site, index) => {
    const { currency, perKwh } = siteEnergyPrices(site, stepBounds, readTrace);
    const rate = usdPerUnit(currency, fx, fxAssumed);
    const usdPerKwh = perKwh.map((p) => p.times(rate));
    return {
      id: site.id, index, timezone: site.timezone, currency, capW: site.powerCapKw * 1000, usdPerUnit: rate,
      perKwh, usdPerKwh, usdPerKwhF: Float64Array.from(usdPerKwh, (p) => p.toNumber()), curtailed: curtailment(site, perKwh),
    };
  });

  const coins: CoinWorld[] = s.coins.map((c, index) => {
    const trace = readTrace(c.trace);
    const rows = wrap(trace.path, () => parseCoinTrace(trace.text, { coin: c.coin, file: trace.path }));
    const perRow = rows.map((row) => ({ at: row.at, value: usdPerHsDayOf(row, c, trace.path) }));
    const usdPerHsDay = stepBounds.map(([from]) => wrap(`coin ${c.coin} (${trace.path})`, () => priceAt(perRow, from).value));
    return { coin: c.coin.toUpperCase(), algorithm: c.algorithm, index, usdPerHsDay, usdPerHsDayF: Float64Array.from(usdPerHsDay, (v) => v.toNumber()) };
  });

  const siteIndex = new Map(sites.map((x) => [x.id, x.index]));
  const models = s.gpuModels.map((m) => ({ ...m, hash: m.hash.map((h) => ({ ...h })) }));
  const modelByName = new Map(models.map((m) => [m.model, m]));
  const gpus: GpuWorld[] = s.rigs.flatMap((rig) =>
    rig.gpus.map((g, i) => {
      const model = modelByName.get(g.model)!;
      const hash = coins.flatMap((c) => {
        const perf = model.hash.find((h) => h.algorithm === c.algorithm);
        return perf ? [{ coinIndex: c.index, hs: perf.hs, w: perf.w }] : [];
      });
      return { id: g.id ?? `${rig.id}-gpu${i}`, index: 0, rigId: rig.id, siteIndex: siteIndex.get(rig.site)!, model, hash };
    }),
  );
  gpus.forEach((g, i) => (g.index = i));
  const gpuIds = new Set<string>();
  for (const g of gpus) {
    if (gpuIds.has(g.id)) throw new ScenarioError(`duplicate GPU id "${g.id}"`);
    gpuIds.add(g.id);
  }

  const workloads: WorkloadWorld[] = s.workloads.map((w, index) => {
    const arrivalMs = Date.parse(w.arrival);
    const rate = new Decimal(w.usdPerGpuHour);
    return {
      id: w.id, index, arrivalMs, arrivalStep: Math.max(0, Math.ceil((arrivalMs - startMs) / stepMs)), gpus: w.gpus, minVramGb: w.minVramGb,
      workMin: w.hours === null ? Number.POSITIVE_INFINITY : w.hours * 60, hours: w.hours, usdPerGpuHour: rate, usdPerGpuHourF: rate.toNumber(),
      sameRig: w.sameRig, priority: w.priority, deadlineMs: w.deadline ? Date.parse(w.deadline) : null,
      latestStartMs: w.latestStart ? Date.parse(w.latestStart) : null, checkpointMin: w.checkpointMin ?? s.switch.aiCheckpointMin,
    };
  });

  return {
    name, startMs, stepMs, stepMin: s.stepMinutes, steps, hours: s.hours, sites, coins, models, gpus, workloads,
    hashWarmupMin: s.switch.hashWarmupMin, aiCheckpointMin: s.switch.aiCheckpointMin, policy: s.policy ?? {}, fxAssumed,
  };
};

const wrap = <T>(where: string, fn: () => T): T => {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ScenarioError) throw err;
    const message = (err as Error).message;
    throw new ScenarioError(message.startsWith(where) ? message : `${where}: ${message}`);
  }
};

const usdPerHsDayOf = (row: CoinQuoteRow, coin: Scenario["coins"][number], file: string): Decimal => {
  if (row.usdPerHsDay) return row.usdPerHsDay;
  return wrap(`${file}, line ${row.line}`, () =>
    coinUsdPerHsDay(
      {
        priceUsd: row.priceUsd!,
        networkHashrateHs: row.networkHashrateHs,
        difficulty: row.difficulty,
        blockReward: row.blockReward ?? (coin.blockReward !== undefined ? new Decimal(coin.blockReward) : null),
        // Coin Metrics gives blocks per day but no block time: the day's mean block time follows.
        blockTimeS: row.blockTimeS ?? (coin.blockTimeS !== undefined ? new Decimal(coin.blockTimeS) : row.blocksPerDay ? new Decimal(86_400).div(row.blocksPerDay) : null),
        blocksPerDay: row.blocksPerDay,
        issuancePerDay: row.issuancePerDay,
      },
      coin.algorithm,
    ),
  );
};

/** Energy price per kWh for each step: the time-weighted mean over the step, so a step longer than the trace's interval is priced fairly. */
const siteEnergyPrices = (site: ScenarioSite, stepBounds: (readonly [Date, Date])[], readTrace: TraceReader): { currency: string; perKwh: Decimal[] } => {
  if ("trace" in site.energy) {
    const trace = readTrace(site.energy.trace);
    const rows = wrap(trace.path, () => parseEnergyTrace(trace.text, { file: trace.path }));
    const series = rows.map((r) => ({ at: r.at, perKwh: perKwhFromPerMwh(r.pricePerMwh) }));
    const perKwh = stepBounds.map(([from, to]) => wrap(`site ${site.id} energy (${trace.path})`, () => meanPrice(series, from, to)));
    return { currency: rows[0]!.currency ?? site.currency, perKwh };
  }
  const tariff: Tariff = {
    // NaN marks "no window and no base": caught below with the step it happened at.
    basePerKwh: site.energy.basePerKwh !== undefined ? new Decimal(site.energy.basePerKwh) : new Decimal(Number.NaN),
    windows: site.energy.tou.map((w) => ({ days: w.days, startMinute: clockMinute(w.from), endMinute: clockMinute(w.to), perKwh: new Decimal(w.perKwh) })),
  };
  const perKwh = stepBounds.map(([from, to]) => {
    const { kwh, cost } = energyCostBetween({ watts: new Decimal(1000), tariff, timezone: site.timezone, from, to });
    const price = cost.div(kwh);
    if (price.isNaN()) throw new ScenarioError(`site ${site.id}: no time-of-use window covers ${from.toISOString()} (local time in ${site.timezone}); add energy.basePerKwh`);
    return price;
  });
  return { currency: site.currency, perKwh };
};

const clockMinute = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

const meanPrice = (series: { at: Date; perKwh: Decimal }[], from: Date, to: Date): Decimal => {
  const first = priceAt(series, from);
  let i = series.indexOf(first);
  if (i + 1 >= series.length || series[i + 1]!.at >= to) return first.perKwh;
  let sum = new Decimal(0);
  let t = from.getTime();
  while (t < to.getTime()) {
    const next = Math.min(series[i + 1]?.at.getTime() ?? Number.POSITIVE_INFINITY, to.getTime());
    sum = sum.plus(series[i]!.perKwh.times(next - t));
    t = next;
    i++;
  }
  return sum.div(to.getTime() - from.getTime());
};

const curtailment = (site: ScenarioSite, perKwh: Decimal[]): boolean[] => {
  if (!site.curtailment) return perKwh.map(() => false);
  const rule: CurtailmentRule = {
    strikePerKwh: new Decimal(site.curtailment.strikePerKwh),
    windowsAbove: site.curtailment.windowsAbove,
    windowsBelow: site.curtailment.windowsBelow,
    immediatePerKwh: site.curtailment.immediatePerKwh === null ? null : new Decimal(site.curtailment.immediatePerKwh),
  };
  let state = CURTAILMENT_START;
  return perKwh.map((p) => {
    state = stepCurtailment(rule, state, p);
    return state.curtailed;
  });
};

