import { parseDays } from "@rigshift/economics";
import {
  DomainError,
  type PolicyOverrides,
  type SiteSettings,
  type TariffBody,
  type TariffView,
  type UpdateSiteSettingsBody,
  ZPolicyOverrides,
} from "@rigshift/protocol";
import type { Db, PrismaClient } from "../client";
import type { Prisma } from "../generated/prisma/client";
import { recordAudit, type AuditEntry } from "./audit";

/**
 * A site's planning settings: power cap, where its energy price comes from (tariff or trace),
 * its curtailment rule and its planner policy overrides. Every change is audited with the
 * values before and after.
 */

type Actor = Pick<AuditEntry, "actorType" | "actorId">;

const clock = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
const minuteOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

const settingsSelect = {
  id: true, name: true, timezone: true, currency: true, powerCapKw: true, energySource: true,
  curtailStrikePerMwh: true, curtailImmediatePerMwh: true, curtailAfterWindows: true, resumeAfterWindows: true, plannerPolicy: true,
} as const;
type SettingsRow = Prisma.SiteGetPayload<{ select: typeof settingsSelect }>;

/** Stored overrides are read back through the schema: a key a newer version dropped is ignored, not fatal. */
export const readPolicyOverrides = (json: unknown): PolicyOverrides => {
  const parsed = ZPolicyOverrides.safeParse(json);
  if (parsed.success) return parsed.data;
  const shape = ZPolicyOverrides.shape;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json && typeof json === "object" ? json : {})) {
    if (shape[key as keyof typeof shape]?.safeParse(value).success) out[key] = value;
  }
  return out as PolicyOverrides;
};

const tariffSelect = {
  id: true, name: true, basePerKwh: true, validFrom: true,
  windows: { select: { days: true, startMinute: true, endMinute: true, perKwh: true }, orderBy: { startMinute: "asc" as const } },
} as const;

const toTariffView = (t: Prisma.TariffGetPayload<{ select: typeof tariffSelect }>): TariffView => ({
  id: t.id,
  name: t.name,
  basePerKwh: t.basePerKwh.toString(),
  validFrom: t.validFrom.toISOString(),
  windows: t.windows.map((w) => ({ days: w.days, from: clock(w.startMinute), to: clock(w.endMinute), perKwh: w.perKwh.toString() })),
});

const toSettings = (s: SettingsRow, tariff: TariffView | null): SiteSettings => ({
  siteId: s.id,
  name: s.name,
  timezone: s.timezone,
  currency: s.currency,
  powerCapKw: s.powerCapKw.toString(),
  energySource: s.energySource,
  curtailment:
    s.curtailStrikePerMwh === null
      ? null
      : {
          strikePerMwh: s.curtailStrikePerMwh.toString(),
          immediatePerMwh: s.curtailImmediatePerMwh?.toString() ?? null,
          afterWindows: s.curtailAfterWindows,
          resumeAfterWindows: s.resumeAfterWindows,
        },
  policy: readPolicyOverrides(s.plannerPolicy),
  tariff,
});

/** The tariff in force at `at`: the newest one valid from then or earlier. */
export const findTariffView = async (db: Db, siteId: string, at: Date) => {
  const t = await db.tariff.findFirst({ where: { siteId, validFrom: { lte: at } }, orderBy: { validFrom: "desc" }, select: tariffSelect });
  return t ? toTariffView(t) : null;
};

export const getSiteSettings = async (db: Db, siteId: string, now: Date): Promise<SiteSettings> => {
  const site = await db.site.findUnique({ where: { id: siteId }, select: settingsSelect });
  if (!site) throw new DomainError("NOT_FOUND", `no site with id ${siteId}`, { siteId });
  return toSettings(site, await findTariffView(db, siteId, now));
};

export const updateSiteSettings = (db: PrismaClient, siteId: string, body: UpdateSiteSettingsBody, { actor, now }: { actor: Actor; now: Date }) =>
  db.$transaction(async (tx) => {
    const before = await getSiteSettings(tx, siteId, now);
    if (body.energySource === "TARIFF" && !before.tariff) {
      throw new DomainError("INVALID_INPUT", "energySource: the site has no tariff in force; PUT one first", { in: "body" });
    }
    if (body.energySource === "TRACE" && (await tx.energyPrice.count({ where: { siteId, at: { lte: now } } })) === 0) {
      throw new DomainError("INVALID_INPUT", "energySource: the site has no energy price at or before now; import a trace first", { in: "body" });
    }
    const c = body.curtailment;
    await tx.site.update({
      where: { id: siteId },
      data: {
        ...(body.powerCapKw !== undefined ? { powerCapKw: body.powerCapKw } : {}),
        ...(body.energySource !== undefined ? { energySource: body.energySource } : {}),
        ...(body.policy !== undefined ? { plannerPolicy: body.policy } : {}),
        ...(c === null ? { curtailStrikePerMwh: null, curtailImmediatePerMwh: null } : {}),
        ...(c
          ? { curtailStrikePerMwh: c.strikePerMwh, curtailImmediatePerMwh: c.immediatePerMwh, curtailAfterWindows: c.afterWindows, resumeAfterWindows: c.resumeAfterWindows }
          : {}),
      },
    });
    const after = await getSiteSettings(tx, siteId, now);
    const pick = (s: SiteSettings) => ({ powerCapKw: s.powerCapKw, energySource: s.energySource, curtailment: s.curtailment, policy: s.policy });
    await recordAudit(tx, {
      ...actor, action: "site.settings-updated", targetType: "site", targetId: siteId,
      details: { before: pick(before), after: pick(after) } as Prisma.InputJsonObject,
    });
    return after;
  });

/** A new tariff from `validFrom` (default now); older ones stay for the books of their hours. */
export const setSiteTariff = (db: PrismaClient, siteId: string, body: TariffBody, { actor, now }: { actor: Actor; now: Date }) =>
  db.$transaction(async (tx) => {
    if (!(await tx.site.findUnique({ where: { id: siteId }, select: { id: true } }))) {
      throw new DomainError("NOT_FOUND", `no site with id ${siteId}`, { siteId });
    }
    body.windows.forEach((w, i) => {
      try {
        parseDays(w.days);
      } catch (err) {
        throw new DomainError("INVALID_INPUT", `windows.${i}.days: ${(err as Error).message}`, { in: "body" });
      }
    });
    const tariff = await tx.tariff.create({
      data: {
        siteId,
        name: body.name,
        basePerKwh: body.basePerKwh,
        validFrom: body.validFrom ? new Date(body.validFrom) : now,
        windows: { create: body.windows.map((w) => ({ days: w.days.toLowerCase().replace(/\s+/g, ""), startMinute: minuteOf(w.from), endMinute: minuteOf(w.to), perKwh: w.perKwh })) },
      },
      select: tariffSelect,
    });
    const view = toTariffView(tariff);
    await recordAudit(tx, { ...actor, action: "site.tariff-set", targetType: "site", targetId: siteId, details: view as unknown as Prisma.InputJsonObject });
    return view;
  });
