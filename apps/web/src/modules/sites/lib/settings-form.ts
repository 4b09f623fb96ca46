import {
  type PolicyOverrides,
  type SiteSettings,
  type TariffBody,
  type TariffView,
  type UpdateSiteSettingsBody,
  ZTariffBody,
  ZUpdateSiteSettingsBody,
} from "@rigshift/protocol";

/**
 * The site settings form's text fields ↔ the API's bodies (the energy source is switched on its
 * own, so a form opened before a switch cannot switch it back). Errors are keyed by the body path the
 * API uses ("curtailment.strikePerMwh", "policy.minGainPct", "windows.1.to"), so the server's
 * messages land under the same fields as the form's own.
 */

export type Errors = Record<string, string>;

/** The policy settings a site may override, in the order the form shows them. */
export const POLICY_FIELDS = [
  { key: "minGainPct", label: "Min gain %", hint: "a switch must beat staying by this share" },
  { key: "minGainUsdPerHour", label: "Min gain $/h", hint: "…and by this much per GPU-hour" },
  { key: "confirmPlans", label: "Confirmations", hint: "plans in a row a switch must win" },
  { key: "minDwellMin", label: "Min dwell (min)", hint: "time a GPU keeps a mode" },
  { key: "minAiRunMin", label: "Min AI run (min)", hint: "before AI work may be stopped" },
  { key: "hashWarmupMin", label: "Hash warm-up (min)", hint: "DAG build and share ramp, counted as a cost" },
  { key: "aiCheckpointMin", label: "AI checkpoint loss (min)", hint: "work lost when a job is stopped" },
  { key: "amortizeHours", label: "Spread switch cost over (h)", hint: "" },
] as const satisfies readonly { key: Exclude<keyof PolicyOverrides, "allowAiPreemption">; label: string; hint: string }[];
type NumericPolicyKey = (typeof POLICY_FIELDS)[number]["key"];

export type SettingsFormValues = {
  powerCapKw: string;
  curtail: boolean;
  strikePerMwh: string;
  immediatePerMwh: string;
  afterWindows: string;
  resumeAfterWindows: string;
  /** Empty: the planner's default. */
  policy: Record<NumericPolicyKey, string>;
  allowAiPreemption: "default" | "yes" | "no";
};

export const toSettingsForm = (s: SiteSettings): SettingsFormValues => ({
  powerCapKw: s.powerCapKw,
  curtail: s.curtailment !== null,
  strikePerMwh: s.curtailment?.strikePerMwh ?? "",
  immediatePerMwh: s.curtailment?.immediatePerMwh ?? "",
  afterWindows: String(s.curtailment?.afterWindows ?? 1),
  resumeAfterWindows: String(s.curtailment?.resumeAfterWindows ?? 1),
  policy: Object.fromEntries(POLICY_FIELDS.map((f) => [f.key, s.policy[f.key] === undefined ? "" : String(s.policy[f.key])])) as Record<NumericPolicyKey, string>,
  allowAiPreemption: s.policy.allowAiPreemption === undefined ? "default" : s.policy.allowAiPreemption ? "yes" : "no",
});

const numberOr = (text: string, errors: Errors, path: string): number | undefined => {
  if (text.trim() === "") return undefined;
  const n = Number(text.trim());
  if (!Number.isFinite(n)) errors[path] = "must be a number";
  return n;
};

export type SettingsResult = { body: UpdateSiteSettingsBody; errors: null } | { body: null; errors: Errors };

export const toSettingsBody = (v: SettingsFormValues): SettingsResult => {
  const errors: Errors = {};
  const policy: Record<string, number | boolean> = {};
  for (const f of POLICY_FIELDS) {
    const n = numberOr(v.policy[f.key], errors, `policy.${f.key}`);
    if (n !== undefined) policy[f.key] = n;
  }
  if (v.allowAiPreemption !== "default") policy.allowAiPreemption = v.allowAiPreemption === "yes";
  const whole = (text: string, path: string) => {
    const n = numberOr(text, errors, path) ?? 1;
    if (!Number.isInteger(n)) errors[path] ??= "must be a whole number";
    return n;
  };
  if (v.curtail && v.strikePerMwh.trim() === "") errors["curtailment.strikePerMwh"] = "required when curtailment is on";
  const raw = {
    powerCapKw: v.powerCapKw.trim(),
    curtailment: v.curtail
      ? {
          strikePerMwh: v.strikePerMwh.trim(),
          immediatePerMwh: v.immediatePerMwh.trim() === "" ? null : v.immediatePerMwh.trim(),
          afterWindows: whole(v.afterWindows, "curtailment.afterWindows"),
          resumeAfterWindows: whole(v.resumeAfterWindows, "curtailment.resumeAfterWindows"),
        }
      : null,
    policy,
  };
  const parsed = ZUpdateSiteSettingsBody.safeParse(raw);
  if (!parsed.success) for (const issue of parsed.error.issues) errors[issue.path.map(String).join(".")] ??= issue.message;
  if (Object.keys(errors).length) return { body: null, errors };
  return { body: parsed.data!, errors: null };
};

// Tariff editor.

export type TariffFormValues = { name: string; basePerKwh: string; windows: { days: string; from: string; to: string; perKwh: string }[] };

export const toTariffForm = (t: TariffView | null, siteName: string): TariffFormValues =>
  t
    ? { name: t.name, basePerKwh: t.basePerKwh, windows: t.windows.map((w) => ({ ...w })) }
    : { name: `${siteName} tariff`, basePerKwh: "", windows: [] };

export type TariffResult = { body: TariffBody; errors: null } | { body: null; errors: Errors };

export const toTariffBody = (v: TariffFormValues): TariffResult => {
  const raw = {
    name: v.name.trim(),
    basePerKwh: v.basePerKwh.trim(),
    windows: v.windows.map((w) => ({ days: w.days.trim(), from: w.from.trim(), to: w.to.trim(), perKwh: w.perKwh.trim() })),
  };
  const parsed = ZTariffBody.safeParse(raw);
  if (parsed.success) return { body: parsed.data, errors: null };
  const errors: Errors = {};
  for (const issue of parsed.error.issues) errors[issue.path.map(String).join(".")] ??= issue.message;
  return { body: null, errors };
};
