import type { Permission } from "../../lib/permissions";
import { auditActor, type Caller } from "../auth";

/**
 * Changing what the planner works with (market data and sources, site settings, workloads, pins,
 * maintenance) is for operators and admins, the roles that may switch GPUs.
 */
export const PLANNING_WRITE: Permission = "planning:write";

/** The caller as packages/db's audit entries name actors. */
export const auditEntryActor = (caller: Caller) => {
  const a = auditActor(caller);
  return { actorType: a.type, actorId: a.id };
};
