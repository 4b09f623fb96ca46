import { Gauge, Registry } from "prom-client";
import { listGpuViews, listRigViews, listSiteViews } from "@rigshift/db";
import { ZGpuMode, type GpuView } from "@rigshift/protocol";
import { authorize } from "../auth";
import type { ApiDeps } from "../deps";
import { route } from "../http";

type Labels = { site: string; rig: string; gpu: string; uuid: string; model: string };

const READINGS = [
  { name: "rigshift_gpu_temp_celsius", help: "GPU temperature in degrees C", of: (g: GpuView) => g.tempC },
  { name: "rigshift_gpu_power_watts", help: "GPU power draw in W", of: (g: GpuView) => g.powerW },
  { name: "rigshift_gpu_hashrate_hashes_per_second", help: "GPU hashrate in H/s while hashing", of: (g: GpuView) => g.hashrateHs },
  { name: "rigshift_gpu_fan_percent", help: "GPU fan speed in %", of: (g: GpuView) => g.fanPct },
  { name: "rigshift_gpu_utilization_percent", help: "GPU utilisation in %", of: (g: GpuView) => g.utilPct },
  { name: "rigshift_gpu_framebuffer_used_mb", help: "GPU VRAM in use in MB", of: (g: GpuView) => g.vramUsedMb },
] as const;

/**
 * Per-GPU gauges in the style of NVIDIA's DCGM exporter, for a Prometheus scraping the whole
 * fleet from one place. A reading the GPU did not report is left out, never exported as 0.
 */
export const fleetMetricsText = async (gpus: GpuView[], names: { site: Map<string, string>; rig: Map<string, string> }) => {
  const registry = new Registry();
  const labelNames = ["site", "rig", "gpu", "uuid", "model"] as const;
  const labelsOf = (g: GpuView): Labels => ({
    site: names.site.get(g.siteId) ?? g.siteId,
    rig: names.rig.get(g.rigId) ?? g.rigId,
    gpu: String(g.index),
    uuid: g.uuid ?? g.id,
    model: g.model,
  });
  for (const r of READINGS) {
    const gauge = new Gauge({ name: r.name, help: r.help, labelNames, registers: [registry] });
    for (const g of gpus) {
      const v = r.of(g);
      if (v !== null) gauge.set(labelsOf(g), v);
    }
  }
  const mode = new Gauge({ name: "rigshift_gpu_mode", help: "1 for the GPU's current mode, 0 for the others", labelNames: [...labelNames, "mode"], registers: [registry] });
  const lastSeen = new Gauge({ name: "rigshift_gpu_last_seen_timestamp_seconds", help: "When the GPU last reported", labelNames, registers: [registry] });
  for (const g of gpus) {
    for (const m of ZGpuMode.options) mode.set({ ...labelsOf(g), mode: m }, g.mode === m ? 1 : 0);
    if (g.lastSeenAt) lastSeen.set(labelsOf(g), Date.parse(g.lastSeenAt) / 1000);
  }
  return { text: await registry.metrics(), contentType: registry.contentType };
};

/** GET /api/v1/metrics — the fleet's per-GPU gauges, for anyone who may read the fleet (an API token in Prometheus). */
export const metricsRoutes = (deps: ApiDeps) => ({
  fleetMetrics: route(deps, async (request) => {
    await authorize(deps, request, "fleet:read");
    const [gpus, sites, rigs] = await Promise.all([listGpuViews(deps.db, deps.liveStore), listSiteViews(deps.db), listRigViews(deps.db)]);
    const { text, contentType } = await fleetMetricsText(gpus, {
      site: new Map(sites.map((s) => [s.id, s.name])),
      rig: new Map(rigs.map((r) => [r.id, r.name])),
    });
    return new Response(text, { status: 200, headers: { "content-type": contentType, "cache-control": "no-store" } });
  }),
});
