import { randomUUID } from "node:crypto";
import { telemetryCopyChunks, type TelemetryMessageRow } from "@rigshift/db";
const types = { gpuModeOid: 16500 };
const mk = (ids: () => string): TelemetryMessageRow[] => Array.from({ length: 250 }, (_, s) => ({ rigId: ids(), seq: s, at: new Date(), gpuIds: Array.from({ length: 8 }, ids),
  gpus: Array.from({ length: 8 }, (_, g) => ({ index: g, mode: "HASHING" as const, coin: "ETC", workloadId: null, hashrateHs: 60e6 + g, tempC: 60, powerW: 220, fanPct: 55, utilPct: 99, vramUsedMb: 4500 })) }));
const batches = { randomUUID: mk(randomUUID), json: mk(() => JSON.parse(JSON.stringify({ a: randomUUID() })).a) };
for (let r = 0; r < 3; r++) for (const [name, b] of Object.entries(batches)) {
  const N = 400; const t = performance.now(); let bytes = 0;
  for (let i = 0; i < N; i++) for (const c of telemetryCopyChunks(b, types)) bytes += c.length;
  console.log(name, ((performance.now() - t) * 1000 / (N * 250)).toFixed(3), "µs/msg");
}
