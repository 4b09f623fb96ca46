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

/**
 * Audit rows as one array per column, in the order given, for a statement that writes them beside
 * the change they record (`unnest(...) WITH ORDINALITY`), where a Prisma call cannot go.
 */
export const auditColumns = (entries: AuditEntry[]) => {
  const rows = entries.map(auditRow);
  return {
    actorType: rows.map((r) => r.actorType),
    actorId: rows.map((r) => r.actorId),
    action: rows.map((r) => r.action),
    targetType: rows.map((r) => r.targetType),
    targetId: rows.map((r) => r.targetId),
    details: rows.map((r) => JSON.stringify(r.details)),
  };
};
