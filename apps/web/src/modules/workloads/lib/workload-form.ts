import { ZCreateWorkloadBody } from "@rigshift/protocol";
import { fromLocalInput } from "../../planning/lib/local-time";
import type { WorkloadSubmission } from "../api";

/**
 * The submit form's text fields → the API body, checked with the API's own schema so the form
 * shows the same errors the server would, under the field they concern. VRAM is asked in GB
 * (how cards are sold) and sent in MiB; times are the operator's local time.
 */

export type WorkloadFormValues = {
  name: string;
  customer: string;
  gpusNeeded: string;
  minVramGb: string;
  sameRig: boolean;
  expectedHours: string;
  usdPerGpuHour: string;
  priority: string;
  earliestStart: string;
  deadline: string;
  checkpointGraceS: string;
  image: string;
  command: string;
};
export type WorkloadField = keyof WorkloadFormValues;

export const EMPTY_WORKLOAD_FORM: WorkloadFormValues = {
  name: "", customer: "", gpusNeeded: "1", minVramGb: "", sameRig: false, expectedHours: "", usdPerGpuHour: "",
  priority: "0", earliestStart: "", deadline: "", checkpointGraceS: "60", image: "", command: "",
};

/** The body's field each form field fills (the API names VRAM in MiB). */
const FIELD_OF_BODY: Record<string, WorkloadField> = { minVramMb: "minVramGb" };
export const WORKLOAD_FIELDS = Object.keys(EMPTY_WORKLOAD_FORM) as WorkloadField[];
/** Body paths as the API names them, for mapping a server error back to a field. */
export const WORKLOAD_BODY_FIELDS = [...WORKLOAD_FIELDS.filter((f) => f !== "minVramGb"), "minVramMb"];
export const formFieldOf = (bodyPath: string): WorkloadField | null => {
  const key = bodyPath.split(".")[0]!;
  return FIELD_OF_BODY[key] ?? (WORKLOAD_FIELDS.includes(key as WorkloadField) ? (key as WorkloadField) : null);
};

export type WorkloadFormResult = { body: WorkloadSubmission; errors: null } | { body: null; errors: Partial<Record<WorkloadField, string>> };

export const toWorkloadSubmission = (v: WorkloadFormValues): WorkloadFormResult => {
  const errors: Partial<Record<WorkloadField, string>> = {};
  const number = (field: WorkloadField, text: string, { whole }: { whole: boolean }) => {
    if (text.trim() === "") {
      errors[field] = "required";
      return 0;
    }
    const n = Number(text.trim());
    if (!Number.isFinite(n) || (whole && !Number.isInteger(n))) errors[field] = whole ? "must be a whole number" : "must be a number";
    return n;
  };
  const time = (field: WorkloadField, text: string) => {
    if (text.trim() === "") return null;
    const iso = fromLocalInput(text.trim());
    if (!iso) errors[field] = "not a date and time";
    return iso;
  };
  const gb = number("minVramGb", v.minVramGb, { whole: false });
  const raw = {
    name: v.name.trim(),
    customer: v.customer.trim(),
    gpusNeeded: number("gpusNeeded", v.gpusNeeded, { whole: true }),
    // GiB as the drivers report them: 24 GB is 24,576 MiB.
    minVramMb: Math.round(gb * 1024),
    sameRig: v.sameRig,
    expectedHours: v.expectedHours.trim() === "" ? null : v.expectedHours.trim(),
    usdPerGpuHour: v.usdPerGpuHour.trim(),
    priority: number("priority", v.priority, { whole: true }),
    earliestStart: time("earliestStart", v.earliestStart),
    deadline: time("deadline", v.deadline),
    checkpointGraceS: number("checkpointGraceS", v.checkpointGraceS, { whole: true }),
    image: v.image.trim() || null,
    command: v.command.trim() || null,
  };
  const parsed = ZCreateWorkloadBody.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = formFieldOf(issue.path.map(String).join("."));
      if (field && !errors[field]) errors[field] = issue.message;
    }
  }
  if (Object.keys(errors).length) return { body: null, errors };
  return { body: raw, errors: null };
};
