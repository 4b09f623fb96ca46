import { randomUUID } from "node:crypto";
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

/** Many rigs by token hash in one query (a gateway's connect storm): hash → rig, unknown ones absent. */
export const findRigsByTokenHashes = async (db: Db, tokenHashes: string[]): Promise<Map<string, RigIdentity>> => {
  const rigs = await db.rig.findMany({ where: { tokenHash: { in: tokenHashes } }, select: { id: true, siteId: true, name: true, tokenHash: true } });
  return new Map(rigs.map(({ tokenHash, ...rig }) => [tokenHash!, rig]));
};

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

/**
 * Rigs' last-seen, for a batch of them. A gateway touches hundreds of rigs a second: the ids go as
 * one array parameter, where the ORM's `updateMany` built a parameter per id at ~5 % of the CPU of
 * a gateway holding 10,000 rigs.
 */
export const touchRigs = async (db: Db, rigIds: string[], now: Date): Promise<number> =>
  rigIds.length ? db.$executeRaw`UPDATE "Rig" SET "lastSeenAt" = ${now} WHERE id = ANY(${rigIds}::uuid[])` : 0;

export const markRigOffline = (db: Db, rigId: string) =>
  db.gpu.updateMany({ where: { rigId }, data: { currentMode: "OFFLINE" } });

export type RigHello = { rigId: string; hostname: string; agentVersion: string; gpus: GpuInventory[] };

type KnownGpu = { id: string; rigId: string; index: number; uuid: string | null; pciBusId: string | null; vendor: string; model: string; vramMb: number };
const sameGpu = (g: GpuInventory, k: KnownGpu) =>
  k.index === g.index && k.uuid === g.uuid && k.pciBusId === g.pciBusId && k.vendor === g.vendor && k.model === g.model && k.vramMb === g.vramMb;

/**
 * `syncRigInventory` for many rigs at once, in a fixed number of statements whatever their count:
 * after a gateway restart (or a fleet's first start) thousands of rigs say hello within seconds,
 * and a few round trips per rig would keep most of them waiting past their timeout. Same rules:
 * GPUs matched by index, new ones added, changed ones updated, unreported ones OFFLINE; every
 * rig's hostname, agent version and last-seen are written. All or nothing: if it fails (say a
 * GPU uuid another rig still holds), the caller retries the rigs one by one to find the culprit.
 */
export const syncRigInventories = async (db: PrismaClient, hellos: RigHello[], now: Date): Promise<Map<string, { index: number; gpuId: string }[]>> => {
  const out = new Map<string, { index: number; gpuId: string }[]>();
  if (hellos.length === 0) return out;
  const rigIds = hellos.map((h) => h.rigId);
  const known: KnownGpu[] = await db.gpu.findMany({
    where: { rigId: { in: rigIds } },
    select: { id: true, rigId: true, index: true, uuid: true, pciBusId: true, vendor: true, model: true, vramMb: true },
  });
  const knownByRig = new Map<string, KnownGpu[]>();
  for (const k of known) {
    const list = knownByRig.get(k.rigId);
    if (list) list.push(k);
    else knownByRig.set(k.rigId, [k]);
  }

  const upserts: { id: string; rigId: string; g: GpuInventory }[] = [];
  const gone: string[] = [];
  for (const h of hellos) {
    const mine = knownByRig.get(h.rigId) ?? [];
    const unchanged = mine.length === h.gpus.length && h.gpus.every((g) => mine.some((k) => sameGpu(g, k)));
    if (unchanged) {
      out.set(h.rigId, h.gpus.map((g) => ({ index: g.index, gpuId: mine.find((k) => k.index === g.index)!.id })));
      continue;
    }
    for (const g of h.gpus) upserts.push({ id: mine.find((k) => k.index === g.index)?.id ?? randomUUID(), rigId: h.rigId, g });
    for (const k of mine) if (!h.gpus.some((g) => g.index === k.index)) gone.push(k.id);
  }

  await db.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(
      `UPDATE "Rig" AS r SET hostname = u.hostname, "agentVersion" = u.version, "lastSeenAt" = $4
       FROM unnest($1::uuid[], $2::text[], $3::text[]) AS u(id, hostname, version) WHERE r.id = u.id`,
      rigIds, hellos.map((h) => h.hostname), hellos.map((h) => h.agentVersion), now,
    );
    if (upserts.length === 0) return;
    const rows = await tx.$queryRawUnsafe<{ id: string; rigId: string; index: number }[]>(
      `INSERT INTO "Gpu" (id, "rigId", index, uuid, "pciBusId", vendor, model, "vramMb", "updatedAt")
       SELECT u.id, u."rigId", u.index, u.uuid, u."pciBusId", u.vendor, u.model, u."vramMb", $9
       FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::text[], $6::"GpuVendor"[], $7::text[], $8::int[])
         AS u(id, "rigId", index, uuid, "pciBusId", vendor, model, "vramMb")
       ON CONFLICT ("rigId", index) DO UPDATE SET uuid = EXCLUDED.uuid, "pciBusId" = EXCLUDED."pciBusId", vendor = EXCLUDED.vendor,
         model = EXCLUDED.model, "vramMb" = EXCLUDED."vramMb", "updatedAt" = EXCLUDED."updatedAt"
       RETURNING id::text AS id, "rigId"::text AS "rigId", index`,
      upserts.map((u) => u.id), upserts.map((u) => u.rigId), upserts.map((u) => u.g.index), upserts.map((u) => u.g.uuid),
      upserts.map((u) => u.g.pciBusId), upserts.map((u) => u.g.vendor), upserts.map((u) => u.g.model), upserts.map((u) => u.g.vramMb), now,
    );
    const idOf = new Map(rows.map((r) => [`${r.rigId}/${r.index}`, r.id]));
    for (const h of hellos) {
      if (out.has(h.rigId)) continue;
      out.set(h.rigId, h.gpus.map((g) => ({ index: g.index, gpuId: idOf.get(`${h.rigId}/${g.index}`)! })));
    }
    if (gone.length) await tx.gpu.updateMany({ where: { id: { in: gone } }, data: { currentMode: "OFFLINE" } });
  });
  return out;
};
