import type { Db } from "../client";
import type { Prisma } from "../generated/prisma/client";

export type AuditEntry = {
  actorType: "USER" | "TOKEN" | "RIG" | "SYSTEM";
  actorId?: string | null;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  details?: Prisma.InputJsonObject;
};

const auditRow = (entry: AuditEntry) => ({
  actorType: entry.actorType,
  actorId: entry.actorId ?? null,
  action: entry.action,
  targetType: entry.targetType ?? null,
  targetId: entry.targetId ?? null,
  details: entry.details ?? {},
});

/** Every state change leaves a row: who, what, on what. Call inside the change's transaction. */
export const recordAudit = (db: Db, entry: AuditEntry) => db.auditLog.create({ data: auditRow(entry), select: { id: true } });

/** Several audit rows in one statement, in the order given (ids ascend with it). */
export const recordAudits = async (db: Db, entries: AuditEntry[]) => {
  if (entries.length > 0) await db.auditLog.createMany({ data: entries.map(auditRow) });
};
