"use client";

import { useNow } from "@/lib/use-now";
import { formatLocalTime, formatRelative, formatShortLocalTime } from "../lib/local-time";

/**
 * A time in the operator's zone (named), with "in 3 h" beside it; `short`: "16:30" today, else "Wed 16:30". The server render and
 * hydration show UTC (the server does not know the browser's zone), then the local time.
 */
export const LocalTime = ({ iso, relative = true, short = false, testId }: { iso: string; relative?: boolean; short?: boolean; testId?: string }) => {
  const now = useNow(30_000);
  if (now === null) return <time dateTime={iso} data-testid={testId}>{iso.slice(0, 16).replace("T", " ")} UTC</time>;
  return (
    <time dateTime={iso} data-testid={testId} title={iso}>
      {short ? formatShortLocalTime(iso, now) : formatLocalTime(iso)}
      {relative ? <span className="text-slate-500"> ({formatRelative(iso, now)})</span> : null}
    </time>
  );
};
