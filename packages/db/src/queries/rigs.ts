import { DomainError, type GpuInventory } from "@rigshift/protocol";
import type { Db, PrismaClient } from "../client";
import { recordAudit } from "./audit";

export type RigIdentity = { id: string; siteId: string; name: string };

/** Swap a one-time enrolment token for the rig's own token (both given as SHA-256 hashes). */
export const enrollRig = (
  db: PrismaClient,
  { enrollmentTokenHash, rigTokenHash, hostname, agentVersion, now }: {
    enrollmentTokenHash: string; rigTokenHash: string; hostname: string; agentVersion: string; now: Date;
  },
): Promise<RigIdentity> =>
  db.$transaction(async (tx) => {
    const rig = await tx.rig.findUnique({ where: { enrollmentTokenHash }, select: { id: true, siteId: true, name: true } });
    // One message for unknown and already-used tokens: it tells a prober nothing.
    if (!rig) throw new DomainError("ENROLLMENT_INVALID", "enrolment token is unknown or already used");
    await tx.rig.update({
      where: { id: rig.id },
      data: { enrollmentTokenHash: null, tokenHash: rigTokenHash, enrolledAt: now, hostname, agentVersion },
    });
    await recordAudit(tx, { actorType: "RIG", actorId: rig.id, action: "rig.enrolled", targetType: "rig", targetId: rig.id, details: { hostname, agentVersion } });
    return rig;
  });

export const findRigByTokenHash = (db: Db, tokenHash: string): Promise<RigIdentity | null> =>
  db.rig.findUnique({ where: { tokenHash }, select: { id: true, siteId: true, name: true } });

/**
 * Match what the agent reports to the GPU rows, by index: new GPUs are added, changed ones
 * (a card swapped in the same slot) updated, and rows the agent no longer reports go OFFLINE.
 */
export const syncRigInventory = async (
  db: PrismaClient,
  rigId: string,
  { hostname, agentVersion, gpus, now }: { hostname: string; agentVersion: string; gpus: GpuInventory[]; now: Date },
) => {
  // Most hellos are a reconnect of a rig whose cards have not changed: one read and one update
  // then, instead of a transaction per GPU (it matters when every rig reconnects at once).
  const known = await db.gpu.findMany({ where: { rigId }, select: { id: true, index: true, uuid: true, pciBusId: true, vendor: true, model: true, vramMb: true } });
  const same = (g: GpuInventory, k: (typeof known)[number]) =>
    k.index === g.index && k.uuid === g.uuid && k.pciBusId === g.pciBusId && k.vendor === g.vendor && k.model === g.model && k.vramMb === g.vramMb;
  const unchanged = known.length === gpus.length && gpus.every((g) => known.some((k) => same(g, k)));
  if (unchanged) {
    await db.rig.update({ where: { id: rigId }, data: { hostname, agentVersion, lastSeenAt: now }, select: { id: true } });
    return gpus.map((g) => ({ index: g.index, gpuId: known.find((k) => k.index === g.index)!.id }));
  }
  return db.$transaction(async (tx) => {
    await tx.rig.update({ where: { id: rigId }, data: { hostname, agentVersion, lastSeenAt: now } });
    const out: { index: number; gpuId: string }[] = [];
    for (const g of gpus) {
      const data = { uuid: g.uuid, pciBusId: g.pciBusId, vendor: g.vendor, model: g.model, vramMb: g.vramMb };
      const row = await tx.gpu.upsert({
        where: { rigId_index: { rigId, index: g.index } },
        create: { rigId, index: g.index, ...data },
        update: data,
        select: { id: true },
      });
      out.push({ index: g.index, gpuId: row.id });
    }
    const gone = known.filter((k) => !gpus.some((g) => g.index === k.index)).map((k) => k.id);
    if (gone.length) await tx.gpu.updateMany({ where: { id: { in: gone } }, data: { currentMode: "OFFLINE" } });
    return out;
  });
};

export const touchRigs = (db: Db, rigIds: string[], now: Date) =>
  rigIds.length ? db.rig.updateMany({ where: { id: { in: rigIds } }, data: { lastSeenAt: now } }) : Promise.resolve({ count: 0 });

export const markRigOffline = (db: Db, rigId: string) =>
  db.gpu.updateMany({ where: { rigId }, data: { currentMode: "OFFLINE" } });
