import type { GpuSample, Telemetry } from "@rigshift/protocol";
import type { GpuBackend, GpuReading } from "../backends/backend";
import type { Log } from "../log";
import type { GpuState } from "../rig-state";
import type { Spool } from "../spool/spool";

export type TelemetryRecorderOptions = {
  backend: GpuBackend;
  gpus: ReadonlyMap<number, GpuState>;
  spool: Spool<Telemetry>;
  now: () => Date;
  log: Log;
  /** Most samples held while the agent has not yet learnt where its seq should start. */
  unnumberedCapacity: number;
};

/** A GPU's row: the agent's mode and assignment, the tool's readings passed through (null stays null). */
export const toGpuSample = (gpu: GpuState, reading: GpuReading | undefined): GpuSample => ({
  index: gpu.index,
  mode: gpu.mode,
  coin: gpu.mode === "HASHING" ? (gpu.miner?.coin ?? null) : null,
  workloadId: gpu.mode === "AI" ? (gpu.workload?.workloadId ?? null) : null,
  hashrateHs: reading?.hashrateHs ?? null,
  tempC: reading?.tempC ?? null,
  powerW: reading?.powerW ?? null,
  fanPct: reading?.fanPct ?? null,
  utilPct: reading?.utilPct ?? null,
  vramUsedMb: reading?.vramUsedMb ?? null,
});

/**
 * Samples every GPU once per tick into one numbered telemetry message. The seq continues from
 * max(own counter, server's lastSeq + 1), so a restarted agent never reuses a seq the server
 * stored (the server would drop it as a duplicate). Until the first hello tells it lastSeq, the
 * samples wait unnumbered.
 */
export const createTelemetryRecorder = ({ backend, gpus, spool, now, log, unnumberedCapacity }: TelemetryRecorderOptions) => {
  let nextSeq = 0;
  let numbering = false;
  let unnumbered: Omit<Telemetry, "seq">[] = [];

  const record = async () => {
    const at = now();
    const readings = new Map((await backend.sample(at)).map((r) => [r.index, r]));
    const message = { v: 1 as const, at: at.toISOString(), gpus: [...gpus.values()].map((g) => toGpuSample(g, readings.get(g.index))) };
    if (numbering) {
      await spool.append({ ...message, seq: nextSeq++ });
      return;
    }
    unnumbered.push(message);
    if (unnumbered.length > unnumberedCapacity) {
      const dropped = unnumbered.shift();
      log.warn({ at: dropped?.at }, "telemetry buffer full; oldest sample dropped");
    }
  };

  const onHello = async (lastSeq: number | null) => {
    if (lastSeq !== null) nextSeq = Math.max(nextSeq, lastSeq + 1);
    if (numbering) return;
    numbering = true;
    const waiting = unnumbered;
    unnumbered = [];
    for (const message of waiting) await spool.append({ ...message, seq: nextSeq++ });
  };

  return { record, onHello, nextSeq: () => nextSeq };
};
export type TelemetryRecorder = ReturnType<typeof createTelemetryRecorder>;
