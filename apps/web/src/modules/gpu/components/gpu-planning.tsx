"use client";

import { useState } from "react";
import type { GpuView } from "@rigshift/protocol";
import { formatVramGb } from "@/lib/format";
import { BindingChip } from "@/modules/planning/components/binding-chip";
import { LocalTime } from "@/modules/planning/components/local-time";
import { OptionAmount } from "@/modules/planning/components/option-amount";
import { useCoins, useGpuPlanning, useLatestPlan, usePinGpu, useSetMaintenance, useUnpinGpu } from "@/modules/planning/hooks/use-plans";
import { describeTarget, chosenOption } from "@/modules/planning/lib/format-plan";
import { fromLocalInput, toLocalInput } from "@/modules/planning/lib/local-time";
import { useWorkloadNames, useWorkloads } from "@/modules/workloads/hooks/use-workloads";

const HOUR_MS = 3_600_000;
const input = "rounded border border-slate-700 bg-slate-900 px-2 py-1 text-sm text-slate-100";
const button = "rounded border border-slate-700 bg-slate-800 px-3 py-1 text-sm font-medium text-slate-100 hover:bg-slate-700 disabled:opacity-40";

const Option = ({ label, children }: { label: React.ReactNode; children: React.ReactNode }) => (
  <div className="rounded border border-slate-800 bg-slate-950/40 px-3 py-2">
    <div className="text-[11px] uppercase tracking-wide text-slate-500">{label}</div>
    <div className="text-base">{children}</div>
  </div>
);

/** What the latest plan wants of this GPU, each option's $/h, and why. */
const PlanDecision = ({ gpuId }: { gpuId: string }) => {
  const plan = useLatestPlan();
  const names = useWorkloadNames();
  const overrides = useGpuPlanning(gpuId).data;
  if (plan.isPending) return <p className="text-sm text-slate-400">Loading the latest plan…</p>;
  if (plan.isError) return <p className="text-sm text-rose-300">The latest plan could not be loaded: {plan.error.message}</p>;
  if (!plan.data) return <p className="text-sm text-slate-400">No plan recorded yet: the scheduler plans about once a minute.</p>;
  const d = plan.data.decisions.find((x) => x.gpuId === gpuId);
  if (!d) {
    const skip = plan.data.skipped.find((s) => s.gpuIds.includes(gpuId));
    return <p className="text-sm text-slate-400">Not in the latest plan{skip ? `: ${skip.reason}` : ""}.</p>;
  }
  const chosen = chosenOption(d);
  return (
    <div data-testid="gpu-plan-decision" data-binding={d.binding} className="space-y-2">
      <p data-testid="gpu-plan-target" className="text-sm text-slate-200">
        {d.changed ? (
          <>
            <span className="text-slate-400">Switching from </span>
            {describeTarget(d.current, names)}
            <span className="text-slate-400"> to </span>
            <span className="font-semibold">{describeTarget(d.target, names)}</span>
          </>
        ) : (
          <>
            <span className="text-slate-400">Stays on </span>
            <span className="font-semibold">{describeTarget(d.target, names)}</span>
          </>
        )}{" "}
        <BindingChip binding={d.binding} />
      </p>
      <p data-testid="gpu-plan-reason" className="text-sm text-slate-300">
        {d.reason}
      </p>
      {/* A pin or maintenance set since this plan: say so, or the page contradicts itself for up to a minute. */}
      {overrides?.pin && d.binding !== "pinned" ? (
        <p data-testid="gpu-plan-stale" className="text-sm text-amber-300">
          This plan was made before the GPU was pinned; the next plan (within about a minute) keeps the pin.
        </p>
      ) : overrides?.maintenance && d.binding !== "maintenance" ? (
        <p data-testid="gpu-plan-stale" className="text-sm text-amber-300">
          This plan was made before the GPU went into maintenance; the next plan leaves it alone.
        </p>
      ) : null}
      <div className="grid gap-2 sm:grid-cols-3">
        <Option label={`Hash${d.options.hash ? ` · ${d.options.hash.coin} (best coin)` : ""} · $/h`}>
          <OptionAmount testId="gpu-hash-usd" usd={d.options.hash?.usdPerHour ?? null} chosen={chosen === "hash"} />
        </Option>
        <Option label={`AI${d.options.ai ? ` · ${names.get(d.options.ai.workloadId) ?? "workload"}` : ""} · $/h`}>
          <OptionAmount testId="gpu-ai-usd" usd={d.options.ai?.usdPerHour ?? null} chosen={chosen === "ai"} />
        </Option>
        <Option label="Idle · $/h">
          <OptionAmount testId="gpu-idle-usd" usd={d.options.idleUsdPerHour} chosen={chosen === "idle"} />
        </Option>
      </div>
      <p className="text-xs text-slate-500">
        Expected USD per hour, net of energy, from the plan of <LocalTime iso={plan.data.at} />.
      </p>
    </div>
  );
};

type PinMode = "HASHING" | "AI" | "IDLE";

/** Pin the GPU to a target until a time; the API refuses what cannot be pinned and says why. */
const PinForm = ({ gpu }: { gpu: GpuView }) => {
  const pin = usePinGpu(gpu.id);
  const coins = useCoins();
  const workloads = useWorkloads();
  const [mode, setMode] = useState<PinMode>("HASHING");
  const [coin, setCoin] = useState(gpu.coin ?? "");
  const [workloadId, setWorkloadId] = useState("");
  const [until, setUntil] = useState(() => toLocalInput(new Date(Date.now() + 4 * HOUR_MS)));
  const [error, setError] = useState<string | null>(null);

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const untilIso = fromLocalInput(until);
    if (!untilIso) return setError("until: pick a date and time");
    if (Date.parse(untilIso) <= Date.now()) return setError("until: must be in the future");
    if (mode === "HASHING" && !coin) return setError("coin: pick the coin to hash");
    if (mode === "AI" && !workloadId) return setError("workload: pick the workload to run");
    setError(null);
    pin.mutate({ mode, until: untilIso, ...(mode === "HASHING" ? { coin } : {}), ...(mode === "AI" ? { workloadId } : {}) });
  };

  const coinSymbols = [...new Set((coins.data ?? []).map((c) => c.symbol))].sort();
  return (
    <form onSubmit={submit} data-testid="pin-form" className="flex flex-wrap items-end gap-2">
      <label className="flex flex-col gap-1 text-xs text-slate-400">
        Pin to
        <select data-testid="pin-mode" value={mode} onChange={(e) => setMode(e.target.value as PinMode)} className={input}>
          <option value="HASHING">Hashing</option>
          <option value="AI">AI workload</option>
          <option value="IDLE">Idle</option>
        </select>
      </label>
      {mode === "HASHING" ? (
        <label className="flex flex-col gap-1 text-xs text-slate-400">
          Coin
          <select data-testid="pin-coin" value={coin} onChange={(e) => setCoin(e.target.value)} className={input}>
            <option value="">choose…</option>
            {coinSymbols.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {mode === "AI" ? (
        <label className="flex flex-col gap-1 text-xs text-slate-400">
          Workload
          <select data-testid="pin-workload" value={workloadId} onChange={(e) => setWorkloadId(e.target.value)} className={input}>
            <option value="">choose…</option>
            {(workloads.data ?? []).map((w) => (
              <option key={w.id} value={w.id} disabled={w.minVramMb > gpu.vramMb}>
                {w.name} · {w.customer}
                {w.minVramMb > gpu.vramMb ? ` (needs ${formatVramGb(w.minVramMb)} GB)` : ""}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <label className="flex flex-col gap-1 text-xs text-slate-400">
        Until (your local time)
        <input type="datetime-local" data-testid="pin-until" value={until} onChange={(e) => setUntil(e.target.value)} className={input} />
      </label>
      <button type="submit" data-testid="pin-submit" disabled={pin.isPending} className={button}>
        Pin
      </button>
      {error || pin.isError ? (
        <p role="alert" data-testid="pin-error" className="basis-full text-sm text-rose-300">
          {error ?? pin.error?.message}
        </p>
      ) : null}
    </form>
  );
};

/** Pin and maintenance: the state for everyone, the controls for operators and admins. */
const Overrides = ({ gpu, canPlan }: { gpu: GpuView; canPlan: boolean }) => {
  const state = useGpuPlanning(gpu.id);
  const names = useWorkloadNames();
  const unpin = useUnpinGpu(gpu.id);
  const maintenance = useSetMaintenance(gpu.id);
  const [note, setNote] = useState("");
  if (state.isPending) return <p className="text-sm text-slate-400">Loading pin and maintenance…</p>;
  if (state.isError) return <p className="text-sm text-rose-300">Pin and maintenance could not be loaded: {state.error.message}</p>;
  const s = state.data;
  return (
    <div className="space-y-3">
      <div data-testid="gpu-pin-state" data-pinned={s.pin ? "true" : "false"} className="flex flex-wrap items-center gap-2 text-sm">
        {s.pin ? (
          <>
            <span className="rounded bg-sky-500/15 px-1.5 py-0.5 text-xs font-medium text-sky-300 ring-1 ring-inset ring-sky-500/40">pinned</span>
            <span className="text-slate-200">
              {describeTarget(s.pin.target, names)} until <LocalTime iso={s.pin.until} />
            </span>
            {canPlan ? (
              <button type="button" data-testid="unpin" disabled={unpin.isPending} onClick={() => unpin.mutate(undefined)} className={button}>
                Unpin
              </button>
            ) : null}
          </>
        ) : (
          <span className="text-slate-400">Not pinned: the planner decides.</span>
        )}
        {unpin.isError ? <span className="text-rose-300">{unpin.error.message}</span> : null}
      </div>
      <div data-testid="gpu-maintenance-state" data-maintenance={s.maintenance ? "true" : "false"} className="flex flex-wrap items-center gap-2 text-sm">
        {s.maintenance ? (
          <>
            <span className="rounded bg-amber-500/15 px-1.5 py-0.5 text-xs font-medium text-amber-300 ring-1 ring-inset ring-amber-500/40">maintenance</span>
            <span className="text-slate-300">{s.maintenanceNote ?? "no note"} — the planner leaves this GPU alone.</span>
          </>
        ) : (
          <span className="text-slate-400">Not in maintenance.</span>
        )}
        {canPlan ? (
          s.maintenance ? (
            <button
              type="button"
              data-testid="maintenance-off"
              disabled={maintenance.isPending}
              onClick={() => maintenance.mutate({ enabled: false, note: null })}
              className={button}
            >
              End maintenance
            </button>
          ) : (
            <>
              <input
                data-testid="maintenance-note"
                placeholder="note (e.g. fan replacement)"
                value={note}
                maxLength={500}
                onChange={(e) => setNote(e.target.value)}
                className={`${input} w-64`}
              />
              <button
                type="button"
                data-testid="maintenance-on"
                disabled={maintenance.isPending}
                onClick={() => maintenance.mutate({ enabled: true, note: note.trim() || null })}
                className={button}
              >
                Start maintenance
              </button>
            </>
          )
        ) : null}
        {maintenance.isError ? <span className="text-rose-300">{maintenance.error.message}</span> : null}
      </div>
      {canPlan ? <PinForm gpu={gpu} /> : null}
    </div>
  );
};

/** The GPU page's planning panel. */
export const GpuPlanning = ({ gpu, canPlan }: { gpu: GpuView; canPlan: boolean }) => (
  <section className="grid gap-3 lg:grid-cols-2">
    <div className="rounded-lg border border-slate-800 bg-slate-900/40 p-3">
      <h2 className="mb-2 text-sm font-semibold text-slate-200">Planner</h2>
      <PlanDecision gpuId={gpu.id} />
    </div>
    <div className="rounded-lg border border-slate-800 bg-slate-900/40 p-3">
      <h2 className="mb-2 text-sm font-semibold text-slate-200">Pin and maintenance</h2>
      <Overrides gpu={gpu} canPlan={canPlan} />
    </div>
  </section>
);
