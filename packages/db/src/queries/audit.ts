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

/** Every state change leaves a row: who, what, on what. Call inside the change's transaction. */
export const recordAudit = (db: Db, entry: AuditEntry) =>
  db.auditLog.create({
    data: {
      actorType: entry.actorType,
      actorId: entry.actorId ?? null,
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      details: entry.details ?? {},
    },
    select: { id: true },
  });
