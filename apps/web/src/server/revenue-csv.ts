import { stringify } from "csv-stringify/sync";
import type { RevenueLine, RevenueReport } from "@rigshift/protocol";

/** The revenue report as CSV: the same decimal strings as the JSON, so the two reconcile to the cent. */

export const REVENUE_CSV_HEADER = [
  "group",
  "key",
  "label",
  "hashing_revenue_usd",
  "ai_revenue_usd",
  "revenue_usd",
  "energy_cost_usd",
  "margin_usd",
  "energy_kwh",
] as const;

const row = (group: string, l: RevenueLine) => [
  group,
  l.key,
  l.label,
  l.hashingRevenueUsd,
  l.aiRevenueUsd,
  l.revenueUsd,
  l.energyCostUsd,
  l.marginUsd,
  l.energyKwh,
];

export const revenueCsv = (report: RevenueReport) =>
  stringify([[...REVENUE_CSV_HEADER], ...report.lines.map((l) => row(report.groupBy, l)), row("total", report.total)]);

// 2026-03-01T00:00:00.000Z → 2026-03-01T0000Z: no colons, which some file systems refuse.
const stamp = (iso: string) => iso.replace(/:\d\d\.\d{3}Z$|:\d\dZ$/, "Z").replace(/:/g, "");

export const revenueCsvFilename = (report: RevenueReport) => `rigshift-revenue-by-${report.groupBy}_${stamp(report.from)}_${stamp(report.to)}.csv`;
