import { randomUUID } from "node:crypto";
import {
  type CommandStatus,
  type CommandView,
  DomainError,
  type GpuMode,
  TERMINAL_COMMAND_STATUSES,
  type PlanTarget,
  type RigSwitch,
  type SwitchCommand,
  type TargetMode,
  type WorkloadAssignment,
} from "@rigshift/protocol";
import type { Db, PrismaClient } from "../client";
import { Prisma } from "../generated/prisma/client";
import { auditColumns, recordAudit, type AuditEntry } from "./audit";

/**
 * A command's life: QUEUED (row written) → DISPATCHED (sent to the rig) → RUNNING (the agent
 * reported a step) → DONE / FAILED (every GPU finished) or EXPIRED (its deadline passed first).
 * Each change appends a CommandEvent, so the history is the audit trail of the switch.
 */

export type CreateSwitchCommandOptions = {
  gpuIds: string[];
  mode: TargetMode;
  ttlS: number;
  source: "USER" | "PLANNER" | "SYSTEM";
  userId: string | null;
  actor?: { type: "USER" | "TOKEN" | "SYSTEM"; id: string | null };
  /**
   * Pin each GPU on what the command runs there until this time (a manual switch), so the next
   * plan does not switch it straight back. In the same transaction: no command without its pin.
   */
  pinUntil?: Date | null;
  now: Date;
};

type MinerProfileRow = { id: string; coin: string; algorithm: string; miner: string; poolUrl: string; wallet: string; worker: string; extraArgs: string[] };
type SwitchGpu = {
  id: string; rigId: string; index: number; vramMb: number; minerProfileId: string | null;
  coin: string | null; algorithm: string | null; miner: string | null; poolUrl: string | null; wallet: string | null; worker: string | null; extraArgs: string[] | null;
};
const MINER_PROFILE_FIELDS = { id: true, coin: true, algorithm: true, miner: true, poolUrl: true, wallet: true, worker: true, extraArgs: true } as const;

/** What a switch command depends on, read before it is written (`readSwitchTargets`). */
export type SwitchTargets = {
  mode: TargetMode;
  gpuIds: string[];
  gpus: SwitchGpu[];
  workload: { id: string; checkpointGraceS: number; image: string | null; command: string | null; args: string[]; env: unknown } | null;
  fallbackProfile: MinerProfileRow | null;
};

/**
 * A manual switch is a handful of round trips, not the dozen of an interactive transaction,
 * which under fleet load was most of the API's time: the reads here, then one statement
 * (`writeSwitchCommand`). The API runs these reads alongside the caller's session check.
 */
export const createSwitchCommand = async (db: Db, opts: CreateSwitchCommandOptions) =>
  writeSwitchCommand(db, await readSwitchTargets(db, opts), opts);

/** The GPUs (with their miner profiles) and, by mode, the workload or fallback profile; GPU_NOT_FOUND names unknown ids. */
export const readSwitchTargets = async (db: Db, opts: { gpuIds: string[]; mode: TargetMode }): Promise<SwitchTargets> => {
  const gpuIds = [...new Set(opts.gpuIds)];
  const gpus = await db.$queryRaw<SwitchGpu[]>`
    SELECT g.id::text AS id, g."rigId"::text AS "rigId", g.index, g."vramMb" AS "vramMb", g."minerProfileId"::text AS "minerProfileId",
           mp.coin, mp.algorithm, mp.miner, mp."poolUrl" AS "poolUrl", mp.wallet, mp.worker, mp."extraArgs" AS "extraArgs"
      FROM "Gpu" g LEFT JOIN "MinerProfile" mp ON mp.id = g."minerProfileId"
     WHERE g.id = ANY(${gpuIds}::uuid[])`;
  const missing = gpuIds.filter((id) => !gpus.some((g) => g.id === id));
  if (missing.length) throw new DomainError("GPU_NOT_FOUND", `unknown GPU id(s): ${missing.join(", ")}`, { gpuIds: missing });

  // AI needs work to run: the best-paying open workload whose VRAM need every chosen GPU meets.
  // (Placement across the fleet is the planner's job; a manual switch takes the best fit.)
  const workload = opts.mode === "AI"
    ? await db.aiWorkload.findFirst({
      where: { status: { in: ["PENDING", "PLACED", "RUNNING"] }, minVramMb: { lte: Math.min(...gpus.map((g) => g.vramMb)) } },
      orderBy: [{ priority: "desc" }, { usdPerGpuHour: "desc" }, { createdAt: "asc" }],
      select: { id: true, checkpointGraceS: true, image: true, command: true, args: true, env: true },
    })
    : null;
  const fallbackProfile: MinerProfileRow | null =
    opts.mode === "HASHING" && gpus.some((g) => !g.minerProfileId)
      ? await db.minerProfile.findFirst({ orderBy: { createdAt: "asc" }, select: MINER_PROFILE_FIELDS })
      : null;
  return { mode: opts.mode, gpuIds, gpus, workload, fallbackProfile };
};

/**
 * The command, its parts, its QUEUED event, the GPUs' desired mode (and pin) and the audit rows,
 * written by one statement, so all of it or none is stored. Returns what each rig is to be sent.
 */
export const writeSwitchCommand = async (
  db: Db,
  { mode, gpuIds, gpus, workload, fallbackProfile }: SwitchTargets,
  opts: Omit<CreateSwitchCommandOptions, "gpuIds" | "mode">,
) => {
  const workloadId = workload?.id ?? null;
  const commandId = randomUUID();
  const actor = opts.actor ?? { type: opts.userId ? "USER" : "SYSTEM", id: opts.userId };
  const pinUntil = opts.pinUntil ?? null;
  const parts = gpus.map((g) => {
    // The join's columns are all set when the GPU has a profile (its foreign key).
    const profile: MinerProfileRow | null = g.minerProfileId
      ? { id: g.minerProfileId, coin: g.coin!, algorithm: g.algorithm!, miner: g.miner!, poolUrl: g.poolUrl!, wallet: g.wallet!, worker: g.worker!, extraArgs: g.extraArgs ?? [] }
      : fallbackProfile;
    const pin: PlanTarget =
      mode === "HASHING" && profile ? { mode: "HASH", coin: profile.coin, algorithm: profile.algorithm }
      : mode === "AI" && workloadId ? { mode: "AI", workloadId }
      : { mode: "IDLE" };
    return { gpu: g, minerProfile: mode === "HASHING" ? profile : null, pin };
  });
  const audit = auditColumns([
    { actorType: actor.type, actorId: actor.id, action: "command.created", targetType: "command", targetId: commandId, details: { mode, gpuIds, source: opts.source } },
    ...(pinUntil
      ? parts.map((p): AuditEntry => ({ actorType: actor.type, actorId: actor.id, action: "gpu.pinned", targetType: "gpu", targetId: p.gpu.id, details: { target: p.pin, until: pinUntil.toISOString() } }))
      : []),
  ]);
  const expiresAt = new Date(opts.now.getTime() + opts.ttlS * 1000);
  const partGpuIds = parts.map((p) => p.gpu.id);
  await db.$executeRaw`
    WITH command AS (
      INSERT INTO "Command" (id, type, mode, status, source, "createdById", "createdAt", "expiresAt")
      VALUES (${commandId}::uuid, 'SWITCH', ${mode}::"GpuMode", 'QUEUED', ${opts.source}::"CommandSource", ${opts.userId}::uuid, ${opts.now}, ${expiresAt})
    ), parts AS (
      INSERT INTO "CommandGpu" ("commandId", "gpuId", "rigId", status, "minerProfileId", "workloadId", "updatedAt")
      SELECT ${commandId}::uuid, u.gpu, u.rig, 'QUEUED'::"CommandStatus", u.profile, ${workloadId}::uuid, now()
        FROM unnest(${partGpuIds}::uuid[], ${parts.map((p) => p.gpu.rigId)}::uuid[], ${parts.map((p) => p.minerProfile?.id ?? null)}::uuid[]) AS u(gpu, rig, profile)
    ), event AS (
      INSERT INTO "CommandEvent" ("commandId", status, at, message)
      VALUES (${commandId}::uuid, 'QUEUED', ${opts.now}, ${`switch ${gpus.length} GPU(s) to ${mode}`})
    ), desired AS (
      UPDATE "Gpu" g SET "desiredMode" = ${mode}::"GpuMode", "updatedAt" = now(),
             "pinTarget" = CASE WHEN ${pinUntil}::timestamptz IS NULL THEN g."pinTarget" ELSE u.pin END,
             "pinUntil" = COALESCE(${pinUntil}::timestamptz, g."pinUntil")
        FROM unnest(${partGpuIds}::uuid[], ${parts.map((p) => JSON.stringify(p.pin))}::jsonb[]) AS u(gpu, pin)
       WHERE g.id = u.gpu
    )
    INSERT INTO "AuditLog" ("actorType", "actorId", action, "targetType", "targetId", details)
    SELECT a."actorType", a."actorId", a.action, a."targetType", a."targetId", a.details
      FROM unnest(${audit.actorType}::"ActorType"[], ${audit.actorId}::text[], ${audit.action}::text[], ${audit.targetType}::text[], ${audit.targetId}::text[], ${audit.details}::jsonb[])
           WITH ORDINALITY AS a("actorType", "actorId", action, "targetType", "targetId", details, n)
     ORDER BY a.n`;
  // What each rig will be sent, built from the rows just written as listDeliverableCommands reads them back.
  const rows = parts.map(({ gpu, minerProfile: mp }): DeliverablePart & { rigId: string } => ({
    rigId: gpu.rigId, commandId, gpuId: gpu.id, gpuIndex: gpu.index, mode, expiresAt,
    minerCoin: mp?.coin ?? null, minerAlgorithm: mp?.algorithm ?? null, minerName: mp?.miner ?? null, poolUrl: mp?.poolUrl ?? null,
    wallet: mp?.wallet ?? null, worker: mp?.worker ?? null, extraArgs: mp?.extraArgs ?? null,
    workloadId, checkpointGraceS: workload?.checkpointGraceS ?? null, image: workload?.image ?? null,
    workloadCommand: workload?.command ?? null, args: workload?.args ?? null, env: workload?.env ?? null,
  }));
  const rigIds = [...new Set(gpus.map((g) => g.rigId))];
  const commands: RigSwitch[] = rigIds.map((rigId) => ({
    rigId,
    command: toSwitchCommands(rows.filter((r) => r.rigId === rigId).sort((a, b) => a.gpuIndex - b.gpuIndex))[0]!,
  }));
  return { id: commandId, rigIds, commands, expiresAt };
};

export const getCommandView = async (db: Db, id: string): Promise<CommandView> => {
  const c = await db.command.findUnique({
    where: { id },
    select: {
      id: true, mode: true, status: true, createdAt: true, expiresAt: true, finishedAt: true, error: true,
      gpus: { select: { gpuId: true, rigId: true, status: true, step: true, error: true }, orderBy: { gpuId: "asc" } },
      events: { select: { at: true, status: true, gpuId: true, step: true, message: true }, orderBy: [{ at: "asc" }, { id: "asc" }] },
    },
  });
  if (!c) throw new DomainError("COMMAND_NOT_FOUND", `no command with id ${id}`, { commandId: id });
  return {
    id: c.id,
    type: "switch",
    mode: (c.mode ?? "IDLE") as TargetMode,
    status: c.status,
    createdAt: c.createdAt.toISOString(),
    expiresAt: c.expiresAt.toISOString(),
    finishedAt: c.finishedAt?.toISOString() ?? null,
    error: c.error,
    gpus: c.gpus,
    history: c.events.map((e) => ({ ...e, at: e.at.toISOString() })),
  };
};

/**
 * What a command's delivery job needs each time it looks: the command's status and deadline, and
 * the rigs whose parts still wait for them (QUEUED). One statement; null for no such command.
 */
export const getCommandDelivery = async (db: Db, id: string): Promise<{ status: CommandStatus; expiresAt: Date; waitingRigIds: string[] } | null> => {
  const [row] = await db.$queryRaw<{ status: CommandStatus; expiresAt: Date; waitingRigIds: string[] }[]>`
    SELECT c.status::text AS status, c."expiresAt" AS "expiresAt",
           ARRAY(SELECT DISTINCT cg."rigId"::text FROM "CommandGpu" cg WHERE cg."commandId" = c.id AND cg.status = 'QUEUED' ORDER BY 1) AS "waitingRigIds"
      FROM "Command" c WHERE c.id = ${id}::uuid`;
  return row ?? null;
};

export const getCommandStatus = async (db: Db, id: string) => {
  const c = await db.command.findUnique({ where: { id }, select: { status: true, expiresAt: true } });
  if (!c) throw new DomainError("COMMAND_NOT_FOUND", `no command with id ${id}`, { commandId: id });
  return c;
};

const toWorkloadAssignment = (
  workloadId: string,
  w: { checkpointGraceS: number; image: string | null; command: string | null; args: string[]; env: unknown },
): WorkloadAssignment => ({
  workloadId,
  checkpointGraceS: w.checkpointGraceS,
  image: w.image,
  command: w.command,
  args: w.args,
  // The column is JSON: pass on only string values, which is all a process environment holds.
  env: Object.fromEntries(Object.entries(w.env && typeof w.env === "object" ? w.env : {}).filter((e): e is [string, string] => typeof e[1] === "string")),
});

/** One open part of a command, with what the rig needs to run it (one row per GPU). */
type DeliverablePart = {
  commandId: string;
  gpuId: string;
  gpuIndex: number;
  mode: GpuMode | null;
  expiresAt: Date;
  minerCoin: string | null;
  minerAlgorithm: string | null;
  minerName: string | null;
  poolUrl: string | null;
  wallet: string | null;
  worker: string | null;
  extraArgs: string[] | null;
  workloadId: string | null;
  checkpointGraceS: number | null;
  image: string | null;
  workloadCommand: string | null;
  args: string[] | null;
  env: unknown;
};

/**
 * The switch messages a rig should get now: its parts of open commands, oldest first. One
 * statement, not Prisma's one query per relation: the gateway runs it for every dispatch and
 * every hello, so at fleet scale its round trips are most of a command's delivery time.
 */
export const listDeliverableCommands = async (db: Db, rigId: string, now: Date, commandId?: string): Promise<SwitchCommand[]> => {
  const parts = await db.$queryRaw<DeliverablePart[]>`
    SELECT cg."commandId"::text AS "commandId", cg."gpuId"::text AS "gpuId", g.index AS "gpuIndex",
           c.mode::text AS mode, c."expiresAt" AS "expiresAt",
           mp.coin AS "minerCoin", mp.algorithm AS "minerAlgorithm", mp.miner AS "minerName", mp."poolUrl" AS "poolUrl",
           mp.wallet AS wallet, mp.worker AS worker, mp."extraArgs" AS "extraArgs",
           cg."workloadId"::text AS "workloadId", w."checkpointGraceS" AS "checkpointGraceS", w.image AS image,
           w.command AS "workloadCommand", w.args AS args, w.env AS env
      FROM "CommandGpu" cg
      JOIN "Command" c ON c.id = cg."commandId"
      JOIN "Gpu" g ON g.id = cg."gpuId"
      LEFT JOIN "MinerProfile" mp ON mp.id = cg."minerProfileId"
      LEFT JOIN "AiWorkload" w ON w.id = cg."workloadId"
     WHERE cg."rigId" = ${rigId}::uuid
       AND cg.status IN ('QUEUED', 'DISPATCHED')
       AND c.status IN ('QUEUED', 'DISPATCHED', 'RUNNING')
       AND c."expiresAt" > ${now}
       AND (${commandId ?? null}::uuid IS NULL OR c.id = ${commandId ?? null}::uuid)
     ORDER BY c."createdAt", c.id, g.index`;
  return toSwitchCommands(parts);
};

/** One switch message per command, from its parts in order (their GPUs' order in the message). */
const toSwitchCommands = (parts: DeliverablePart[]): SwitchCommand[] => {
  const byCommand = new Map<string, SwitchCommand>();
  for (const p of parts) {
    let msg = byCommand.get(p.commandId);
    if (!msg) {
      msg = {
        v: 1,
        id: p.commandId,
        type: "switch",
        mode: (p.mode ?? "IDLE") as TargetMode,
        expiresAt: p.expiresAt.toISOString(),
        gpus: [],
        miner: p.minerName === null ? null : {
          coin: p.minerCoin!, algorithm: p.minerAlgorithm!, miner: p.minerName, poolUrl: p.poolUrl!, wallet: p.wallet!, worker: p.worker!, extraArgs: p.extraArgs ?? [],
        },
        workload: p.workloadId && p.checkpointGraceS !== null
          ? toWorkloadAssignment(p.workloadId, { checkpointGraceS: p.checkpointGraceS, image: p.image, command: p.workloadCommand, args: p.args ?? [], env: p.env })
          : null,
      };
      byCommand.set(p.commandId, msg);
    }
    msg.gpus.push({ index: p.gpuIndex, gpuId: p.gpuId });
  }
  return [...byCommand.values()];
};

/**
 * The rig acked the command: its GPUs' parts are now DISPATCHED, and the command too (with its
 * event) if it was still QUEUED. One statement, so a gateway acking thousands of commands spends
 * one round trip on each. A second ack for the same rig changes nothing.
 */
export const markCommandDispatched = async (db: Db, { commandId, rigId, now }: { commandId: string; rigId: string; now: Date }) => {
  // The command row is locked before its parts, the order a GPU's progress report takes them in
  // (recordCommandProgress). Taken parts first, then the event's foreign-key lock on the command,
  // this deadlocked with a report of the same command (seen on a fresh npm start).
  await db.$executeRaw`
    WITH locked AS (
      SELECT id FROM "Command" WHERE id = ${commandId}::uuid FOR NO KEY UPDATE
    ), parts AS (
      UPDATE "CommandGpu" SET status = 'DISPATCHED', "updatedAt" = ${now}
       WHERE "commandId" = ${commandId}::uuid AND "rigId" = ${rigId}::uuid AND status = 'QUEUED'
         AND EXISTS (SELECT 1 FROM locked)
       RETURNING 1
    ), command AS (
      UPDATE "Command" SET status = 'DISPATCHED'
       WHERE id = ${commandId}::uuid AND status = 'QUEUED' AND EXISTS (SELECT 1 FROM parts)
       RETURNING id
    )
    INSERT INTO "CommandEvent" ("commandId", status, at, message)
    SELECT ${commandId}::uuid, 'DISPATCHED'::"CommandStatus", ${now}, ${`delivered to rig ${rigId}`} WHERE EXISTS (SELECT 1 FROM parts)`;
};

export type CommandProgressUpdate = {
  commandId: string;
  rigId: string;
  gpuIndex: number;
  status: "RUNNING" | "DONE" | "FAILED";
  step: GpuMode;
  message: string | null;
  at: Date;
};

/**
 * Record one GPU's step. The GPU's current mode follows the agent's report even when the
 * command already expired — the report is what the rig really did. Returns the command's
 * status after the update, or null when the rig has no such part (a stale or forged report).
 */
export const recordCommandProgress = async (db: PrismaClient, u: CommandProgressUpdate) => {
  const step = Prisma.sql`${u.step}::"GpuMode"`;
  const status = Prisma.sql`${u.status}::"CommandStatus"`;
  const [, rows] = await db.$transaction([
    // Row lock on the command, in a statement of its own: two GPUs of one command reporting at once
    // must not both read "one part still open" and leave the command RUNNING forever. The statement
    // below starts after the lock is held, so it reads the parts as the other report left them.
    db.$queryRaw`SELECT 1 FROM "Command" WHERE id = ${u.commandId}::uuid FOR UPDATE`,
    // The rest in one statement (one round trip while the lock is held; it was ten): the GPU follows
    // the report always, the part and the command only while the command is open.
    db.$queryRaw<{ gpuId: string; commandStatus: CommandStatus }[]>`
      WITH part AS (
        SELECT cg."gpuId", c.status AS "commandStatus"
          FROM "CommandGpu" cg
          JOIN "Command" c ON c.id = cg."commandId"
          JOIN "Gpu" g ON g.id = cg."gpuId"
         WHERE cg."commandId" = ${u.commandId}::uuid AND cg."rigId" = ${u.rigId}::uuid AND g.index = ${u.gpuIndex}
      ), open AS (
        SELECT * FROM part WHERE "commandStatus"::text <> ALL(${[...TERMINAL_COMMAND_STATUSES]}::text[])
      ), gpu AS (
        UPDATE "Gpu" g SET "currentMode" = ${step}, "updatedAt" = now() FROM part WHERE g.id = part."gpuId"
      ), moved AS (
        UPDATE "CommandGpu" cg SET status = ${status}, step = ${step}, error = ${u.status === "FAILED" ? u.message : null}, "updatedAt" = now()
          FROM open WHERE cg."commandId" = ${u.commandId}::uuid AND cg."gpuId" = open."gpuId"
      ), outcome AS (
        -- The command's status from its parts, this one as reported (sibling statements' writes are not visible here).
        SELECT CASE WHEN bool_and(x.status IN ('DONE', 'FAILED')) THEN CASE WHEN bool_or(x.status = 'FAILED') THEN 'FAILED' ELSE 'DONE' END ELSE 'RUNNING' END AS status
          FROM (SELECT CASE WHEN cg."gpuId" = open."gpuId" THEN ${u.status} ELSE cg.status::text END AS status
                  FROM "CommandGpu" cg CROSS JOIN open WHERE cg."commandId" = ${u.commandId}::uuid) x
        HAVING count(*) > 0
      ), command AS (
        UPDATE "Command" c SET status = o.status::"CommandStatus",
               "finishedAt" = CASE WHEN o.status = 'RUNNING' THEN c."finishedAt" ELSE ${u.at} END,
               error = CASE o.status WHEN 'RUNNING' THEN c.error WHEN 'FAILED' THEN 'one or more GPUs failed to switch' ELSE NULL END
          FROM outcome o WHERE c.id = ${u.commandId}::uuid
      ), events AS (
        -- The GPU's step, then the command's end if this was its last open part, in that order.
        INSERT INTO "CommandEvent" ("commandId", "gpuId", status, step, message, at)
        SELECT ${u.commandId}::uuid, e."gpuId", e.status, e.step, e.message, ${u.at}
          FROM (SELECT 1 AS n, part."gpuId", ${status} AS status, ${step} AS step, ${u.message} AS message FROM part
                UNION ALL
                SELECT 2, NULL, o.status::"CommandStatus", NULL, NULL FROM outcome o WHERE o.status <> 'RUNNING') e
         ORDER BY e.n
      ), audit AS (
        INSERT INTO "AuditLog" ("actorType", "actorId", action, "targetType", "targetId")
        SELECT 'RIG', ${u.rigId}, 'command.' || lower(o.status), 'command', ${u.commandId} FROM outcome o WHERE o.status <> 'RUNNING'
      )
      SELECT part."gpuId"::text AS "gpuId", COALESCE((SELECT status FROM outcome), part."commandStatus"::text) AS "commandStatus" FROM part`,
  ]);
  return rows[0] ?? null;
};

/** End a command whose deadline passed before every GPU finished. Returns true if it expired now. */
export const expireCommand = (db: PrismaClient, args: { commandId: string; now: Date }) =>
  db.$transaction(async (tx) => expireCommandIn(tx, args));

const expireCommandIn = async (db: Db, { commandId, now }: { commandId: string; now: Date }) => {
  const updated = await db.command.updateMany({
    where: { id: commandId, status: { in: ["QUEUED", "DISPATCHED", "RUNNING"] }, expiresAt: { lte: now } },
    data: { status: "EXPIRED", finishedAt: now, error: "deadline passed before every GPU finished" },
  });
  if (updated.count === 0) return false;
  await db.commandGpu.updateMany({ where: { commandId, status: { in: ["QUEUED", "DISPATCHED", "RUNNING"] } }, data: { status: "EXPIRED" } });
  await db.commandEvent.create({ data: { commandId, status: "EXPIRED", at: now, message: "deadline passed" } });
  await recordAudit(db, { actorType: "SYSTEM", action: "command.expired", targetType: "command", targetId: commandId });
  return true;
};
