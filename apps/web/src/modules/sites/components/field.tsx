/** A labelled input with its error (or hint) under it; the error is what the API or the form said. */
export const Field = ({
  label,
  error,
  hint,
  testId,
  children,
}: {
  label: React.ReactNode;
  error?: string;
  hint?: string;
  testId: string;
  children: React.ReactNode;
}) => (
  <label className="flex flex-col gap-1 text-xs text-slate-400">
    {label}
    {children}
    {error ? (
      <span role="alert" data-testid={`${testId}-error`} className="text-rose-300">
        {error}
      </span>
    ) : hint ? (
      <span className="text-slate-500">{hint}</span>
    ) : null}
  </label>
);

export const inputClass = (error?: string) =>
  `rounded border bg-slate-900 px-2 py-1 text-sm text-slate-100 disabled:border-slate-800 disabled:text-slate-400 ${error ? "border-rose-500" : "border-slate-700"}`;
