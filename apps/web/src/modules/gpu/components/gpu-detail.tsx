"use client";

import Link from "next/link";
import type { GpuView } from "@rigshift/protocol";
import { formatAgo, formatInt, formatMhs, formatVramGb } from "@/lib/format";
import { useNow } from "@/lib/use-now";
import { ModeBadge } from "@/modules/fleet/components/mode-badge";
import { LiveIndicator } from "@/modules/fleet/components/live-indicator";
import { useGpu } from "@/modules/fleet/hooks/use-fleet";
import { type GatewayTarget, useLive } from "@/modules/fleet/hooks/use-live";
import { GpuCharts } from "./gpu-charts";
import { GpuPlanning } from "./gpu-planning";

export type GpuDetailProps = {
  initialGpu: GpuView;
  renderedAt: number;
  rigName: string;
  siteName: string;
  gateway: GatewayTarget;
  /** Operators and admins may pin the GPU and set maintenance. */
  canPlan: boolean;
};

const Field = ({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) => (
  <div>
    <dt className="text-[11px] uppercase tracking-wide text-slate-500">{label}</dt>
    <dd data-testid={testId} className="tabular-nums text-slate-100">
      {children}
    </dd>
  </div>
);

/** One GPU: identity, live figures, what the planner wants of it and why, and the last hour's charts. */
export const GpuDetail = ({ initialGpu, renderedAt, rigName, siteName, gateway, canPlan }: GpuDetailProps) => {
  const gpu = useGpu(initialGpu.id, initialGpu, renderedAt).data ?? initialGpu;
  const live = useLive(gateway, [`gpu:${gpu.id}`]);
  const now = useNow();
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-lg font-semibold text-slate-100">
          <Link href="/" className="text-slate-400 hover:underline">
            {siteName} / {rigName}
          </Link>{" "}
          / GPU {gpu.index} · {gpu.model}
        </h1>
        <LiveIndicator state={live} />
      </div>
      <dl data-testid={`gpu-detail-${gpu.id}`} data-mode={gpu.mode} className="grid grid-cols-2 gap-3 rounded-lg border border-slate-800 bg-slate-900/40 p-3 text-sm sm:grid-cols-4 lg:grid-cols-7">
        <Field label="Mode">
          <ModeBadge mode={gpu.mode} testId="gpu-mode" />
        </Field>
        <Field label="Desired">{gpu.desiredMode}</Field>
        <Field label="Coin">{gpu.coin ?? "—"}</Field>
        <Field label="Hashrate MH/s" testId="gpu-hashrate">
          {formatMhs(gpu.hashrateHs)}
        </Field>
        <Field label="Temp °C" testId="gpu-temp">
          {formatInt(gpu.tempC)}
        </Field>
        <Field label="Power W" testId="gpu-power">
          {formatInt(gpu.powerW)}
        </Field>
        <Field label="Fan %">{formatInt(gpu.fanPct)}</Field>
        <Field label="Vendor">{gpu.vendor}</Field>
        <Field label="VRAM GB">{formatVramGb(gpu.vramMb)}</Field>
        <Field label="VRAM used MB">{formatInt(gpu.vramUsedMb)}</Field>
        <Field label="Util %">{formatInt(gpu.utilPct)}</Field>
        <Field label="UUID">
          <span className="break-all text-xs">{gpu.uuid ?? "—"}</span>
        </Field>
        <Field label="Last seen">{formatAgo(gpu.lastSeenAt, now)}</Field>
      </dl>
      <GpuPlanning gpu={gpu} canPlan={canPlan} />
      <GpuCharts gpuId={gpu.id} />
    </div>
  );
};
