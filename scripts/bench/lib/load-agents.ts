// A load process for the fleet benchmarks: many simulated rigs, each its own socket.io
// connection to a gateway's /agent, speaking the real protocol (hello with 8 GPUs, then
// telemetry; commands acked on receipt). Started by startLoad() over IPC; not a benchmark itself.
import { io, type Socket } from "socket.io-client";
import type { Hello, Telemetry } from "@rigshift/protocol";

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
  | { type: "command"; commandId: string; receivedAt: number };

const send = (m: LoadReport) => process.send?.(m);
const now = () => performance.timeOrigin + performance.now();

const sample = (rigIndex: number, gpus: number, seq: number): Telemetry => ({
  v: 1,
  seq,
  at: new Date().toISOString(),
  gpus: Array.from({ length: gpus }, (_, index) => ({
    index, mode: "HASHING", coin: "ETC", workloadId: null,
    hashrateHs: 60e6 + ((rigIndex + index + seq) % 100) * 1e4, tempC: 60 + (seq % 10), powerW: 220 + index,
    fanPct: 55, utilPct: 99, vramUsedMb: 4500,
  })),
});

const hello = (rigId: string, gpus: number): Hello => ({
  v: 1, agentVersion: "bench", hostname: "bench-load",
  gpus: Array.from({ length: gpus }, (_, index) => ({
    index, uuid: `GPU-${rigId}-${index}`, pciBusId: `0000:${(index + 1).toString(16).padStart(2, "0")}:00.0`,
    vendor: "NVIDIA", model: "NVIDIA GeForce RTX 3070", vramMb: 8192,
  })),
});

const run = (plan: LoadPlan) => {
  const sockets: Socket[] = [];
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

  const startRig = (rig: LoadPlan["rigs"][number], rigIndex: number) => {
    const socket = io(`${plan.url}/agent`, { transports: ["websocket"], auth: { token: rig.token }, forceNew: true, reconnectionDelay: 1000 });
    sockets.push(socket);
    let seq = Math.floor(Date.now() / 1000) * 1000; // increasing across reconnects; unique per rig
    let isReady = false;
    const sendOne = () => {
      if (stopping || !socket.connected) return;
      const t0 = now();
      const msg = sample(rigIndex, plan.gpusPerRig, seq++);
      socket.timeout(60_000).emit("telemetry", msg, (err: Error | null, ack: { ok: boolean; code?: string; message?: string }) => {
        if (err || !ack?.ok) {
          failedAcks++;
          lastError = err ? err.message : `${ack?.code}: ${ack?.message}`;
        } else {
          acked++;
          ackMs.push(now() - t0);
        }
        if (plan.mode === "flood") sendOne();
      });
    };
    const sayHello = () => {
      if (stopping || !socket.connected) return;
      socket.timeout(30_000).emit("hello", hello(rig.rigId, plan.gpusPerRig), (err: Error | null, ack: { ok: boolean; code?: string; message?: string }) => {
        if (err || !ack?.ok) {
          // As the agent does: try again a little later, out of step with the others.
          lastError = err ? `hello: ${err.message}` : `hello: ${ack?.code}: ${ack?.message}`;
          helloRetries++;
          timers.push(setTimeout(sayHello, 5_000 + Math.random() * 10_000));
          return;
        }
        if (!isReady) ready++;
        isReady = true;
        if (plan.mode === "flood") {
          for (let i = 0; i < plan.window; i++) sendOne();
        } else {
          // Rigs tick out of phase, as real ones do.
          const first = setTimeout(() => {
            sendOne();
            timers.push(setInterval(sendOne, plan.intervalMs));
          }, Math.random() * plan.intervalMs);
          timers.push(first);
        }
      });
    };
    socket.on("connect", () => {
      connected++;
      sayHello();
    });
    socket.on("disconnect", () => {
      connected--;
      for (const t of timers.splice(0)) clearInterval(t);
      if (isReady) ready--;
      isReady = false;
    });
    socket.on("connect_error", (err) => {
      connectErrors++;
      lastError = `connect: ${err.message}`;
    });
    socket.on("command", (msg: { id: string }, ack?: (a: { ok: true }) => void) => {
      const receivedAt = now();
      ack?.({ ok: true });
      send({ type: "command", commandId: msg.id, receivedAt });
    });
  };

  const gap = plan.rigs.length > 1 ? plan.connectOverMs / plan.rigs.length : 0;
  plan.rigs.forEach((rig, i) => timers.push(setTimeout(() => startRig(rig, i), i * gap)));
  const stats = setInterval(() => {
    send({ type: "stats", connected, ready, acked, failedAcks, connectErrors, helloRetries, lastError });
  }, 500);

  process.on("message", (m: { type: string }) => {
    if (m.type === "latencies") {
      send({ type: "latencies", ackMs });
      ackMs = [];
    }
    if (m.type === "stop") {
      stopping = true;
      clearInterval(stats);
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.disconnect();
      setTimeout(() => process.exit(0), 200);
    }
  });
};

process.once("message", (plan: LoadPlan) => run(plan));
// The parent went away: do not linger as an orphan holding thousands of sockets.
process.on("disconnect", () => process.exit(0));
