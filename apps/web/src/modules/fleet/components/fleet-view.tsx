"use client";

import { useCallback, useMemo, useState } from "react";
import type { GpuView, RigView, SiteView } from "@rigshift/protocol";
import { formatAgo, formatKw } from "@/lib/format";
import { useNow } from "@/lib/use-now";
import { useGpus, useRigs, useSites } from "../hooks/use-fleet";
import { rigLastSeenAt } from "../lib/rig-seen";
import { type GatewayTarget, useLive } from "../hooks/use-live";
import { CommandBar } from "./command-bar";
import { FleetTiles } from "./fleet-tiles";
import { GpuTable } from "./gpu-table";
import { LiveIndicator } from "./live-indicator";

export type FleetViewProps = {
  initialSites: SiteView[];
  initialRigs: RigView[];
  initialGpus: GpuView[];
  renderedAt: number;
  canCommand: boolean;
  gateway: GatewayTarget;
};

const FLEET_ROOMS = ["fleet"];

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

/** The live fleet: totals, then sites → rigs → GPUs, with switch controls for operators. */
export const FleetView = ({ initialSites, initialRigs, initialGpus, renderedAt, canCommand, gateway }: FleetViewProps) => {
  const sites = useSites(initialSites, renderedAt).data ?? [];
  const rigs = useRigs(initialRigs, renderedAt).data ?? [];
  const gpus = useGpus(initialGpus, renderedAt).data ?? [];
  const live = useLive(gateway, FLEET_ROOMS);
  const now = useNow();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());

  const toggle = useCallback((ids: string[], on: boolean) => {
    setSelected((prev) => {
      const next = new Set(prev);
      for (const id of ids) if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }, []);

  const gpusByRig = useMemo(() => {
    const map = new Map<string, GpuView[]>();
    for (const g of gpus) map.set(g.rigId, [...(map.get(g.rigId) ?? []), g]);
    return map;
  }, [gpus]);

  // Selection survives refetches, but only for GPUs that still exist.
  const selectedIds = gpus.filter((g) => selected.has(g.id)).map((g) => g.id);

  return (
    <div className="space-y-4">
      <div className="flex items-baseline justify-between">
        <h1 className="text-lg font-semibold text-slate-100">Fleet</h1>
        <LiveIndicator state={live} />
      </div>
      <FleetTiles gpus={gpus} />
      {canCommand ? <CommandBar selected={selectedIds} onSent={() => setSelected(new Set())} /> : null}
      {sites.length === 0 ? <p className="text-sm text-slate-400">No sites yet. Add a site and enrol a rig to see it here.</p> : null}
      {sites.map((site) => {
        const siteRigs = rigs.filter((r) => r.siteId === site.id);
        const sitePowerW = siteRigs.flatMap((r) => gpusByRig.get(r.id) ?? []).reduce((sum, g) => sum + (g.powerW ?? 0), 0);
        return (
          <section key={site.id} data-testid={`site-${site.id}`} className="space-y-2">
            <h2 className="flex flex-wrap items-baseline gap-x-3 border-b border-slate-800 pb-1 text-base font-semibold text-slate-100">
              {site.name}
              <span className="text-xs font-normal text-slate-400">
                {site.timezone} · {plural(site.rigCount, "rig")} · {plural(site.gpuCount, "GPU")} · {formatKw(sitePowerW)} / {site.powerCapKw} kW cap
              </span>
            </h2>
            {siteRigs.map((rig) => {
              const rigGpus = gpusByRig.get(rig.id) ?? [];
              return (
                <div key={rig.id} data-testid={`rig-${rig.id}`} className="rounded-lg border border-slate-800 bg-slate-900/40">
                  <div className="flex flex-wrap items-baseline gap-x-3 px-3 py-1.5 text-sm">
                    <span className="font-medium text-slate-200">{rig.name}</span>
                    <span className="text-xs text-slate-500">
                      {rig.hostname ?? "no hostname"} · agent {rig.agentVersion ?? "—"} · {rig.enrolled ? "enrolled" : "not enrolled"} · seen{" "}
                      <span data-testid={`rig-seen-${rig.id}`}>{formatAgo(rigLastSeenAt(rig, rigGpus), now)}</span>
                    </span>
                  </div>
                  {rigGpus.length ? (
                    <GpuTable gpus={rigGpus} now={now} selectable={canCommand} selected={selected} onToggle={toggle} />
                  ) : (
                    <p className="px-3 pb-2 text-xs text-slate-500">No GPUs reported yet.</p>
                  )}
                </div>
              );
            })}
          </section>
        );
      })}
    </div>
  );
};
