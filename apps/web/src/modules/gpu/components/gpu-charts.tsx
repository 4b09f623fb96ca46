"use client";

import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useGpuSamples } from "@/modules/fleet/hooks/use-fleet";

const LAST_HOUR_MS = 3_600_000;

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

type Point = { t: number; mhs: number | null; tempC: number | null; powerW: number | null };

const SERIES = [
  { key: "mhs", label: "Hashrate", unit: "MH/s", color: "#fbbf24", digits: 2 },
  { key: "tempC", label: "Temperature", unit: "°C", color: "#f87171", digits: 0 },
  { key: "powerW", label: "Power", unit: "W", color: "#38bdf8", digits: 0 },
] as const;

/** Hashrate, temperature and power of one GPU over the last hour, one small chart each (UTC axis). */
export const GpuCharts = ({ gpuId }: { gpuId: string }) => {
  const samples = useGpuSamples(gpuId, LAST_HOUR_MS);
  if (samples.isPending) return <p className="text-sm text-slate-400">Loading samples…</p>;
  if (samples.isError) return <p className="text-sm text-rose-300">Samples could not be loaded: {samples.error.message}</p>;

  const { from, to } = samples.data;
  const points: Point[] = samples.data.samples.map((s) => ({
    t: Date.parse(s.at),
    mhs: s.hashrateHs === null ? null : s.hashrateHs / 1e6,
    tempC: s.tempC,
    powerW: s.powerW,
  }));
  if (points.length === 0) return <p data-testid="gpu-chart-empty" className="text-sm text-slate-400">No telemetry in the last hour.</p>;

  return (
    <div data-testid="gpu-chart" className="grid gap-3 lg:grid-cols-3">
      {SERIES.map((s) => (
        <figure key={s.key} className="rounded-lg border border-slate-800 bg-slate-900/40 p-2">
          <figcaption className="mb-1 text-xs text-slate-400">
            {s.label} ({s.unit})
          </figcaption>
          <ResponsiveContainer width="100%" height={180}>
            <LineChart data={points} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
              <CartesianGrid stroke="#1e293b" />
              <XAxis dataKey="t" type="number" domain={[Date.parse(from), Date.parse(to)]} tickFormatter={hhmm} stroke="#64748b" fontSize={11} />
              <YAxis stroke="#64748b" fontSize={11} width={44} />
              <Tooltip
                contentStyle={{ background: "#0f172a", border: "1px solid #334155", fontSize: 12 }}
                labelFormatter={(t) => `${new Date(Number(t)).toISOString().slice(0, 16).replace("T", " ")} UTC`}
                formatter={(v) => [typeof v === "number" ? `${v.toFixed(s.digits)} ${s.unit}` : "—", s.label]}
              />
              <Line type="monotone" dataKey={s.key} stroke={s.color} dot={false} isAnimationActive={false} connectNulls={false} />
            </LineChart>
          </ResponsiveContainer>
        </figure>
      ))}
    </div>
  );
};
