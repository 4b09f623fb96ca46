import type { GpuMode } from "@rigshift/protocol";
import type { AgentStatus } from "./status-file";

/** The agent rewrites its status every interval; three missed in a row means it is gone or stuck. */
export const STALE_AFTER_INTERVALS = 3;

export type AgentStatusReport = {
  /** Process alive and status fresh. */
  running: boolean;
  /** Running and greeted by the gateway right now. */
  connected: boolean;
  /** Why it counts as not running; null while running. */
  notRunningReason: "NO_STATUS_FILE" | "PROCESS_EXITED" | "STATUS_STALE" | null;
  configPath: string;
  statusPath: string;
  /** From the config file: what the agent will use on its next start. */
  server: string;
  rigId: string;
  /** From the status file (the last one written, when not running); null without one. */
  pid: number | null;
  startedAt: string | null;
  updatedAt: string | null;
  /** Seconds since the status was last written. */
  updatedAgoS: number | null;
  lastAckedSeq: number | null;
  spooledMessages: number | null;
  gpus: { index: number; model: string | null; mode: GpuMode }[];
};

export type DescribeAgentStatusInput = {
  status: AgentStatus | null;
  config: { server: string; rigId: string; intervalS: number };
  configPath: string;
  statusPath: string;
  now: Date;
  isProcessAlive: (pid: number) => boolean;
};

/** Turn the status file (or its absence) and the config into what `rigshift-agent status` reports. */
export const describeAgentStatus = ({ status, config, configPath, statusPath, now, isProcessAlive }: DescribeAgentStatusInput): AgentStatusReport => {
  const base = { configPath, statusPath, server: config.server, rigId: config.rigId };
  if (!status) {
    return {
      ...base, running: false, connected: false, notRunningReason: "NO_STATUS_FILE",
      pid: null, startedAt: null, updatedAt: null, updatedAgoS: null, lastAckedSeq: null, spooledMessages: null, gpus: [],
    };
  }
  const updatedAgoS = Math.max(0, (now.getTime() - Date.parse(status.updatedAt)) / 1000);
  // A pid can be reused after the agent died, so a live pid alone is not enough: the status must be fresh too.
  const notRunningReason = !isProcessAlive(status.pid)
    ? "PROCESS_EXITED"
    : updatedAgoS >= STALE_AFTER_INTERVALS * config.intervalS
      ? "STATUS_STALE"
      : null;
  const running = notRunningReason === null;
  return {
    ...base,
    running,
    connected: running && status.connected,
    notRunningReason,
    pid: status.pid,
    startedAt: status.startedAt,
    updatedAt: status.updatedAt,
    updatedAgoS: Math.round(updatedAgoS),
    lastAckedSeq: status.lastAckedSeq,
    spooledMessages: status.spooledMessages,
    gpus: status.gpus,
  };
};

/** `process.kill(pid, 0)` probes without signalling; EPERM means alive under another user (the rigshift user). */
export const isProcessAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
};

const ago = (s: number): string => {
  if (s < 90) return `${Math.round(s)}s ago`;
  if (s < 90 * 60) return `${Math.round(s / 60)}m ago`;
  if (s < 48 * 3600) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
};

/** What an operator reads over ssh. */
export const formatAgentStatus = (r: AgentStatusReport): string => {
  const lines: string[] = [];
  const row = (label: string, value: string) => lines.push(`${`${label}:`.padEnd(11)}${value}`);
  if (r.running) {
    row("Agent", `running (pid ${r.pid}, started ${r.startedAt}, status updated ${ago(r.updatedAgoS ?? 0)})`);
  } else if (r.notRunningReason === "NO_STATUS_FILE") {
    row("Agent", `not running (no status file at ${r.statusPath}: the agent has not started, or it stopped)`);
  } else if (r.notRunningReason === "PROCESS_EXITED") {
    row("Agent", `not running (pid ${r.pid} has exited; last status ${ago(r.updatedAgoS ?? 0)})`);
  } else {
    row("Agent", `not running (pid ${r.pid} has not updated its status since ${ago(r.updatedAgoS ?? 0)}: stuck or gone)`);
  }
  row("Gateway", `${r.connected ? "connected to" : "not connected to"} ${r.server}`);
  row("Rig", r.rigId);
  row("Config", r.configPath);
  if (r.pid !== null) {
    const when = r.running ? "" : " (as last reported)";
    const acked = r.lastAckedSeq === null ? "none acked yet" : `last acked seq ${r.lastAckedSeq}`;
    row("Telemetry", `${acked}, ${r.spooledMessages} waiting to be sent${when}`);
    if (r.gpus.length === 0) {
      row("GPUs", `none${when}`);
    } else {
      row("GPUs", `${r.gpus.length}${when}`);
      const header = ["IDX", "MODEL", "MODE"];
      const cells = r.gpus.map((g) => [String(g.index), g.model ?? "-", g.mode]);
      const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
      for (const c of [header, ...cells]) lines.push(`  ${c.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()}`);
    }
  }
  return `${lines.join("\n")}\n`;
};
