import { parse } from "csv-parse/sync";
import { z } from "zod";
import { ScheduleError } from "./replay";
import { IDLE, aiCode, coinOf, hashCode, isAi, isHash, newSchedule, stepStartMs, workloadOf, type Schedule, type World } from "./world";

/** A schedule as CSV `ts,gpuId,mode,coin,workloadId`: one row per GPU per step, so another tool can re-score it. */
export const scheduleToCsv = (world: World, schedule: Schedule): string => {
  const G = world.gpus.length;
  const lines = ["ts,gpuId,mode,coin,workloadId"];
  for (let s = 0; s < world.steps; s++) {
    const ts = new Date(stepStartMs(world, s)).toISOString();
    for (let g = 0; g < G; g++) {
      const code = schedule[s * G + g]!;
      const id = csvCell(world.gpus[g]!.id);
      if (isHash(world, code)) lines.push(`${ts},${id},HASH,${csvCell(world.coins[coinOf(world, code)]!.coin)},`);
      else if (isAi(world, code)) lines.push(`${ts},${id},AI,,${csvCell(world.workloads[workloadOf(world, code)]!.id)}`);
      else lines.push(`${ts},${id},IDLE,,`);
    }
  }
  return `${lines.join("\n")}\n`;
};

const csvCell = (text: string) => (/[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

const ZScheduleRow = z.object({
  ts: z.iso.datetime({ offset: true }),
  gpuId: z.string().min(1),
  mode: z.enum(["IDLE", "HASH", "AI"]),
  coin: z.string(),
  workloadId: z.string(),
});

/** Read a schedule CSV back (any row order); a GPU-step it leaves out is idle. Errors name the line. */
export const scheduleFromCsv = (world: World, csv: string, file = "schedule"): Schedule => {
  const G = world.gpus.length;
  const schedule = newSchedule(world).fill(IDLE);
  const gpuIndex = new Map(world.gpus.map((g) => [g.id, g.index]));
  const coinIndex = new Map(world.coins.map((c) => [c.coin, c.index]));
  const workloadIndex = new Map(world.workloads.map((w) => [w.id, w.index]));
  const records = parse(csv, { columns: true, skip_empty_lines: true, trim: true, info: true }) as unknown as { record: Record<string, string>; info: { lines: number } }[];
  for (const { record, info } of records) {
    const fail = (msg: string): never => {
      throw new ScheduleError(`${file}, line ${info.lines}: ${msg}`);
    };
    const parsed = ZScheduleRow.safeParse(record);
    if (!parsed.success) fail(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
    const row = parsed.data!;
    const offset = Date.parse(row.ts) - world.startMs;
    const s = offset / world.stepMs;
    if (!Number.isInteger(s) || s < 0 || s >= world.steps) fail(`ts ${row.ts} is not the start of a step of this scenario`);
    const g = gpuIndex.get(row.gpuId) ?? fail(`unknown GPU ${row.gpuId}`);
    let code = IDLE;
    if (row.mode === "HASH") code = hashCode(world, coinIndex.get(row.coin.toUpperCase()) ?? fail(`unknown coin "${row.coin}"`));
    if (row.mode === "AI") code = aiCode(world, workloadIndex.get(row.workloadId) ?? fail(`unknown workload "${row.workloadId}"`));
    schedule[s * G + g] = code;
  }
  return schedule;
};
