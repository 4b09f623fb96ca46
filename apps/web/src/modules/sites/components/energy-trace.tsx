"use client";

import { LocalTime } from "@/modules/planning/components/local-time";
import { formatDecimal } from "@/modules/planning/lib/format-plan";
import { useEnergyPrices, useImportEnergyCsv } from "../hooks/use-site-settings";

/** The site's energy price trace: the latest prices, and a CSV upload for operators. */
export const EnergyTrace = ({ siteId, currency, readOnly }: { siteId: string; currency: string; readOnly: boolean }) => {
  const prices = useEnergyPrices(siteId, true);
  const upload = useImportEnergyCsv(siteId);
  const latest = prices.data?.[0];

  const onFile = async (file: File | undefined) => {
    if (!file) return;
    upload.mutate(await file.text());
  };

  return (
    <div data-testid="energy-trace" className="space-y-2 text-sm">
      {prices.isError ? <p className="text-rose-300">Prices could not be loaded: {prices.error.message}</p> : null}
      {prices.data ? (
        latest ? (
          <p className="text-slate-300">
            Latest price: <span className="font-semibold tabular-nums">{formatDecimal(latest.perMwh, 2)}</span> {latest.currency}/MWh at{" "}
            <LocalTime iso={latest.at} /> ({latest.source}); {prices.data.length} of the most recent prices shown below.
          </p>
        ) : (
          <p className="text-amber-300">No energy prices stored for this site yet: upload a trace before choosing it as the energy source.</p>
        )
      ) : null}
      {prices.data && prices.data.length ? (
        <div className="flex max-w-full gap-px overflow-x-auto" aria-label="recent prices, oldest left">
          {[...prices.data].reverse().map((p) => (
            <span key={p.at} title={`${p.at}: ${p.perMwh} ${p.currency}/MWh`} className="min-w-10 rounded bg-slate-800 px-1 text-center text-[11px] tabular-nums text-slate-300">
              {formatDecimal(p.perMwh, 0)}
            </span>
          ))}
        </div>
      ) : null}
      {readOnly ? null : (
        <label className="flex flex-wrap items-center gap-2 text-xs text-slate-400">
          Upload a price trace (CSV <code>ts,price_per_mwh[,currency]</code>; without a currency column the prices are in {currency})
          <input type="file" accept=".csv,text/csv" data-testid="energy-upload" onChange={(e) => void onFile(e.target.files?.[0])} className="text-slate-300" />
        </label>
      )}
      {upload.isPending ? <p className="text-slate-400">Importing…</p> : null}
      {upload.isError ? (
        <p role="alert" data-testid="energy-upload-error" className="text-rose-300">
          Not imported: {upload.error.message}
        </p>
      ) : null}
      {upload.data ? (
        <p role="status" data-testid="energy-upload-result" className="text-emerald-300">
          {upload.data.rows} rows read, {upload.data.inserted} stored, {upload.data.skipped} already there.
        </p>
      ) : null}
    </div>
  );
};
