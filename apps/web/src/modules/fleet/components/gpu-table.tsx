"use client";

import Link from "next/link";
import type { GpuView, PlanDecisionView } from "@rigshift/protocol";
import { formatAgo, formatInt, formatMhs, formatVramGb } from "@/lib/format";
import { BindingChip } from "@/modules/planning/components/binding-chip";
import { LocalTime } from "@/modules/planning/components/local-time";
import { OptionAmount } from "@/modules/planning/components/option-amount";
import { useLatestPlan } from "@/modules/planning/hooks/use-plans";
import { decisionsByGpu, describeTarget, chosenOption, type WorkloadNames } from "@/modules/planning/lib/format-plan";
import { useWorkloadNames } from "@/modules/workloads/hooks/use-workloads";
import { ModeBadge } from "./mode-badge";

type Props = {
  gpus: GpuView[];
  now: number | null;
  selectable: boolean;
  selected: ReadonlySet<string>;
  onToggle: (gpuIds: string[], on: boolean) => void;
};

const th = "px-2 py-1.5 text-left text-[11px] font-medium uppercase tracking-wide text-slate-400";
const td = "px-2 py-1 tabular-nums";

type PlanCellsProps = { gpu: GpuView; decision: PlanDecisionView | undefined; hasPlan: boolean; workloadNames: WorkloadNames };

const overrideChip = "ml-1 inline-block whitespace-nowrap rounded px-1.5 py-0.5 text-[11px] font-medium ring-1 ring-inset";

/**
 * The operator's overrides as they are now (they may be newer than the plan): a pin with its end,
 * maintenance. Without them a GPU just pinned would still show the plan's older target alone.
 */
const Overrides = ({ gpu, decision, workloadNames }: { gpu: GpuView; decision: PlanDecisionView | undefined; workloadNames: WorkloadNames }) => (
  <>
    {gpu.pin ? (
      <span
        data-testid="gpu-pinned"
        title={`Pinned to ${describeTarget(gpu.pin.target, workloadNames)} until ${gpu.pin.until}${decision && decision.binding !== "pinned" ? "; pinned after this plan was made, the next plan keeps the pin" : ""}`}
        className={`${overrideChip} bg-sky-500/15 text-sky-300 ring-sky-500/40`}
      >
        pinned → {describeTarget(gpu.pin.target, workloadNames)} until <LocalTime iso={gpu.pin.until} relative={false} short />
      </span>
    ) : null}
    {gpu.maintenance ? (
      <span data-testid="gpu-maintenance" className={`${overrideChip} bg-amber-500/15 text-amber-300 ring-amber-500/40`}>
        maintenance
      </span>
    ) : null}
  </>
);

/** Target, binding rule and the three options' $/h of one GPU in the latest plan. */
const PlanCells = ({ gpu, decision: d, hasPlan, workloadNames }: PlanCellsProps) => {
  if (!d) {
    return (
      <td colSpan={4} data-testid="gpu-plan" className="px-2 py-1 text-xs text-slate-500">
        {hasPlan ? "not in the latest plan" : "no plan yet"}
        <Overrides gpu={gpu} decision={d} workloadNames={workloadNames} />
      </td>
    );
  }
  const chosen = chosenOption(d);
  return (
    <>
      <td data-testid="gpu-plan" data-target={d.target.mode} title={d.reason} className="px-2 py-1">
        <span className="mr-1.5 whitespace-nowrap text-slate-200">{describeTarget(d.target, workloadNames)}</span>
        <BindingChip binding={d.binding} reason={d.reason} />
        <Overrides gpu={gpu} decision={d} workloadNames={workloadNames} />
      </td>
      <td className={`${td} text-right`}>
        <OptionAmount testId="gpu-hash-usd" usd={d.options.hash?.usdPerHour ?? null} chosen={chosen === "hash"} note={d.options.hash?.coin} />
      </td>
      <td className={`${td} text-right`}>
        <OptionAmount testId="gpu-ai-usd" usd={d.options.ai?.usdPerHour ?? null} chosen={chosen === "ai"} />
      </td>
      <td className={`${td} text-right`}>
        <OptionAmount testId="gpu-idle-usd" usd={d.options.idleUsdPerHour} chosen={chosen === "idle"} />
      </td>
    </>
  );
};

const PER_HOUR = "expected USD per hour, net of energy, in the latest plan";

/** One rig's GPUs: a dense row each, with the live figures operators watch and what the planner wants of each. */
export const GpuTable = ({ gpus, now, selectable, selected, onToggle }: Props) => {
  const plan = useLatestPlan().data ?? null;
  const decisions = decisionsByGpu(plan?.decisions);
  const workloadNames = useWorkloadNames();
  const allOn = gpus.length > 0 && gpus.every((g) => selected.has(g.id));
  return (
    <table className="w-full border-collapse text-sm">
      <thead className="border-b border-slate-800">
        <tr>
          {selectable ? (
            <th className={`${th} w-8`}>
              <input
                type="checkbox"
                aria-label="select all GPUs of this rig"
                checked={allOn}
                onChange={(e) => onToggle(gpus.map((g) => g.id), e.target.checked)}
                className="accent-sky-500"
              />
            </th>
          ) : null}
          <th className={th}>#</th>
          <th className={th}>Model</th>
          <th className={`${th} text-right`}>VRAM GB</th>
          <th className={th}>Mode</th>
          <th className={th}>Coin</th>
          <th className={th} title="What the latest plan wants this GPU to do, and the rule that decided it (hover for the reason)">
            Plan target · why
          </th>
          <th className={`${th} text-right`} title={`Hashing the best coin for this card: ${PER_HOUR}`}>
            Hash $/h
          </th>
          <th className={`${th} text-right`} title={`Running the best AI workload that fits: ${PER_HOUR}`}>
            AI $/h
          </th>
          <th className={`${th} text-right`} title={`Idle (draws idle power): ${PER_HOUR}`}>
            Idle $/h
          </th>
          <th className={`${th} text-right`}>MH/s</th>
          <th className={`${th} text-right`}>Temp °C</th>
          <th className={`${th} text-right`}>Power W</th>
          <th className={`${th} text-right`}>Fan %</th>
          <th className={th}>Last seen</th>
        </tr>
      </thead>
      <tbody>
        {gpus.map((g) => (
          <tr
            key={g.id}
            data-testid={`gpu-row-${g.id}`}
            data-mode={g.mode}
            className={`border-b border-slate-800/60 hover:bg-slate-800/40 ${selected.has(g.id) ? "bg-sky-950/40" : ""}`}
          >
            {selectable ? (
              <td className={td}>
                <input
                  type="checkbox"
                  data-testid={`gpu-select-${g.id}`}
                  aria-label={`select GPU ${g.index}`}
                  checked={selected.has(g.id)}
                  onChange={(e) => onToggle([g.id], e.target.checked)}
                  className="accent-sky-500"
                />
              </td>
            ) : null}
            <td className={td}>
              <Link href={`/gpus/${g.id}`} className="text-sky-400 hover:underline">
                {g.index}
              </Link>
            </td>
            <td className="px-2 py-1">
              <Link href={`/gpus/${g.id}`} className="hover:underline">
                {g.model}
              </Link>
            </td>
            <td className={`${td} text-right`}>{formatVramGb(g.vramMb)}</td>
            <td className="px-2 py-1">
              <ModeBadge mode={g.mode} testId="gpu-mode" />
              {g.desiredMode !== g.mode && g.mode !== "OFFLINE" ? <span className="ml-1 text-xs text-slate-500">→ {g.desiredMode}</span> : null}
            </td>
            <td className="px-2 py-1 text-slate-300">{g.coin ?? "—"}</td>
            <PlanCells gpu={g} decision={decisions.get(g.id)} hasPlan={plan !== null} workloadNames={workloadNames} />
            <td data-testid="gpu-hashrate" className={`${td} text-right`}>
              {formatMhs(g.hashrateHs)}
            </td>
            <td data-testid="gpu-temp" className={`${td} text-right ${g.tempC !== null && g.tempC >= 80 ? "text-rose-400" : ""}`}>
              {formatInt(g.tempC)}
            </td>
            <td data-testid="gpu-power" className={`${td} text-right`}>
              {formatInt(g.powerW)}
            </td>
            <td className={`${td} text-right`}>{formatInt(g.fanPct)}</td>
            <td className="px-2 py-1 text-xs text-slate-400">{formatAgo(g.lastSeenAt, now)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
};
