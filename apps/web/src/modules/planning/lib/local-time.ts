/**
 * The operator picks times in their browser's zone (a datetime-local input has none); the API
 * takes ISO instants. These convert both ways and name the zone wherever a time is shown.
 */

const pad = (n: number) => String(n).padStart(2, "0");

/** A Date as a datetime-local value in the browser's zone: "2026-03-01T14:30". */
export const toLocalInput = (d: Date) =>
  `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;

/** A datetime-local value (browser's zone) as an ISO instant; null when empty or not a time. */
export const fromLocalInput = (value: string): string | null => {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return null;
  const d = new Date(value); // no offset in the text: read in the browser's zone
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
};

/** "Tue 25 Nov, 16:30 CET": short, with the zone, in the browser's zone. */
export const formatLocalTime = (iso: string) =>
  new Intl.DateTimeFormat(undefined, {
    weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hour12: false, timeZoneName: "short",
  }).format(new Date(iso));

/** "in 3 h 20 min" / "5 min ago" relative to now. */
export const formatRelative = (iso: string, now: number) => {
  const diffMin = Math.round((Date.parse(iso) - now) / 60_000);
  const abs = Math.abs(diffMin);
  if (abs === 0) return "just now";
  const text = abs < 60 ? `${abs} min` : abs < 48 * 60 ? `${Math.floor(abs / 60)} h${abs % 60 ? ` ${abs % 60} min` : ""}` : `${Math.round(abs / 1440)} d`;
  return diffMin >= 0 ? `in ${text}` : `${text} ago`;
};

/** "16:30" when it is today, else "Wed 16:30": for dense table cells (the full time is in the title). */
export const formatShortLocalTime = (iso: string, now: number) => {
  const d = new Date(iso);
  const sameDay = new Date(now).toDateString() === d.toDateString();
  return new Intl.DateTimeFormat(undefined, { ...(sameDay ? {} : { weekday: "short" }), hour: "2-digit", minute: "2-digit", hour12: false }).format(d);
};
