// A load process for the fleet benchmarks: many simulated rigs, each its own socket.io
// connection to a gateway's /agent, speaking the real protocol (hello with 8 GPUs, then
// telemetry; commands acked on receipt and reported DONE a moment later). Started by startLoad() over IPC; not a benchmark itself.
// The frames are written by agent-wire.ts and the GPU readings encoded once per rig, so one
// process plays thousands of rigs; the gateway still parses, validates and stores every message.
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Hello } from "@rigshift/protocol";
import { WireSocket, type WireAck } from "./agent-wire";

export type LoadPlan = {
  url: string;
  rigs: { rigId: string; token: string }[];
  gpusPerRig: number;
  /** flood: keep `window` telemetry messages in flight per rig, as fast as acks come back. interval: one every `intervalMs`. */
  mode: "flood" | "interval";
  window: number;
  intervalMs: number;
  /** Connections are opened evenly over this long. */
  connectOverMs: number;
};

export type LoadReport =
  | { type: "stats"; connected: number; ready: number; acked: number; failedAcks: number; connectErrors: number; helloRetries: number; lastError: string | null }
  | { type: "latencies"; ackMs: number[] }
  | { type: "command"; commandId: string; receivedAt: number }
  /** How long this process's own event loop was held since the last ask: a late receipt may be the simulator's. */
  | { type: "loopDelay"; p99Ms: number; maxMs: number };

const send = (m: LoadReport) => process.send?.(m);
const now = () => performance.timeOrigin + performance.now();

const HELLO_TIMEOUT_MS = 30_000;
const TELEMETRY_TIMEOUT_MS = 60_000;
/** A simulated switch: the rig reports each GPU DONE this long after it acked the command. */
const SWITCH_MS = 1_000;
/** Readings vary between messages as a rig's do; a few encodings per rig, taken in turn. */
const VARIANTS = 4;

/** The `gpus` array of a telemetry message, as JSON. */
const gpusJson = (rigIndex: number, gpus: number, variant: number) =>
  JSON.stringify(
    Array.from({ length: gpus }, (_, index) => ({
      index, mode: "HASHING", coin: "ETC", workloadId: null,
      hashrateHs: 60e6 + ((rigIndex + index + variant) % 100) * 1e4, tempC: 60 + variant, powerW: 220 + index,
      fanPct: 55, utilPct: 99, vramUsedMb: 4500,
    })),
  );

const hello = (rigId: string, gpus: number): Hello => ({
  v: 1, agentVersion: "bench", hostname: "bench-load",
  gpus: Array.from({ length: gpus }, (_, index) => ({
    index, uuid: `GPU-${rigId}-${index}`, pciBusId: `0000:${(index + 1).toString(16).padStart(2, "0")}:00.0`,
    vendor: "NVIDIA", model: "NVIDIA GeForce RTX 3070", vramMb: 8192,
  })),
});

/** The message's time, as the agent stamps it; one toISOString per millisecond at most. */
let atMs = 0;
let atText = "";
const atNow = () => {
  const ms = Date.now();
  if (ms !== atMs) {
    atMs = ms;
    atText = new Date(ms).toISOString();
  }
  return atText;
};

const run = (plan: LoadPlan) => {
  const rigs: { socket: WireSocket | null; stop: () => void }[] = [];
  const timers: NodeJS.Timeout[] = [];
  let connected = 0;
  let ready = 0;
  let acked = 0;
  let failedAcks = 0;
  let connectErrors = 0;
  let helloRetries = 0;
  let lastError: string | null = null;
  let ackMs: number[] = [];
  let stopping = false;
  /** Telemetry awaiting its ack, for the timeout sweep: ack id → [rig's socket, sent at, on timeout]. */
  const waiting = new Set<{ socket: WireSocket; id: number; t0: number; onTimeout: () => void }>();

  const startRig = (rig: LoadPlan["rigs"][number], rigIndex: number) => {
    const helloJson = JSON.stringify(hello(rig.rigId, plan.gpusPerRig));
    const variants = Array.from({ length: VARIANTS }, (_, v) => gpusJson(rigIndex, plan.gpusPerRig, v));
    let seq = Math.floor(Date.now() / 1000) * 1000; // increasing across reconnects; unique per rig
    let socket: WireSocket | null = null;
    let rigTimers: NodeJS.Timeout[] = [];
    let isReady = false;

    const sendOne = () => {
      if (stopping || !socket?.connected) return;
      const s = socket;
      const t0 = now();
      const n = seq++;
      const entry = {
        socket: s, id: -1, t0,
        onTimeout: () => {
          failedAcks++;
          lastError = "telemetry: operation has timed out";
          if (plan.mode === "flood") sendOne();
        },
      };
      entry.id = s.emitJson("telemetry", `{"v":1,"seq":${n},"at":"${atNow()}","gpus":${variants[n % VARIANTS]}}`, (ack: WireAck) => {
        waiting.delete(entry);
        if (!ack?.ok) {
          failedAcks++;
          lastError = `${ack?.code}: ${ack?.message}`;
        } else {
          acked++;
          ackMs.push(now() - t0);
        }
        if (plan.mode === "flood") sendOne();
      });
      waiting.add(entry);
    };

    const sayHello = () => {
      if (stopping || !socket?.connected) return;
      const s = socket;
      let answered = false;
      const retry = (why: string) => {
        // As the agent does: try again a little later, out of step with the others.
        lastError = `hello: ${why}`;
        helloRetries++;
        rigTimers.push(setTimeout(sayHello, 5_000 + Math.random() * 10_000));
      };
      const id = s.emitJson("hello", helloJson, (ack: WireAck) => {
        answered = true;
        if (!ack?.ok) return retry(`${ack?.code}: ${ack?.message}`);
        if (!isReady) ready++;
        isReady = true;
        if (plan.mode === "flood") {
          for (let i = 0; i < plan.window; i++) sendOne();
        } else {
          // Rigs tick out of phase, as real ones do.
          rigTimers.push(setTimeout(() => {
            sendOne();
            rigTimers.push(setInterval(sendOne, plan.intervalMs));
          }, Math.random() * plan.intervalMs));
        }
      });
      rigTimers.push(setTimeout(() => {
        if (answered || s !== socket) return;
        s.forget(id);
        retry("operation has timed out");
      }, HELLO_TIMEOUT_MS));
    };

    const open = () => {
      if (stopping) return;
      let wasConnected = false;
      socket = new WireSocket(plan.url, "/agent", { token: rig.token }, {
        onConnect: () => {
          wasConnected = true;
          connected++;
          sayHello();
        },
        onConnectError: (message) => {
          connectErrors++;
          lastError = `connect: ${message}`;
        },
        onClose: () => {
          if (wasConnected) connected--;
          for (const t of rigTimers) clearTimeout(t);
          rigTimers = [];
          if (isReady) ready--;
          isReady = false;
          // Reconnect after a second or so, as socket.io-client does by default.
          if (!stopping) timers.push(setTimeout(open, 1_000 + Math.random() * 1_000));
        },
        onEvent: (event, payload, ackId) => {
          if (event !== "command") return;
          const receivedAt = now();
          if (ackId !== null) socket?.ack(ackId, `{"ok":true}`);
          const command = payload as { id: string; mode: string; gpus: { index: number }[] };
          send({ type: "command", commandId: command.id, receivedAt });
          // As an agent does once the miner or workload is up: commands end, and the scheduler stops following them.
          const s = socket;
          rigTimers.push(setTimeout(() => {
            if (stopping || s !== socket || !s?.connected) return;
            for (const gpu of command.gpus) {
              const progress = { v: 1, commandId: command.id, gpuIndex: gpu.index, status: "DONE", step: command.mode, message: null, at: atNow() };
              s.emitJson("commandProgress", JSON.stringify(progress), (ack: WireAck) => {
                if (!ack?.ok) lastError = `commandProgress: ${ack?.code}: ${ack?.message}`;
              });
            }
          }, SWITCH_MS));
        },
      });
    };
    open();
    rigs.push({ socket: null, stop: () => socket?.close() });
  };

  const gap = plan.rigs.length > 1 ? plan.connectOverMs / plan.rigs.length : 0;
  // One timer walks the rigs due, rather than a timer per rig.
  const startedAt = performance.now();
  let started = 0;
  const opener = setInterval(() => {
    const due = gap === 0 ? plan.rigs.length : Math.min(plan.rigs.length, Math.floor((performance.now() - startedAt) / gap) + 1);
    while (started < due) startRig(plan.rigs[started]!, started++);
    if (started >= plan.rigs.length) clearInterval(opener);
  }, 10);
  const sweep = setInterval(() => {
    const limit = now() - TELEMETRY_TIMEOUT_MS;
    for (const w of waiting) {
      if (w.t0 > limit) continue;
      waiting.delete(w);
      w.socket.forget(w.id);
      w.onTimeout();
    }
  }, 1_000);
  const stats = setInterval(() => {
    send({ type: "stats", connected, ready, acked, failedAcks, connectErrors, helloRetries, lastError });
  }, 500);

  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  process.on("message", (m: { type: string }) => {
    if (m.type === "loopDelay") {
      send({ type: "loopDelay", p99Ms: loopDelay.percentile(99) / 1e6, maxMs: loopDelay.max / 1e6 });
      loopDelay.reset();
    }
    if (m.type === "latencies") {
      send({ type: "latencies", ackMs });
      ackMs = [];
    }
    if (m.type === "stop") {
      stopping = true;
      for (const t of [opener, sweep, stats, ...timers]) clearInterval(t);
      for (const r of rigs) r.stop();
      setTimeout(() => process.exit(0), 200);
    }
  });
};

process.once("message", (plan: LoadPlan) => run(plan));
// The parent went away: do not linger as an orphan holding thousands of sockets.
process.on("disconnect", () => process.exit(0));
