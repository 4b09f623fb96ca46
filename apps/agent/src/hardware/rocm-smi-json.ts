import { intQuantity, quantity, textOrNull, type GpuProcess, type GpuStatus } from "./gpu-status";
import { normalisePciBusId } from "./pci";

export type RocmSmiCard = {
  /** N of the `cardN` key: the device number `rocm-smi -d N` takes. */
  card: number;
  /** `index` is the card's rank among the cards (0-based); read-gpus.ts moves it after NVIDIA's. */
  status: GpuStatus;
};

export type RocmSmiReport = {
  driverVersion: string | null;
  /** Sorted by card number: the object's key order is not (card2 before card1 in one sample). */
  cards: RocmSmiCard[];
  /**
   * KFD (compute) processes. rocm-smi's JSON lists them for the whole system, not per GPU, so a
   * caller asking "is this GPU free?" must treat each one as holding every AMD GPU.
   */
  processes: GpuProcess[];
};

export class RocmSmiParseError extends Error {
  override name = "RocmSmiParseError";
}

const MIB = 1024 * 1024;

/** Keys change case and lose their colon across versions ("Card series"/"Card Series", "sclk clock speed:"). */
const normaliseKey = (key: string) => key.trim().replace(/:$/, "").trim().toLowerCase();

type Fields = Map<string, string>;

const fieldsOf = (card: Record<string, unknown>): Fields => {
  const fields: Fields = new Map();
  for (const [key, value] of Object.entries(card)) {
    if (typeof value === "string" || typeof value === "number") fields.set(normaliseKey(key), String(value));
  }
  return fields;
};

const first = (fields: Fields, keys: readonly string[], read: (text: string) => number | null): number | null => {
  for (const key of keys) {
    const value = read(fields.get(key) ?? "");
    if (value !== null) return value;
  }
  return null;
};

const isHexId = (text: string) => /^0x[0-9a-f]+$/i.test(text);

/**
 * "Card Series" / "Card series" / "Device Name" name the card; old rocm-smi wrote the vendor id
 * "0x1002" there instead, and some versions leave the key out. Then the PCI device id is all there
 * is: "AMD GPU 0x6861" beats a blank model in the inventory.
 */
const readModel = (fields: Fields): string | null => {
  for (const key of ["card series", "device name", "card model"]) {
    const name = textOrNull(fields.get(key));
    if (name !== null && !isHexId(name)) return name;
  }
  const deviceId = textOrNull(fields.get("device id")) ?? textOrNull(fields.get("gpu id"));
  return deviceId !== null && isHexId(deviceId) ? `AMD GPU ${deviceId.toLowerCase()}` : null;
};

const mib = (text: string) => {
  const bytes = quantity(text);
  return bytes === null ? null : Math.round(bytes / MIB);
};

const readCard = (card: number, rank: number, fields: Fields, driverVersion: string | null): RocmSmiCard => ({
  card,
  status: {
    index: rank,
    uuid: textOrNull(fields.get("unique id")),
    pciBusId: normalisePciBusId(fields.get("pci bus")),
    vendor: "amd",
    model: readModel(fields),
    vramMb: first(fields, ["vram total memory (b)"], mib),
    vramUsedMb: first(fields, ["vram total used memory (b)"], mib),
    // Edge is the sensor nearest what nvidia-smi calls the GPU temperature; MI200/MI300 only have junction.
    tempC: first(fields, ["temperature (sensor edge) (c)", "temperature (sensor junction) (c)", "temperature (sensor hotspot) (c)"], (t) => quantity(t, "C")),
    powerW: first(
      fields,
      ["average graphics package power (w)", "current socket graphics package power (w)", "current socket power (w)"],
      (t) => quantity(t, "W"),
    ),
    // rocm-smi -M prints the current power cap under this name.
    powerLimitW: first(fields, ["max graphics package power (w)"], (t) => quantity(t, "W")),
    fanPct: first(fields, ["fan speed (%)"], (t) => quantity(t, "%")),
    utilPct: first(fields, ["gpu use (%)"], (t) => quantity(t, "%")),
    coreClockMhz: first(fields, ["sclk clock speed"], (t) => intQuantity(t, "MHz")),
    memClockMhz: first(fields, ["mclk clock speed"], (t) => intQuantity(t, "MHz")),
    driverVersion,
  },
});

/** `"PID104225": "mlir-cpu-runner, 0, 0, 0, 0"` (name, GPUs, VRAM bytes, SDMA, CU occupancy). */
const readProcesses = (system: Record<string, unknown>): GpuProcess[] =>
  Object.entries(system).flatMap(([key, value]) => {
    const pid = /^PID(\d+)$/i.exec(key.trim());
    if (!pid || typeof value !== "string") return [];
    const [name = "", , vram] = value.split(",").map((s) => s.trim());
    const vramB = quantity(vram);
    return [{ pid: Number(pid[1]), name, type: null, usedMemoryMb: vramB === null ? null : Math.round(vramB / MIB) }];
  });

const parseJsonObject = (text: string): Record<string, unknown> => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // rocm-smi can print warnings ("WARNING: ... not supported") before the JSON on stdout.
    const start = text.indexOf("{");
    const end = text.lastIndexOf("}");
    try {
      value = start >= 0 && end > start ? JSON.parse(text.slice(start, end + 1)) : undefined;
    } catch {
      value = undefined;
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RocmSmiParseError("not rocm-smi JSON: expected one JSON object");
  }
  return value as Record<string, unknown>;
};

/** Parse `rocm-smi … --json` (ROCm 4.x to 6.x spellings). */
export const parseRocmSmiJson = (text: string): RocmSmiReport => {
  const doc = parseJsonObject(text);
  const systemRaw = doc.system;
  const system = typeof systemRaw === "object" && systemRaw !== null ? (systemRaw as Record<string, unknown>) : {};
  const driverVersion = textOrNull(fieldsOf(system).get("driver version"));
  const cards = Object.entries(doc)
    .flatMap(([key, value]) => {
      const m = /^card(\d+)$/i.exec(key);
      return m && typeof value === "object" && value !== null ? [{ card: Number(m[1]), fields: fieldsOf(value as Record<string, unknown>) }] : [];
    })
    .sort((a, b) => a.card - b.card)
    .map(({ card, fields }, rank) => readCard(card, rank, fields, driverVersion));
  if (cards.length === 0 && !("system" in doc)) throw new RocmSmiParseError("not rocm-smi JSON: no card or system entries");
  return { driverVersion, cards, processes: readProcesses(system) };
};
