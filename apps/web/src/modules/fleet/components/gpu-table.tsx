"use client";

import Link from "next/link";
import type { GpuView } from "@rigshift/protocol";
import { formatAgo, formatInt, formatMhs, formatVramGb } from "@/lib/format";
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

/** One rig's GPUs: a dense row each, with the live figures operators watch. */
export const GpuTable = ({ gpus, now, selectable, selected, onToggle }: Props) => {
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
