"use client";

import { useState } from "react";
import type { TariffView } from "@rigshift/protocol";
import { ApiError } from "@/modules/api-client";
import { splitFieldErrors } from "@/modules/planning/lib/field-errors";
import { LocalTime } from "@/modules/planning/components/local-time";
import { useSetTariff } from "../hooks/use-site-settings";
import { type Errors, toTariffBody, toTariffForm, type TariffFormValues } from "../lib/settings-form";
import { Field, inputClass } from "./field";

const button = "rounded border border-slate-700 bg-slate-800 px-3 py-1 text-sm text-slate-100 hover:bg-slate-700 disabled:opacity-40";

/**
 * The time-of-use tariff: a base price and windows (days, from–to in the site's time zone, price).
 * Saving makes a new tariff valid from now; the old one stays for the books of its hours.
 */
export const TariffEditor = ({
  siteId,
  siteName,
  currency,
  timezone,
  tariff,
  readOnly,
}: {
  siteId: string;
  siteName: string;
  currency: string;
  timezone: string;
  tariff: TariffView | null;
  readOnly: boolean;
}) => {
  const save = useSetTariff(siteId);
  const [values, setValues] = useState<TariffFormValues>(() => toTariffForm(tariff, siteName));
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  const setWindow = (i: number, key: keyof TariffFormValues["windows"][number], value: string) => {
    setValues((v) => ({ ...v, windows: v.windows.map((w, j) => (j === i ? { ...w, [key]: value } : w)) }));
    setSaved(false);
  };

  const onSave = () => {
    setSaved(false);
    setFormError(null);
    const r = toTariffBody(values);
    if (r.errors) return setErrors(r.errors);
    setErrors({});
    save.mutate(r.body, {
      onSuccess: () => setSaved(true),
      onError: (err) => {
        if (!(err instanceof ApiError) || err.code !== "INVALID_INPUT") return setFormError(err.message);
        // Window paths are dynamic ("windows.2.days"): take every path the message names.
        const paths = [...err.message.matchAll(/(?:^|; )([A-Za-z0-9_.]+): /g)].map((m) => m[1]!);
        const split = splitFieldErrors(err.message, paths);
        setErrors(split.fields);
        setFormError(split.form);
      },
    });
  };

  return (
    <div data-testid="tariff-editor" className="space-y-2">
      <p className="text-xs text-slate-500">
        {tariff ? (
          <>
            In force since <LocalTime iso={tariff.validFrom} relative={false} />. Prices in {currency} per kWh; window times in the site&apos;s zone (
            {timezone}). Outside every window the base price applies.
          </>
        ) : (
          `No tariff yet. Prices in ${currency} per kWh; window times in ${timezone}.`
        )}
      </p>
      <div className="flex flex-wrap gap-3">
        <Field label="Tariff name" error={errors.name} testId="tariff-name">
          <input data-testid="tariff-name" disabled={readOnly} value={values.name} onChange={(e) => setValues({ ...values, name: e.target.value })} className={inputClass(errors.name)} />
        </Field>
        <Field label={`Base price (${currency}/kWh)`} error={errors.basePerKwh} testId="tariff-base">
          <input
            data-testid="tariff-base"
            disabled={readOnly}
            inputMode="decimal"
            value={values.basePerKwh}
            onChange={(e) => setValues({ ...values, basePerKwh: e.target.value })}
            className={inputClass(errors.basePerKwh)}
          />
        </Field>
      </div>
      <table className="text-sm">
        <thead>
          <tr className="text-left text-[11px] uppercase tracking-wide text-slate-400">
            <th className="pr-2 font-medium">Days</th>
            <th className="pr-2 font-medium">From</th>
            <th className="pr-2 font-medium">To</th>
            <th className="pr-2 font-medium">{currency}/kWh</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {values.windows.length === 0 ? (
            <tr>
              <td colSpan={5} className="py-1 text-xs text-slate-500">
                No windows: the base price applies all day.
              </td>
            </tr>
          ) : null}
          {values.windows.map((w, i) => (
            <tr key={i} data-testid={`tariff-window-${i}`} className="align-top">
              {(["days", "from", "to", "perKwh"] as const).map((key) => {
                const error = errors[`windows.${i}.${key}`];
                return (
                  <td key={key} className="pb-1 pr-2">
                    <input
                      aria-label={`window ${i + 1} ${key}`}
                      data-testid={`tariff-window-${i}-${key}`}
                      disabled={readOnly}
                      value={w[key]}
                      placeholder={key === "days" ? "mon-fri" : key === "perKwh" ? "0.14" : "HH:MM"}
                      onChange={(e) => setWindow(i, key, e.target.value)}
                      className={`${inputClass(error)} ${key === "days" ? "w-28" : "w-20"}`}
                    />
                    {error ? (
                      <div role="alert" className="max-w-[14rem] text-xs text-rose-300">
                        {error}
                      </div>
                    ) : null}
                  </td>
                );
              })}
              <td className="pb-1">
                {readOnly ? null : (
                  <button type="button" aria-label={`remove window ${i + 1}`} onClick={() => setValues({ ...values, windows: values.windows.filter((_, j) => j !== i) })} className={button}>
                    Remove
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {readOnly ? null : (
        <div className="flex flex-wrap items-center gap-2">
          <button
            type="button"
            data-testid="tariff-add-window"
            onClick={() => setValues({ ...values, windows: [...values.windows, { days: "mon-fri", from: "07:00", to: "22:00", perKwh: "" }] })}
            className={button}
          >
            Add window
          </button>
          <button type="button" data-testid="tariff-save" disabled={save.isPending} onClick={onSave} className={button}>
            {save.isPending ? "Saving…" : "Save tariff (valid from now)"}
          </button>
          {formError ? (
            <span role="alert" data-testid="tariff-error" className="text-sm text-rose-300">
              Not saved: {formError}
            </span>
          ) : null}
          {saved ? (
            <span role="status" data-testid="tariff-saved" className="text-sm text-emerald-300">
              Tariff saved.
            </span>
          ) : null}
        </div>
      )}
      <p className="text-xs text-slate-500">Days: mon-fri, sat,sun or daily. A window that crosses midnight is two windows (22:00–24:00 and 00:00–06:00).</p>
    </div>
  );
};
