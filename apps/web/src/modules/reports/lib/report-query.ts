import { type ReportGroupBy, ZReportGroupBy } from "@rigshift/protocol";

/**
 * The report form's query → a period. The form's datetime-local inputs carry no zone and are
 * read as UTC (the ledger books UTC hours); full ISO times with an offset are accepted too, so
 * links from the API docs work. Default: the last 7 whole UTC hours × 24.
 */

const HOUR_MS = 3_600_000;
const LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;

export type ReportPeriod = { from: Date; to: Date; groupBy: ReportGroupBy };
export type ParsedReportQuery = { period: ReportPeriod; error: string | null };

const parseTime = (value: string) => {
  const text = LOCAL.test(value) ? `${value}Z` : value;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms);
};

export const defaultPeriod = (now: Date): ReportPeriod => {
  const to = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS);
  return { from: new Date(to.getTime() - 7 * 24 * HOUR_MS), to, groupBy: "site" };
};

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

export const parseReportQuery = (params: Record<string, string | string[] | undefined>, now: Date): ParsedReportQuery => {
  const period = defaultPeriod(now);
  const errors: string[] = [];
  const from = one(params.from);
  const to = one(params.to);
  const groupBy = one(params.groupBy);
  if (from) {
    const d = parseTime(from);
    if (d) period.from = d;
    else errors.push(`from: not a date and time (${from})`);
  }
  if (to) {
    const d = parseTime(to);
    if (d) period.to = d;
    else errors.push(`to: not a date and time (${to})`);
  }
  if (groupBy) {
    const g = ZReportGroupBy.safeParse(groupBy);
    if (g.success) period.groupBy = g.data;
    else errors.push(`groupBy: must be site, rig or gpu`);
  }
  if (errors.length === 0 && period.from >= period.to) errors.push("to: must be after from");
  return { period, error: errors.length ? errors.join("; ") : null };
};

/** A Date as the value of a datetime-local input, in UTC. */
export const toInputValue = (d: Date) => d.toISOString().slice(0, 16);

/** The API query of the same period (ISO with Z), for the CSV link. */
export const toApiQuery = ({ from, to, groupBy }: ReportPeriod) =>
  new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), groupBy }).toString();
