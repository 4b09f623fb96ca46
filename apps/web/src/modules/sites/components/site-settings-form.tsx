"use client";

import { useState } from "react";
import type { SiteSettings } from "@rigshift/protocol";
import { ApiError } from "@/modules/api-client";
import { splitFieldErrors } from "@/modules/planning/lib/field-errors";
import { useSiteSettings, useUpdateSiteSettings } from "../hooks/use-site-settings";
import { type Errors, POLICY_FIELDS, type SettingsFormValues, toSettingsBody, toSettingsForm } from "../lib/settings-form";
import { EnergyTrace } from "./energy-trace";
import { Field, inputClass } from "./field";
import { TariffEditor } from "./tariff-editor";

/** The planner's defaults, shown where a site keeps them (packages/planner DEFAULT_POLICY). */
export type PolicyDefaults = Record<(typeof POLICY_FIELDS)[number]["key"], number> & { allowAiPreemption: boolean };

const KNOWN_PATHS = [
  "powerCapKw", "curtailment.strikePerMwh", "curtailment.immediatePerMwh", "curtailment.afterWindows",
  "curtailment.resumeAfterWindows", "curtailment", ...POLICY_FIELDS.map((f) => `policy.${f.key}`), "policy.allowAiPreemption", "policy",
];

const Section = ({ title, children, testId, aside }: { title: string; children: React.ReactNode; testId: string; aside?: React.ReactNode }) => (
  <section data-testid={testId} className="space-y-2 rounded-lg border border-slate-800 bg-slate-900/40 p-3">
    <div className="flex items-center justify-between gap-2">
      <h2 className="text-sm font-semibold text-slate-200">{title}</h2>
      {aside}
    </div>
    {children}
  </section>
);

/** Which price the planner uses: a switch saved at once, since the API checks the source has prices now. */
const EnergySource = ({ settings, readOnly }: { settings: SiteSettings; readOnly: boolean }) => {
  const save = useUpdateSiteSettings(settings.siteId);
  const use = (source: "TARIFF" | "TRACE", label: string) =>
    settings.energySource === source ? (
      <span data-testid={`energy-in-use-${source.toLowerCase()}`} className="rounded bg-emerald-500/15 px-1.5 py-0.5 text-xs font-medium text-emerald-300 ring-1 ring-inset ring-emerald-500/40">
        used for planning
      </span>
    ) : readOnly ? (
      <span className="text-xs text-slate-500">not used</span>
    ) : (
      <button
        type="button"
        data-testid={`energy-use-${source.toLowerCase()}`}
        disabled={save.isPending}
        onClick={() => save.mutate({ energySource: source })}
        className="rounded border border-slate-700 bg-slate-800 px-2 py-0.5 text-xs text-slate-100 hover:bg-slate-700 disabled:opacity-40"
      >
        {label}
      </button>
    );
  return (
    <section data-testid="settings-energy" className="space-y-2">
      <h2 className="text-sm font-semibold text-slate-200">Energy price</h2>
      {save.isError ? (
        <p role="alert" data-testid="energy-source-error" className="text-sm text-rose-300">
          Not switched: {save.error.message}
        </p>
      ) : null}
      <div className="grid gap-4 lg:grid-cols-2">
        <Section title="Time-of-use tariff" testId="settings-tariff" aside={use("TARIFF", "Use the tariff for planning")}>
          <TariffEditor siteId={settings.siteId} siteName={settings.name} currency={settings.currency} timezone={settings.timezone} tariff={settings.tariff} readOnly={readOnly} />
        </Section>
        <Section title="Price trace (spot prices)" testId="settings-trace" aside={use("TRACE", "Use the trace for planning")}>
          <EnergyTrace siteId={settings.siteId} currency={settings.currency} readOnly={readOnly} />
        </Section>
      </div>
    </section>
  );
};

/** A site's planning settings: power cap, energy source, curtailment, policy. Read-only for viewers and finance. */
export const SiteSettingsForm = ({ initial, defaults, readOnly, role }: { initial: SiteSettings; defaults: PolicyDefaults; readOnly: boolean; role: string }) => {
  const settings = useSiteSettings(initial.siteId, initial).data ?? initial;
  const save = useUpdateSiteSettings(initial.siteId);
  const [values, setValues] = useState<SettingsFormValues>(() => toSettingsForm(initial));
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const cur = settings.currency;

  const set = <K extends keyof SettingsFormValues>(key: K, value: SettingsFormValues[K], path: string = key) => {
    setValues((v) => ({ ...v, [key]: value }));
    setErrors((e) => ({ ...e, [path]: "" }));
    setSaved(false);
  };

  const onSubmit = (e: React.FormEvent) => {
    e.preventDefault();
    setSaved(false);
    setFormError(null);
    const r = toSettingsBody(values);
    if (r.errors) return setErrors(r.errors);
    setErrors({});
    save.mutate(r.body, {
      onSuccess: (after) => {
        setValues(toSettingsForm(after));
        setSaved(true);
      },
      onError: (err) => {
        if (!(err instanceof ApiError) || err.code !== "INVALID_INPUT") return setFormError(err.message);
        const split = splitFieldErrors(err.message, KNOWN_PATHS);
        setErrors(split.fields);
        setFormError(split.form);
      },
    });
  };

  return (
    <div className="space-y-4">
      {readOnly ? (
        <p data-testid="settings-read-only" className="rounded border border-slate-800 bg-slate-900/60 px-3 py-2 text-sm text-slate-400">
          Read-only: you are signed in as {role}. Operators and admins change these settings.
        </p>
      ) : null}
      <form onSubmit={onSubmit} noValidate data-testid="site-settings-form" className="space-y-4">
        <fieldset disabled={readOnly} className="space-y-4">
          <div className="grid gap-4 lg:grid-cols-2">
            <Section title="Power" testId="settings-power">
              <Field label="Site power cap (kW)" error={errors.powerCapKw} hint="The planner keeps the site's GPUs under this, choosing by margin per kW." testId="power-cap">
                <input
                  data-testid="power-cap"
                  inputMode="decimal"
                  value={values.powerCapKw}
                  onChange={(e) => set("powerCapKw", e.target.value)}
                  className={`${inputClass(errors.powerCapKw)} w-40`}
                />
              </Field>
            </Section>
            <Section title="Curtailment" testId="settings-curtailment">
              <label className="flex items-center gap-2 text-sm text-slate-300">
                <input type="checkbox" data-testid="curtail-enabled" checked={values.curtail} onChange={(e) => set("curtail", e.target.checked, "curtailment")} className="accent-sky-500" />
                Stop the site when energy is too expensive
              </label>
              {values.curtail ? (
                <div className="flex flex-wrap gap-3">
                  <Field label={`Strike price (${cur}/MWh)`} error={errors["curtailment.strikePerMwh"]} testId="curtail-strike">
                    <input data-testid="curtail-strike" inputMode="decimal" value={values.strikePerMwh} onChange={(e) => set("strikePerMwh", e.target.value, "curtailment.strikePerMwh")} className={`${inputClass(errors["curtailment.strikePerMwh"])} w-32`} />
                  </Field>
                  <Field label="Windows above before stopping" error={errors["curtailment.afterWindows"]} testId="curtail-after">
                    <input data-testid="curtail-after" inputMode="numeric" value={values.afterWindows} onChange={(e) => set("afterWindows", e.target.value, "curtailment.afterWindows")} className={`${inputClass(errors["curtailment.afterWindows"])} w-24`} />
                  </Field>
                  <Field label="Windows below before resuming" error={errors["curtailment.resumeAfterWindows"]} testId="curtail-resume">
                    <input data-testid="curtail-resume" inputMode="numeric" value={values.resumeAfterWindows} onChange={(e) => set("resumeAfterWindows", e.target.value, "curtailment.resumeAfterWindows")} className={`${inputClass(errors["curtailment.resumeAfterWindows"])} w-24`} />
                  </Field>
                  <Field label={`Stop at once at (${cur}/MWh)`} hint="empty: no immediate stop" error={errors["curtailment.immediatePerMwh"]} testId="curtail-immediate">
                    <input data-testid="curtail-immediate" inputMode="decimal" value={values.immediatePerMwh} onChange={(e) => set("immediatePerMwh", e.target.value, "curtailment.immediatePerMwh")} className={`${inputClass(errors["curtailment.immediatePerMwh"])} w-32`} />
                  </Field>
                </div>
              ) : (
                <p className="text-xs text-slate-500">Off: the site runs whatever the price; the planner still idles GPUs that do not pay for their energy.</p>
              )}
              {errors.curtailment ? <p role="alert" className="text-xs text-rose-300">{errors.curtailment}</p> : null}
            </Section>
          </div>

          <Section title="Planner policy" testId="settings-policy">
            <p className="text-xs text-slate-500">Empty fields keep the planner&apos;s default. These rules keep GPUs from flapping between modes.</p>
            <div className="grid grid-cols-2 gap-3 md:grid-cols-4 xl:grid-cols-5">
              {POLICY_FIELDS.map((f) => {
                const path = `policy.${f.key}`;
                return (
                  <Field key={f.key} label={f.label} error={errors[path]} hint={f.hint || undefined} testId={`policy-${f.key}`}>
                    <input
                      data-testid={`policy-${f.key}`}
                      inputMode="decimal"
                      placeholder={`default ${defaults[f.key]}`}
                      value={values.policy[f.key]}
                      onChange={(e) => set("policy", { ...values.policy, [f.key]: e.target.value }, path)}
                      className={inputClass(errors[path])}
                    />
                  </Field>
                );
              })}
              <Field label="Pre-empt AI before its min run" error={errors["policy.allowAiPreemption"]} testId="policy-allowAiPreemption">
                <select
                  data-testid="policy-allowAiPreemption"
                  value={values.allowAiPreemption}
                  onChange={(e) => set("allowAiPreemption", e.target.value as SettingsFormValues["allowAiPreemption"], "policy.allowAiPreemption")}
                  className={inputClass(errors["policy.allowAiPreemption"])}
                >
                  <option value="default">default ({defaults.allowAiPreemption ? "yes" : "no"})</option>
                  <option value="yes">yes</option>
                  <option value="no">no</option>
                </select>
              </Field>
            </div>
          </Section>

        </fieldset>

        {readOnly ? null : (
          <div className="flex flex-wrap items-center gap-3">
            <button type="submit" data-testid="settings-save" disabled={save.isPending} className="rounded bg-sky-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-500 disabled:opacity-50">
              {save.isPending ? "Saving…" : "Save settings"}
            </button>
            {formError || Object.values(errors).some(Boolean) ? (
              <span role="alert" data-testid="settings-error" className="text-sm text-rose-300">
                Not saved: {formError ?? "fix the fields marked in red"}
              </span>
            ) : null}
            {saved ? (
              <span role="status" data-testid="settings-saved" className="text-sm text-emerald-300">
                Saved. The next plan (within about a minute) uses these settings.
              </span>
            ) : null}
          </div>
        )}
      </form>

      <EnergySource settings={settings} readOnly={readOnly} />
    </div>
  );
};
