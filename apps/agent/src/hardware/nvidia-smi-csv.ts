import { intQuantity, quantity, textOrNull, type GpuStatus } from "./gpu-status";
import { normalisePciBusId } from "./pci";

/**
 * `nvidia-smi --query-gpu=… --format=csv[,nounits]` (FORMATS.md, SOURCES.md: nvidia-smi-csv-*.csv).
 * The header names each field with its unit in brackets (`power.draw [W]`); values carry the unit
 * (`84.24 W`) unless `nounits` was asked for. Unsupported fields read `[N/A]`, and on some drivers a
 * bare `N/A` (2021 Windows capture, `temperature.memory`): both become null, never 0.
 */

export class NvidiaSmiCsvParseError extends Error {
  override name = "NvidiaSmiCsvParseError";
}

type Column = { name: string; unit: string | undefined };
type Row = (names: readonly string[]) => { text: string | null; unit: string | undefined };

// nvidia-smi does not quote: it joins fields with ", " and no value it prints holds a comma.
const splitLine = (line: string) => line.split(",").map((f) => f.trim());

const parseHeader = (line: string): Column[] =>
  splitLine(line).map((h) => {
    const m = /^(.*?)\s*\[(.+)\]$/.exec(h);
    return m ? { name: m[1]!.toLowerCase(), unit: m[2] } : { name: h.toLowerCase(), unit: undefined };
  });

/** Header and rows of a CSV document; blank lines (a trailing newline, or none) are skipped. */
const readTable = (text: string): { columns: Column[]; rows: Row[] } => {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/).filter((l) => l.trim() !== "");
  const [head, ...body] = lines;
  if (head === undefined) throw new NvidiaSmiCsvParseError("not nvidia-smi CSV: empty output");
  const columns = parseHeader(head);
  if (columns.some((c) => c.name === "" || /\s/.test(c.name))) throw new NvidiaSmiCsvParseError(`not nvidia-smi CSV: header "${head.slice(0, 80)}"`);
  const rows = body.map((line, i): Row => {
    const fields = splitLine(line);
    if (fields.length !== columns.length) {
      throw new NvidiaSmiCsvParseError(`nvidia-smi CSV row ${i + 1} has ${fields.length} fields, the header ${columns.length}`);
    }
    return (names) => {
      for (const name of names) {
        const at = columns.findIndex((c) => c.name === name);
        if (at >= 0) return { text: textOrNull(fields[at]), unit: columns[at]!.unit };
      }
      return { text: null, unit: undefined };
    };
  });
  return { columns, rows };
};

// Field names as --query-gpu accepts them, canonical name first, then the aliases nvidia-smi documents.
const F = {
  index: ["index"],
  uuid: ["uuid", "gpu_uuid"],
  busId: ["pci.bus_id", "gpu_bus_id"],
  name: ["name", "gpu_name"],
  memTotal: ["memory.total"],
  memUsed: ["memory.used"],
  temp: ["temperature.gpu"],
  // power.draw is the 1 s average on 550+ drivers, as power.draw.average; older ones have only power.draw.
  power: ["power.draw", "power.draw.average", "power.draw.instant"],
  powerLimit: ["power.limit", "enforced.power.limit"],
  fan: ["fan.speed"],
  util: ["utilization.gpu"],
  coreClock: ["clocks.current.graphics", "clocks.gr"],
  memClock: ["clocks.current.memory", "clocks.mem"],
  driver: ["driver_version"],
} as const;

const num = (row: Row, names: readonly string[]) => {
  const { text, unit } = row(names);
  return quantity(text, unit);
};
const int = (row: Row, names: readonly string[]) => {
  const { text, unit } = row(names);
  return intQuantity(text, unit);
};

/**
 * One GpuStatus per row, fields the query did not ask for are null. `index` is the row's own
 * `index` column, else its position (nvidia-smi writes rows in its index order).
 */
export const parseNvidiaSmiCsv = (text: string): GpuStatus[] => {
  const { rows } = readTable(text);
  return rows.map((row, position) => ({
    index: int(row, F.index) ?? position,
    uuid: row(F.uuid).text,
    pciBusId: normalisePciBusId(row(F.busId).text),
    vendor: "nvidia",
    model: row(F.name).text,
    vramMb: int(row, F.memTotal),
    vramUsedMb: int(row, F.memUsed),
    tempC: num(row, F.temp),
    powerW: num(row, F.power),
    powerLimitW: num(row, F.powerLimit),
    fanPct: num(row, F.fan),
    utilPct: num(row, F.util),
    coreClockMhz: int(row, F.coreClock),
    memClockMhz: int(row, F.memClock),
    driverVersion: row(F.driver).text,
  }));
};

/** One row of a looping query (`-l S` / `-lms MS`). */
export type PowerSample = {
  /** As nvidia-smi printed it (`2024/10/30 18:42:33.189`): local time, no zone. */
  timestamp: string;
  /** Milliseconds since the file's first sample; null when a timestamp cannot be read. */
  offsetMs: number | null;
  /** The GPU's index when the query has an index column, else null (a one-GPU loop). */
  gpuIndex: number | null;
  powerW: number | null;
};

const TIMESTAMP = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/;

/** The wall-clock reading as if it were UTC: only differences are used, and both ends share the zone. */
const clockMs = (timestamp: string): number | null => {
  const m = TIMESTAMP.exec(timestamp);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s, Number((m[7] ?? "0").padEnd(3, "0")));
};

/**
 * `nvidia-smi --query-gpu=timestamp,power.draw --format=csv -lms 50`: one header, then a row per GPU
 * per sample. Consecutive rows often repeat a value (the driver refreshes slower than 50 ms); they are
 * kept, since they are what was sampled.
 */
export const parseNvidiaSmiPowerLoop = (text: string): PowerSample[] => {
  const { columns, rows } = readTable(text);
  if (!columns.some((c) => c.name === "timestamp")) throw new NvidiaSmiCsvParseError("nvidia-smi loop CSV has no timestamp column");
  const samples = rows.map((row) => {
    const timestamp = row(["timestamp"]).text ?? "";
    return { timestamp, ms: clockMs(timestamp), gpuIndex: int(row, F.index), powerW: num(row, F.power) };
  });
  const first = samples.find((s) => s.ms !== null)?.ms ?? null;
  return samples.map(({ ms, ...s }) => ({ ...s, offsetMs: ms === null || first === null ? null : ms - first }));
};
