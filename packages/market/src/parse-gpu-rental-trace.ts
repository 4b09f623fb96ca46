import type { Decimal } from "@rigshift/economics";
import { byTime, optionalDecimal, optionalText, requiredDecimal, requiredTimestamp } from "./cells";
import { readCsvTable, requireColumns } from "./csv-table";
import { MarketTraceError } from "./trace-error";

/** A snapshot of what renting one GPU of a model costs per hour on the open market. */
export type GpuRentalRow = {
  at: Date;
  gpuModel: string;
  /** Median offer, USD per GPU-hour. */
  usdPerGpuHour: Decimal;
  p10UsdPerGpuHour: Decimal | null;
  p90UsdPerGpuHour: Decimal | null;
  offersAvailable: number | null;
  line: number;
};

/** `ts,gpu_model,usd_per_gpu_hour[,p10_usd_per_gpu_hour,p90_…,offers_stock_available,…]`; `gpuModel` keeps one model. */
export const parseGpuRentalTrace = (csv: string, opts: { gpuModel?: string; file?: string } = {}): GpuRentalRow[] => {
  const file = opts.file ?? "GPU rental trace";
  const table = readCsvTable(csv, file);
  requireColumns(table, ["ts", "gpu_model", "usd_per_gpu_hour"], "a GPU rental trace");
  const rows: GpuRentalRow[] = [];
  for (const row of table.rows) {
    const gpuModel = optionalText(row, "gpu_model");
    if (!gpuModel) throw new MarketTraceError("gpu_model: empty cell", { file, line: row.line, column: row.columnOf.gpu_model });
    if (opts.gpuModel && gpuModel !== opts.gpuModel) continue;
    const offers = optionalDecimal(table, row, "offers_stock_available");
    rows.push({
      at: requiredTimestamp(table, row, "ts"),
      gpuModel,
      usdPerGpuHour: requiredDecimal(table, row, "usd_per_gpu_hour"),
      p10UsdPerGpuHour: optionalDecimal(table, row, "p10_usd_per_gpu_hour"),
      p90UsdPerGpuHour: optionalDecimal(table, row, "p90_usd_per_gpu_hour"),
      offersAvailable: offers ? offers.toNumber() : null,
      line: row.line,
    });
  }
  if (rows.length === 0) throw new MarketTraceError(`no rental quotes${opts.gpuModel ? ` for ${opts.gpuModel}` : ""}`, { file });
  return byTime(rows);
};
