"use client";

import { isTerminalCommandStatus, type TargetMode } from "@rigshift/protocol";
import { useState } from "react";
import { useCommand, useCreateCommand } from "../hooks/use-fleet";

const STATUS_STYLE: Record<string, string> = {
  DONE: "text-emerald-300",
  FAILED: "text-rose-300",
  EXPIRED: "text-rose-300",
};

const BUTTONS: { mode: TargetMode; label: string; testId: string }[] = [
  { mode: "AI", label: "Switch to AI", testId: "switch-ai" },
  { mode: "HASHING", label: "Switch to hashing", testId: "switch-hashing" },
  { mode: "IDLE", label: "Set idle", testId: "switch-idle" },
];

/** Operators' switch controls for the selected GPUs, and the last command's progress. */
export const CommandBar = ({ selected, onSent }: { selected: string[]; onSent: () => void }) => {
  const create = useCreateCommand();
  const [sent, setSent] = useState<{ id: string; mode: TargetMode; count: number } | null>(null);
  const command = useCommand(sent?.id ?? null);

  const send = (mode: TargetMode) =>
    create.mutate(
      { type: "switch", gpuIds: selected, mode },
      {
        onSuccess: ({ id }) => {
          setSent({ id, mode, count: selected.length });
          onSent();
        },
      },
    );

  const status = command.data?.status ?? (sent ? "QUEUED" : null);
  const failedParts = command.data?.gpus.filter((p) => p.error) ?? [];

  return (
    <div className="sticky top-0 z-10 flex flex-wrap items-center gap-3 rounded-lg border border-slate-800 bg-slate-900/95 px-3 py-2 backdrop-blur">
      <span className="text-sm text-slate-300">
        <span className="font-semibold tabular-nums">{selected.length}</span> GPU{selected.length === 1 ? "" : "s"} selected
      </span>
      {BUTTONS.map((b) => (
        <button
          key={b.mode}
          type="button"
          data-testid={b.testId}
          disabled={selected.length === 0 || create.isPending}
          onClick={() => send(b.mode)}
          className="rounded border border-slate-700 bg-slate-800 px-3 py-1 text-sm font-medium text-slate-100 hover:bg-slate-700 disabled:cursor-not-allowed disabled:opacity-40"
        >
          {b.label}
        </button>
      ))}
      {create.isError ? (
        <span data-testid="command-status" data-status="ERROR" role="alert" className="text-sm text-rose-300">
          Not sent: {create.error.message}
        </span>
      ) : sent && status ? (
        <span
          data-testid="command-status"
          data-status={status}
          data-command-id={sent.id}
          role="status"
          className={`text-sm ${STATUS_STYLE[status] ?? "text-sky-300"}`}
        >
          {sent.mode} × {sent.count}: {status}
          {!isTerminalCommandStatus(status) ? "…" : ""}
          {command.data?.error ? ` — ${command.data.error}` : ""}
          {failedParts.length ? ` (${failedParts.map((p) => p.error).join("; ")})` : ""}
        </span>
      ) : null}
    </div>
  );
};
