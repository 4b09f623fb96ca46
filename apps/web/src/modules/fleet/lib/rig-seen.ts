import type { GpuView, RigView } from "@rigshift/protocol";

/**
 * When the rig was last heard from: its own last-seen, or its newest GPU reading if that is later.
 * Live updates carry GPUs, not rigs, so the rig's own field only moves when the fleet list is
 * fetched again; on its own, a rig reporting every few seconds would read "seen 30 s ago".
 */
export const rigLastSeenAt = (rig: Pick<RigView, "lastSeenAt">, gpus: readonly Pick<GpuView, "lastSeenAt">[]): string | null => {
  let latest = rig.lastSeenAt;
  for (const { lastSeenAt } of gpus) {
    if (lastSeenAt && (latest === null || Date.parse(lastSeenAt) > Date.parse(latest))) latest = lastSeenAt;
  }
  return latest;
};
