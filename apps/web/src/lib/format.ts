/** Display helpers for the dashboard. Units are in the names; money stays a decimal string. */

export const formatHashrate = (hs: number | null) => {
  if (hs === null) return "—";
  if (hs >= 1e9) return `${(hs / 1e9).toFixed(2)} GH/s`;
  return `${(hs / 1e6).toFixed(2)} MH/s`;
};

/** Hashrate in MH/s without the unit, for table cells whose header carries it. */
export const formatMhs = (hs: number | null) => (hs === null ? "—" : (hs / 1e6).toFixed(2));

export const formatInt = (n: number | null) => (n === null ? "—" : Math.round(n).toString());

export const formatVramGb = (mb: number) => (mb / 1024).toFixed(mb % 1024 === 0 ? 0 : 1);

export const formatKw = (w: number) => (w / 1000).toFixed(2);

/** "12 s ago" relative to `now`; absolute UTC time when there is no clock yet (server render). */
export const formatAgo = (iso: string | null, now: number | null) => {
  if (!iso) return "never";
  const at = Date.parse(iso);
  if (now === null) return new Date(at).toISOString().slice(11, 19) + " UTC";
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
};
