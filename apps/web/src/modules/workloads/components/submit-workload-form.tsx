"use client";

import { useState } from "react";
import { ApiError } from "@/modules/api-client";
import { splitFieldErrors } from "@/modules/planning/lib/field-errors";
import { useSubmitWorkload } from "../hooks/use-workloads";
import {
  EMPTY_WORKLOAD_FORM,
  formFieldOf,
  toWorkloadSubmission,
  WORKLOAD_BODY_FIELDS,
  type WorkloadField,
  type WorkloadFormValues,
} from "../lib/workload-form";

const input = "w-full rounded border bg-slate-900 px-2 py-1 text-sm text-slate-100";

type FieldSpec = { field: Exclude<WorkloadField, "sameRig">; label: string; hint?: string; type?: string; placeholder?: string; wide?: boolean };

const FIELDS: FieldSpec[] = [
  { field: "name", label: "Name", placeholder: "e.g. llama-3-8b-finetune", wide: true },
  { field: "customer", label: "Customer", placeholder: "e.g. Northwind AI", wide: true },
  { field: "gpusNeeded", label: "GPUs", type: "number" },
  { field: "minVramGb", label: "Min VRAM per GPU (GB)", type: "number", placeholder: "e.g. 24" },
  { field: "expectedHours", label: "Expected hours", hint: "empty: open-ended", placeholder: "open-ended" },
  { field: "usdPerGpuHour", label: "Price ($ per GPU-hour)", placeholder: "e.g. 0.45" },
  { field: "priority", label: "Priority", type: "number", hint: "higher is placed first" },
  { field: "checkpointGraceS", label: "Checkpoint grace (s)", type: "number", hint: "from stop signal to kill" },
  { field: "earliestStart", label: "Earliest start", type: "datetime-local", hint: "your local time; empty: now" },
  { field: "deadline", label: "Deadline", type: "datetime-local", hint: "your local time; empty: none" },
  { field: "image", label: "Container image", placeholder: "optional, e.g. ghcr.io/acme/train:1.0", wide: true },
  { field: "command", label: "Command", placeholder: "optional, e.g. python train.py", wide: true },
];

/** Submit AI work to the queue; every field's error is shown under it, the server's too. */
export const SubmitWorkloadForm = () => {
  const submit = useSubmitWorkload();
  const [values, setValues] = useState<WorkloadFormValues>(EMPTY_WORKLOAD_FORM);
  const [errors, setErrors] = useState<Partial<Record<WorkloadField, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitted, setSubmitted] = useState<string | null>(null);

  const set = (field: WorkloadField, value: string | boolean) => {
    setValues((v) => ({ ...v, [field]: value }));
    setErrors((e) => ({ ...e, [field]: undefined }));
  };

  const onSubmit = (e: React.FormEvent) => {
    e.preventDefault();
    setSubmitted(null);
    setFormError(null);
    const result = toWorkloadSubmission(values);
    if (result.errors) return setErrors(result.errors);
    setErrors({});
    submit.mutate(result.body, {
      onSuccess: (w) => {
        setSubmitted(w.name);
        setValues(EMPTY_WORKLOAD_FORM);
      },
      onError: (err) => {
        if (!(err instanceof ApiError) || err.code !== "INVALID_INPUT") return setFormError(err.message);
        const split = splitFieldErrors(err.message, WORKLOAD_BODY_FIELDS);
        const byField: Partial<Record<WorkloadField, string>> = {};
        for (const [path, message] of Object.entries(split.fields)) byField[formFieldOf(path)!] = message;
        setErrors(byField);
        setFormError(split.form);
      },
    });
  };

  return (
    <form onSubmit={onSubmit} noValidate data-testid="workload-form" className="space-y-3 rounded-lg border border-slate-800 bg-slate-900/40 p-3">
      <h2 className="text-sm font-semibold text-slate-200">Submit a workload</h2>
      <div className="grid grid-cols-2 gap-3 md:grid-cols-4 xl:grid-cols-6">
        {FIELDS.map((f) => (
          <label key={f.field} className={`flex flex-col gap-1 text-xs text-slate-400 ${f.wide ? "col-span-2" : ""}`}>
            {f.label}
            <input
              name={f.field}
              data-testid={`workload-${f.field}`}
              type={f.type === "number" ? "text" : (f.type ?? "text")}
              inputMode={f.type === "number" ? "decimal" : undefined}
              placeholder={f.placeholder}
              value={values[f.field]}
              onChange={(e) => set(f.field, e.target.value)}
              aria-invalid={errors[f.field] ? true : undefined}
              className={`${input} ${errors[f.field] ? "border-rose-500" : "border-slate-700"}`}
            />
            {errors[f.field] ? (
              <span data-testid={`workload-${f.field}-error`} role="alert" className="text-rose-300">
                {errors[f.field]}
              </span>
            ) : f.hint ? (
              <span className="text-slate-500">{f.hint}</span>
            ) : null}
          </label>
        ))}
        <label className="flex items-center gap-2 self-center text-sm text-slate-300">
          <input type="checkbox" data-testid="workload-sameRig" checked={values.sameRig} onChange={(e) => set("sameRig", e.target.checked)} className="accent-sky-500" />
          All GPUs on one rig
        </label>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <button
          type="submit"
          data-testid="workload-submit"
          disabled={submit.isPending}
          className="rounded bg-sky-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-500 disabled:opacity-50"
        >
          {submit.isPending ? "Submitting…" : "Submit to the queue"}
        </button>
        {formError ? (
          <span role="alert" data-testid="workload-form-error" className="text-sm text-rose-300">
            Not submitted: {formError}
          </span>
        ) : null}
        {submitted ? (
          <span role="status" data-testid="workload-submitted" className="text-sm text-emerald-300">
            {submitted} is in the queue; the next plan (within about a minute) places it.
          </span>
        ) : null}
      </div>
    </form>
  );
};
