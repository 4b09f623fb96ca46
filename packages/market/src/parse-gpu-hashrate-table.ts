import { optionalDecimal, optionalText, requiredDecimal } from "./cells";
import { readCsvTable, requireColumns } from "./csv-table";
import { MarketTraceError } from "./trace-error";

/** Hashrate and board power of a GPU model on one algorithm (physical figures, not money). */
export type GpuHashrateRow = { gpuModel: string; vramGb: number | null; algorithm: string; hs: number; powerW: number | null; line: number };

/** `gpu_model,vram_gb,algorithm,hashrate_hs,power_w,…` reference and measured tables; algorithm names are lower-cased. */
export const parseGpuHashrateTable = (csv: string, opts: { file?: string } = {}): GpuHashrateRow[] => {
  const file = opts.file ?? "GPU hashrate table";
  const table = readCsvTable(csv, file);
  requireColumns(table, ["gpu_model", "algorithm", "hashrate_hs"], "a GPU hashrate table");
  return table.rows.map((row) => {
    const gpuModel = optionalText(row, "gpu_model");
    const algorithm = optionalText(row, "algorithm");
    if (!gpuModel || !algorithm) {
      const column = gpuModel ? "algorithm" : "gpu_model";
      throw new MarketTraceError(`${column}: empty cell`, { file, line: row.line, column: row.columnOf[column] });
    }
    return {
      gpuModel,
      vramGb: optionalDecimal(table, row, "vram_gb")?.toNumber() ?? null,
      algorithm: algorithm.toLowerCase(),
      hs: requiredDecimal(table, row, "hashrate_hs").toNumber(),
      powerW: optionalDecimal(table, row, "power_w")?.toNumber() ?? null,
      line: row.line,
    };
  });
};
