import type { GpuLive } from "@rigshift/protocol";

export type LiveGpuUpdate = { siteId: string; gpu: GpuLive };

/** The /live rooms a GPU's update goes to: the whole fleet, its site, its rig and itself. */
export const roomsOf = ({ siteId, gpu }: LiveGpuUpdate) => ["fleet", `site:${siteId}`, `rig:${gpu.rigId}`, `gpu:${gpu.gpuId}`];
