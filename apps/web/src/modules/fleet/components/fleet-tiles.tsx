import type { GpuView } from "@rigshift/protocol";
import { formatHashrate, formatKw } from "@/lib/format";

const Tile = ({ label, value, sub, testId }: { label: string; value: string; sub?: string; testId: string }) => (
  <div className="rounded-lg border border-slate-800 bg-slate-900/60 px-4 py-3">
    <div className="text-xs uppercase tracking-wide text-slate-400">{label}</div>
    <div data-testid={testId} className="mt-1 text-2xl font-semibold tabular-nums text-slate-100">
      {value}
    </div>
    {sub ? <div className="text-xs text-slate-500">{sub}</div> : null}
  </div>
);

/** Fleet totals at a glance: how many GPUs do what, and what the fleet hashes and draws now. */
export const FleetTiles = ({ gpus }: { gpus: GpuView[] }) => {
  const count = (pred: (g: GpuView) => boolean) => gpus.filter(pred).length;
  const switching = count((g) => g.mode.startsWith("DRAINING_") || g.mode.startsWith("STARTING_"));
  const hashrateHs = gpus.reduce((sum, g) => sum + (g.hashrateHs ?? 0), 0);
  const powerW = gpus.reduce((sum, g) => sum + (g.powerW ?? 0), 0);
  return (
    <section className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
      <Tile label="Hashing" testId="tile-hashing" value={String(count((g) => g.mode === "HASHING"))} sub={`of ${gpus.length} GPUs`} />
      <Tile label="AI" testId="tile-ai" value={String(count((g) => g.mode === "AI"))} sub={switching ? `${switching} switching` : undefined} />
      <Tile label="Idle" testId="tile-idle" value={String(count((g) => g.mode === "IDLE"))} />
      <Tile label="Offline" testId="tile-offline" value={String(count((g) => g.mode === "OFFLINE"))} />
      <Tile label="Total hashrate" testId="tile-hashrate" value={formatHashrate(hashrateHs)} />
      <Tile label="Total power" testId="tile-power" value={`${formatKw(powerW)} kW`} />
    </section>
  );
};
