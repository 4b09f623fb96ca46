"use client";

import Link from "next/link";
import { useMemo, useState } from "react";
import type { GpuView, PlanDecisionView } from "@rigshift/protocol";
import { useGpus, useRigs, useSites } from "@/modules/fleet/hooks/use-fleet";
import { useWorkloadNames } from "@/modules/workloads/hooks/use-workloads";
import { useLatestPlan, usePlanPreview } from "../hooks/use-plans";
import { describeTarget, chosenOption } from "../lib/format-plan";
import { BindingChip } from "./binding-chip";
import { LocalTime } from "./local-time";
import { OptionAmount } from "./option-amount";

const th = "px-2 py-1.5 text-left text-[11px] font-medium uppercase tracking-wide text-slate-400";
const td = "px-2 py-1 align-top";

const Stat = ({ label, value, testId }: { label: string; value: number; testId: string }) => (
  <div className="rounded-lg border border-slate-800 bg-slate-900/60 px-4 py-2">
    <div className="text-xs uppercase tracking-wide text-slate-400">{label}</div>
    <div data-testid={testId} className="text-xl font-semibold tabular-nums text-slate-100">
      {value}
    </div>
  </div>
);

type Row = { decision: PlanDecisionView; gpu: GpuView | undefined; place: string; heldBack: string | null };

/** "What if": the plan the planner would make now (nothing is recorded or commanded), beside the latest real one. */
export const WhatIfView = () => {
  const preview = usePlanPreview();
  const latest = useLatestPlan();
  const gpus = useGpus().data ?? [];
  const rigs = useRigs().data ?? [];
  const sites = useSites().data ?? [];
  const names = useWorkloadNames();
  const [onlyChanges, setOnlyChanges] = useState(false);

  const rows = useMemo((): Row[] => {
    if (!preview.data) return [];
    const gpuById = new Map(gpus.map((g) => [g.id, g]));
    const rigById = new Map(rigs.map((r) => [r.id, r]));
    const siteById = new Map(sites.map((s) => [s.id, s]));
    const held = new Map(preview.data.heldBack.map((h) => [h.gpuId, h.reason]));
    return preview.data.decisions
      .map((decision) => {
        const gpu = gpuById.get(decision.gpuId);
        const rig = gpu && rigById.get(gpu.rigId);
        const site = gpu && siteById.get(gpu.siteId);
        const place = gpu ? `${site?.name ?? "site"} / ${rig?.name ?? "rig"} #${gpu.index}` : decision.gpuId.slice(0, 8);
        return { decision, gpu, place, heldBack: held.get(decision.gpuId) ?? null };
      })
      .sort((a, b) => Number(b.decision.changed) - Number(a.decision.changed) || a.place.localeCompare(b.place, undefined, { numeric: true }));
  }, [preview.data, gpus, rigs, sites]);

  const shown = onlyChanges ? rows.filter((r) => r.decision.changed) : rows;
  const changes = rows.filter((r) => r.decision.changed).length;
  const gpuLabel = (id: string) => rows.find((r) => r.decision.gpuId === id)?.place ?? id.slice(0, 8);

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-lg font-semibold text-slate-100">What if the planner ran now?</h1>
        <button
          type="button"
          data-testid="whatif-refresh"
          onClick={() => void preview.refetch()}
          disabled={preview.isFetching}
          className="rounded border border-slate-700 bg-slate-800 px-3 py-1 text-sm font-medium text-slate-100 hover:bg-slate-700 disabled:opacity-40"
        >
          {preview.isFetching ? "Planning…" : "Run the preview again"}
        </button>
      </div>
      <p className="text-sm text-slate-400">
        A dry run of the next plan from the fleet, prices and queue as they are now: nothing is recorded and no GPU is switched. The scheduler
        records a real plan about once a minute.{" "}
        <span data-testid="whatif-latest-plan">
          {latest.data ? (
            <>
              Latest recorded plan: <LocalTime iso={latest.data.at} />, {latest.data.commandCount} switch command{latest.data.commandCount === 1 ? "" : "s"} issued.
            </>
          ) : latest.isPending ? (
            "Loading the latest plan…"
          ) : (
            "No plan recorded yet."
          )}
        </span>
      </p>

      {preview.isError ? (
        <p role="alert" data-testid="whatif-error" className="text-sm text-rose-300">
          The preview could not be made: {preview.error.message}
        </p>
      ) : null}
      {preview.isPending ? <p className="text-sm text-slate-400">Planning the whole fleet…</p> : null}

      {preview.data ? (
        <>
          <section className="grid grid-cols-2 gap-3 sm:grid-cols-4">
            <Stat label="GPUs planned" value={preview.data.gpuCount} testId="whatif-gpu-count" />
            <Stat label="Would switch" value={changes} testId="whatif-change-count" />
            <Stat label="Held back" value={preview.data.heldBack.length} testId="whatif-held-count" />
            <Stat label="Left out" value={preview.data.skipped.reduce((n, s) => n + s.gpuIds.length, 0)} testId="whatif-skipped-count" />
          </section>
          <div className="flex flex-wrap items-center gap-4 text-sm text-slate-400">
            <span>
              Preview made <LocalTime iso={preview.data.at} />.
            </span>
            <label className="flex items-center gap-1.5">
              <input type="checkbox" data-testid="whatif-only-changes" checked={onlyChanges} onChange={(e) => setOnlyChanges(e.target.checked)} className="accent-sky-500" />
              Only GPUs that would switch
            </label>
            <span className="text-xs">$/h: expected USD per hour, net of energy; the chosen option is green.</span>
          </div>

          <div className="overflow-x-auto rounded-lg border border-slate-800 bg-slate-900/40">
            <table className="w-full border-collapse text-sm">
              <thead className="border-b border-slate-800">
                <tr>
                  <th className={th}>GPU</th>
                  <th className={th}>Now</th>
                  <th className={th}>Next plan</th>
                  <th className={`${th} text-right`}>Hash $/h</th>
                  <th className={`${th} text-right`}>AI $/h</th>
                  <th className={`${th} text-right`}>Idle $/h</th>
                  <th className={th}>Why</th>
                </tr>
              </thead>
              <tbody>
                {shown.length === 0 ? (
                  <tr>
                    <td colSpan={7} className="px-2 py-3 text-center text-slate-400">
                      {onlyChanges ? "The next plan would switch no GPU." : "No GPU to plan."}
                    </td>
                  </tr>
                ) : null}
                {shown.map(({ decision: d, gpu, place, heldBack }) => {
                  const chosen = chosenOption(d);
                  return (
                    <tr
                      key={d.gpuId}
                      data-testid={`whatif-row-${d.gpuId}`}
                      data-changed={d.changed ? "true" : "false"}
                      className={`border-b border-slate-800/60 ${d.changed ? "bg-sky-950/30" : ""}`}
                    >
                      <td className={td}>
                        <Link href={`/gpus/${d.gpuId}`} className="text-sky-400 hover:underline">
                          {place}
                        </Link>
                        {gpu ? <div className="text-xs text-slate-500">{gpu.model}</div> : null}
                      </td>
                      <td className={`${td} whitespace-nowrap text-slate-300`}>{describeTarget(d.current, names)}</td>
                      <td data-testid="whatif-target" className={`${td} whitespace-nowrap ${d.changed ? "font-semibold text-sky-200" : "text-slate-400"}`}>
                        {d.changed ? `→ ${describeTarget(d.target, names)}` : "stays"}
                        {heldBack ? <div className="text-xs font-normal text-amber-300">held back: {heldBack}</div> : null}
                      </td>
                      <td className={`${td} text-right`}>
                        <OptionAmount testId="whatif-hash-usd" usd={d.options.hash?.usdPerHour ?? null} chosen={chosen === "hash"} note={d.options.hash?.coin} />
                      </td>
                      <td className={`${td} text-right`}>
                        <OptionAmount testId="whatif-ai-usd" usd={d.options.ai?.usdPerHour ?? null} chosen={chosen === "ai"} />
                        {d.options.ai ? <div className="text-[11px] text-slate-500">{names.get(d.options.ai.workloadId) ?? ""}</div> : null}
                      </td>
                      <td className={`${td} text-right`}>
                        <OptionAmount testId="whatif-idle-usd" usd={d.options.idleUsdPerHour} chosen={chosen === "idle"} />
                      </td>
                      <td className={td}>
                        <BindingChip binding={d.binding} />
                        <div data-testid="whatif-reason" className="mt-0.5 max-w-xl text-xs text-slate-400">
                          {d.reason}
                        </div>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>

          {preview.data.placements.length ? (
            <section className="space-y-1 text-sm">
              <h2 className="font-semibold text-slate-200">Where the AI work would run</h2>
              <ul data-testid="whatif-placements" className="list-inside list-disc text-slate-300">
                {preview.data.placements.map((p) => (
                  <li key={p.workloadId}>
                    {names.get(p.workloadId) ?? p.workloadId.slice(0, 8)}: {p.gpuIds.map(gpuLabel).join(", ")}
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          {preview.data.unplaced.length ? (
            <section className="space-y-1 text-sm">
              <h2 className="font-semibold text-slate-200">AI work that would stay queued</h2>
              <ul data-testid="whatif-unplaced" className="list-inside list-disc text-slate-300">
                {preview.data.unplaced.map((u) => (
                  <li key={u.workloadId}>
                    {names.get(u.workloadId) ?? u.workloadId.slice(0, 8)}: {u.reason}
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          {preview.data.skipped.length ? (
            <section className="space-y-1 text-sm">
              <h2 className="font-semibold text-slate-200">Left out of the plan</h2>
              <ul data-testid="whatif-skipped" className="list-inside list-disc text-slate-300">
                {preview.data.skipped.map((s, i) => (
                  <li key={i}>
                    {s.gpuIds.length} GPU{s.gpuIds.length === 1 ? "" : "s"}: {s.reason}
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
        </>
      ) : null}
    </div>
  );
};
