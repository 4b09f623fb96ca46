import { touchRigs, updateGpuModes, type GpuLiveStore, type PrismaClient, type TelemetryMessageRow } from "@rigshift/db";
import type { GpuLive, GpuMode } from "@rigshift/protocol";
import type { LiveFanout } from "./live-fanout";
import type { LiveGpuUpdate } from "./live-rooms";
import type { RigConnection } from "./rig-registry";

/** How often a rig's last-seen is written while its telemetry flows. */
const TOUCH_EVERY_MS = 30_000;

/** A telemetry message on its way to the store, with the connection of the rig that sent it. */
export type RigTelemetry = { message: TelemetryMessageRow; conn: RigConnection };

/**
 * What follows a stored batch of telemetry, for the whole batch at once: each rig's newest
 * message becomes its GPUs' live state (one Redis HSET, and the browsers' fan-out), GPU rows
 * whose mode changed are updated (one UPDATE) and rigs' last-seen is touched (one UPDATE).
 * A batch holds several messages of a rig (an agent keeps 16 in flight): only the newest one
 * shows, so the others cost nothing here. A replayed backlog older than what a rig already
 * shows does not overwrite it.
 *
 * The batcher runs this after each write, in order, while the next batch is written, and acks
 * the batch's messages once it is done: an ack still means "stored and shown live".
 */
export const createRigStateWriter = ({ db, live, fanout, now }: { db: PrismaClient; live: GpuLiveStore; fanout: LiveFanout; now: () => Date }) =>
  async (batch: readonly RigTelemetry[]) => {
    const newest = new Map<RigConnection, TelemetryMessageRow>();
    for (const { message, conn } of batch) {
      const at = message.at.getTime();
      const seen = newest.get(conn);
      if (at >= (seen ? seen.at.getTime() : conn.latestAt)) newest.set(conn, message);
    }
    const states: GpuLive[] = [];
    const updates: LiveGpuUpdate[] = [];
    const changed: { conn: RigConnection; index: number; gpuId: string; mode: GpuMode }[] = [];
    for (const [conn, message] of newest) {
      conn.latestAt = message.at.getTime();
      const at = message.at.toISOString();
      message.gpus.forEach((g, i) => {
        const gpuId = message.gpuIds[i]!;
        const state: GpuLive = {
          gpuId, rigId: conn.rigId, mode: g.mode, hashrateHs: g.hashrateHs, tempC: g.tempC, powerW: g.powerW,
          fanPct: g.fanPct, utilPct: g.utilPct, vramUsedMb: g.vramUsedMb, coin: g.coin, at,
        };
        states.push(state);
        updates.push({ siteId: conn.siteId, gpu: state });
        if (conn.modes.get(g.index) !== g.mode) changed.push({ conn, index: g.index, gpuId, mode: g.mode });
      });
    }
    fanout.push(updates);
    const nowMs = now().getTime();
    const touched = new Set<string>();
    for (const { conn } of batch) {
      if (nowMs - conn.lastTouchedAt < TOUCH_EVERY_MS) continue;
      conn.lastTouchedAt = nowMs;
      touched.add(conn.rigId);
    }
    await Promise.all([
      live.setMany(states),
      changed.length > 0 &&
        updateGpuModes(db, changed).then(() => {
          for (const c of changed) c.conn.modes.set(c.index, c.mode);
        }),
      touched.size > 0 && touchRigs(db, [...touched], new Date(nowMs)),
    ]);
  };
