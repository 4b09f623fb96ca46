import { readFileSync } from "node:fs";
import { Decimal, findGpuModelPerf, priceAt } from "@rigshift/economics";
import { parseCoinTrace, parseEnergyTrace, parseGpuHashrateTable, parseGpuRentalTrace } from "@rigshift/market";
import type { z } from "zod";
import type { ZScenario } from "./scenario-schema";

const HOUR = 3_600_000;
const START_WITHIN_H = 3;

export type RealTraceOptions = {
  name: string;
  timezone: string;
  /** Absolute paths of real traces (read in place, never copied). */
  energy: string;
  coins: { file: string; coin: string; algorithm: string }[];
  hashrates: string;
  rental: string;
  powerCapKw?: number;
};

/**
 * A scenario over real traces: the window both the energy and coin traces cover; a fleet of
 * RTX 3080/3090 (hashrate and power from the hashrate table; idle and AI power from economics'
 * seed table) plus four A100 80GB that only do AI; workloads arriving every ~17 h, priced from the
 * GPU rental trace at the same offset into its own window: A100 jobs at the market's 10th
 * percentile, 24 GB consumer-card jobs at a quarter of that (no consumer rental record exists);
 * each customer withdraws a job that has not started within three hours.
 */
export const realTraceScenario = (o: RealTraceOptions): z.input<typeof ZScenario> => {
  const energy = parseEnergyTrace(readFileSync(o.energy, "utf8"), { file: o.energy });
  const coinRows = o.coins.map((c) => parseCoinTrace(readFileSync(c.file, "utf8"), { coin: c.coin, file: c.file }));
  const startMs = Math.ceil(Math.max(energy[0]!.at.getTime(), ...coinRows.map((r) => r[0]!.at.getTime())) / HOUR) * HOUR;
  const endMs = Math.min(energy.at(-1)!.at.getTime() + HOUR, ...coinRows.map((r) => r.at(-1)!.at.getTime() + 24 * HOUR));
  const hours = Math.floor((endMs - startMs) / HOUR);

  const table = parseGpuHashrateTable(readFileSync(o.hashrates, "utf8"), { file: o.hashrates });
  const perf = (model: string, algorithm: string) => table.find((r) => r.gpuModel === model && r.algorithm === algorithm && r.powerW !== null);
  const model = (name: string, vramGb: number) => {
    const seed = findGpuModelPerf(`NVIDIA GeForce ${name}`)!;
    const hash = o.coins.flatMap((c) => {
      // Etchash is ethash with a larger DAG: cards hash both at the same rate, and the table often lists only ethash.
      const row = perf(name, c.algorithm) ?? (c.algorithm === "etchash" ? perf(name, "ethash") : undefined);
      return row ? [{ algorithm: c.algorithm, hs: row.hs, w: row.powerW! }] : [];
    });
    return { model: name, vramGb, idleW: seed.idleW, aiW: seed.aiW, hash };
  };

  const rental = parseGpuRentalTrace(readFileSync(o.rental, "utf8"), { gpuModel: "A100_80GB PCIe", file: o.rental });
  const rentalStart = rental[0]!.at.getTime();
  const rentalSpan = rental.at(-1)!.at.getTime() - rentalStart;
  const workloads = [];
  for (let k = 0, at = startMs + 3 * HOUR; at < endMs - 12 * HOUR; k++, at += (14 + ((k * 5) % 7)) * HOUR) {
    const quote = priceAt(rental, new Date(rentalStart + ((at - startMs) % rentalSpan)));
    const a100 = k % 3 === 0;
    const base = quote.p10UsdPerGpuHour ?? quote.usdPerGpuHour;
    const gpus = a100 ? [1, 2, 4][k % 3]! : [1, 2, 4, 8, 2][k % 5]!;
    workloads.push({
      id: `job-${k + 1}`,
      arrival: new Date(at).toISOString(),
      gpus,
      minVramGb: a100 ? 80 : 24,
      hours: 4 + ((k * 7) % 44),
      usdPerGpuHour: (a100 ? base : base.div(4)).toDecimalPlaces(4, Decimal.ROUND_HALF_EVEN).toString(),
      sameRig: gpus > 1,
      // Marketplace customers go elsewhere when their job has not started within a few hours.
      latestStart: new Date(at + START_WITHIN_H * HOUR).toISOString(),
    });
  }

  return {
    name: o.name,
    start: new Date(startMs).toISOString(),
    hours,
    stepMinutes: 60,
    sites: [{ id: "site", timezone: o.timezone, currency: energy[0]!.currency ?? "USD", powerCapKw: o.powerCapKw ?? 20, energy: { trace: o.energy } }],
    gpuModels: [model("RTX 3080", 10), model("RTX 3090", 24), { model: "A100 80GB PCIe", vramGb: 80, idleW: 50, aiW: 300, hash: [] }],
    rigs: [
      { id: "r1", site: "site", gpus: Array.from({ length: 8 }, () => ({ model: "RTX 3080" })) },
      { id: "r2", site: "site", gpus: Array.from({ length: 8 }, () => ({ model: "RTX 3080" })) },
      { id: "r3", site: "site", gpus: Array.from({ length: 8 }, () => ({ model: "RTX 3090" })) },
      { id: "r4", site: "site", gpus: Array.from({ length: 8 }, () => ({ model: "RTX 3090" })) },
      { id: "r5", site: "site", gpus: Array.from({ length: 4 }, () => ({ model: "A100 80GB PCIe" })) },
    ],
    coins: o.coins.map((c) => ({ coin: c.coin, algorithm: c.algorithm, trace: c.file })),
    workloads,
    switch: { hashWarmupMin: 5, aiCheckpointMin: 15 },
  };
};
