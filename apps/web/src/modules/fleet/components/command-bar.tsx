"use client";

import { isTerminalCommandStatus, type TargetMode } from "@rigshift/protocol";
import { useState } from "react";
import { useNow } from "@/lib/use-now";
import { formatLocalTime, fromLocalInput, toLocalInput } from "@/modules/planning/lib/local-time";
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

const HOUR_MS = 3_600_000;
/** The API's default when no time is given (packages/db DEFAULT_PIN_HOURS); preselected so it is visible. */
const DEFAULT_PIN = "4";
const PIN_CHOICES: { value: string; label: string }[] = [
  { value: "1", label: "1 hour" },
  { value: "4", label: "4 hours" },
  { value: "12", label: "12 hours" },
  { value: "24", label: "24 hours" },
  { value: "until", label: "until a time…" },
  { value: "none", label: "don't pin" },
];

type PinChoice = { pinUntil: string | null; error: string | null };

/** The pin the operator chose, as the API's `pinUntil`: an instant, null (no pin) or an error to show. */
const resolvePin = (choice: string, customLocal: string, now: number): PinChoice => {
  if (choice === "none") return { pinUntil: null, error: null };
  if (choice === "until") {
    const iso = fromLocalInput(customLocal);
    if (!iso) return { pinUntil: null, error: "pick the date and time to pin until" };
    if (Date.parse(iso) <= now) return { pinUntil: null, error: "the pin must end in the future" };
    return { pinUntil: iso, error: null };
  }
  return { pinUntil: new Date(now + Number(choice) * HOUR_MS).toISOString(), error: null };
};

/**
 * Operators' switch controls for the selected GPUs, and the last command's progress. A manual
 * switch pins the GPUs (so the planner does not switch them straight back) until the time picked here.
 */
export const CommandBar = ({ selected, onSent }: { selected: string[]; onSent: () => void }) => {
  const create = useCreateCommand();
  const [sent, setSent] = useState<{ id: string; mode: TargetMode; count: number; pinUntil: string | null } | null>(null);
  const command = useCommand(sent?.id ?? null);
  const now = useNow(30_000);
  const [pinChoice, setPinChoice] = useState(DEFAULT_PIN);
  const [customUntil, setCustomUntil] = useState("");
  const pin = now === null ? { pinUntil: null, error: null } : resolvePin(pinChoice, customUntil, now);

  const send = (mode: TargetMode) => {
    // Resolved at the click, not at the last render: "4 hours" means four hours from now.
    const { pinUntil, error } = resolvePin(pinChoice, customUntil, Date.now());
    if (error) return;
    create.mutate(
      { type: "switch", gpuIds: selected, mode, pinUntil },
      {
        onSuccess: ({ id }) => {
          setSent({ id, mode, count: selected.length, pinUntil });
          onSent();
        },
      },
    );
  };

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
          disabled={selected.length === 0 || create.isPending || pin.error !== null}
          onClick={() => send(b.mode)}
          className="rounded border border-slate-700 bg-slate-800 px-3 py-1 text-sm font-medium text-slate-100 hover:bg-slate-700 disabled:cursor-not-allowed disabled:opacity-40"
        >
          {b.label}
        </button>
      ))}
      <label className="flex items-center gap-1.5 text-sm text-slate-400">
        and pin for
        <select
          data-testid="pin-choice"
          value={pinChoice}
          onChange={(e) => {
            setPinChoice(e.target.value);
            if (e.target.value === "until" && !customUntil && now !== null) setCustomUntil(toLocalInput(new Date(now + Number(DEFAULT_PIN) * HOUR_MS)));
          }}
          className="rounded border border-slate-700 bg-slate-900 px-1.5 py-1 text-sm text-slate-100"
        >
          {PIN_CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
              {c.value === DEFAULT_PIN ? " (default)" : ""}
            </option>
          ))}
        </select>
      </label>
      {pinChoice === "until" ? (
        <input
          type="datetime-local"
          data-testid="pin-until"
          aria-label="pin until (your local time)"
          value={customUntil}
          onChange={(e) => setCustomUntil(e.target.value)}
          className="rounded border border-slate-700 bg-slate-900 px-1.5 py-1 text-sm text-slate-100"
        />
      ) : null}
      <span data-testid="pin-summary" className={`text-xs ${pin.error ? "text-rose-300" : "text-slate-500"}`}>
        {pin.error
          ? pin.error
          : pin.pinUntil
            ? `the planner leaves them until ${formatLocalTime(pin.pinUntil)}`
            : now === null
              ? ""
              : "the planner may move them at its next run"}
      </span>
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
          {sent.mode} × {sent.count}
          {sent.pinUntil ? ` (pinned until ${formatLocalTime(sent.pinUntil)})` : ""}: {status}
          {!isTerminalCommandStatus(status) ? "…" : ""}
          {command.data?.error ? ` — ${command.data.error}` : ""}
          {failedParts.length ? ` (${failedParts.map((p) => p.error).join("; ")})` : ""}
        </span>
      ) : null}
    </div>
  );
};
