import { z } from "zod";
import { ZDecimalString, ZGpuMode, ZGpuVendor, ZRole, ZTargetMode } from "./enums";

/** REST bodies and responses of /api/v1, shared by the route handlers and the dashboard's client. */

export const ZLoginBody = z.object({
  email: z.email().max(320),
  password: z.string().min(1).max(1024),
});

export const ZSessionView = z.object({
  user: z.object({ id: z.uuid(), email: z.string(), name: z.string(), role: ZRole }),
  expiresAt: z.iso.datetime({ offset: true }),
});
export type SessionView = z.infer<typeof ZSessionView>;

export const ZCreateTokenBody = z.object({
  name: z.string().min(1).max(100).default("api"),
  expiresInDays: z.number().int().positive().max(3650).optional(),
});

export const ZCreatedToken = z.object({ id: z.uuid(), name: z.string(), token: z.string(), expiresAt: z.string().nullable() });

export const ZCreateCommandBody = z.object({
  type: z.literal("switch"),
  gpuIds: z.array(z.uuid()).min(1).max(1024),
  mode: ZTargetMode,
  /** Seconds until the command expires if not finished; default 10 minutes. */
  ttlS: z.number().int().min(5).max(86_400).default(600),
});
export type CreateCommandBody = z.infer<typeof ZCreateCommandBody>;

export const ZSiteView = z.object({
  id: z.uuid(),
  name: z.string(),
  timezone: z.string(),
  currency: z.string(),
  powerCapKw: ZDecimalString,
  rigCount: z.number().int(),
  gpuCount: z.number().int(),
});
export type SiteView = z.infer<typeof ZSiteView>;

export const ZRigView = z.object({
  id: z.uuid(),
  siteId: z.uuid(),
  name: z.string(),
  hostname: z.string().nullable(),
  agentVersion: z.string().nullable(),
  enrolled: z.boolean(),
  lastSeenAt: z.string().nullable(),
  gpuCount: z.number().int(),
});
export type RigView = z.infer<typeof ZRigView>;

export const ZGpuView = z.object({
  id: z.uuid(),
  rigId: z.uuid(),
  siteId: z.uuid(),
  index: z.number().int(),
  uuid: z.string().nullable(),
  vendor: ZGpuVendor,
  model: z.string(),
  vramMb: z.number().int(),
  mode: ZGpuMode,
  desiredMode: ZGpuMode,
  hashrateHs: z.number().nullable(),
  tempC: z.number().nullable(),
  powerW: z.number().nullable(),
  fanPct: z.number().nullable(),
  utilPct: z.number().nullable(),
  vramUsedMb: z.number().nullable(),
  coin: z.string().nullable(),
  lastSeenAt: z.string().nullable(),
});
export type GpuView = z.infer<typeof ZGpuView>;

export const ZGpuSamplePoint = z.object({
  at: z.string(),
  mode: ZGpuMode,
  hashrateHs: z.number().nullable(),
  tempC: z.number().nullable(),
  powerW: z.number().nullable(),
});
export type GpuSamplePoint = z.infer<typeof ZGpuSamplePoint>;

export const ZReportGroupBy = z.enum(["site", "rig", "gpu"]);
export type ReportGroupBy = z.infer<typeof ZReportGroupBy>;

export const ZRevenueQuery = z
  .object({
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    groupBy: ZReportGroupBy.default("site"),
  })
  .refine((q) => Date.parse(q.from) < Date.parse(q.to), { message: "from must be before to", path: ["to"] });
export type RevenueQuery = z.infer<typeof ZRevenueQuery>;

/** One line of the revenue report; money as decimal strings in USD, rounded to the cent. */
export const ZRevenueLine = z.object({
  key: z.string(),
  label: z.string(),
  hashingRevenueUsd: ZDecimalString,
  aiRevenueUsd: ZDecimalString,
  revenueUsd: ZDecimalString,
  energyCostUsd: ZDecimalString,
  marginUsd: ZDecimalString,
  energyKwh: ZDecimalString,
});
export type RevenueLine = z.infer<typeof ZRevenueLine>;

export const ZRevenueReport = z.object({
  from: z.string(),
  to: z.string(),
  groupBy: ZReportGroupBy,
  currency: z.literal("USD"),
  lines: z.array(ZRevenueLine),
  total: ZRevenueLine,
});
export type RevenueReport = z.infer<typeof ZRevenueReport>;

export const ZHealth = z.object({
  status: z.enum(["ok", "degraded"]),
  db: z.enum(["ok", "down"]),
  redis: z.enum(["ok", "down"]),
});
