import { hostname as osHostname } from "node:os";
import { join } from "node:path";
import type { AgentConfigFile } from "@rigshift/config";
import {
  gatewayToAgent,
  handler,
  TELEMETRY_WINDOW,
  ZCommandProgressAck,
  ZTelemetryAck,
  type CommandProgress,
  type Telemetry,
} from "@rigshift/protocol";
import type { GpuBackend } from "./backends/backend";
import { AgentLink, DEFAULT_LINK_TIMINGS, type LinkTimings } from "./link/agent-link";
import { createCourier } from "./link/courier";
import type { Log } from "./log";
import { loadRigState } from "./rig-state";
import { openDiskSpool, type DiskSpool } from "./spool/disk-spool";
import { createMemorySpool } from "./spool/memory-spool";
import type { Spool } from "./spool/spool";
import { resolveSpoolSettings } from "./spool/spool-settings";
import { createCommandRunner } from "./switching/command-runner";
import { createTelemetryRecorder } from "./telemetry/telemetry-recorder";
import { agentStatusPath } from "./status/status-file";
import { startStatusReporter, type StatusReporter } from "./status/status-reporter";
import { AGENT_VERSION } from "./version";

/** An hour of telemetry at the default 5 s interval. */
export const TELEMETRY_SPOOL_CAPACITY = 720;
const PROGRESS_SPOOL_CAPACITY = 1_000;

export type StartAgentOptions = {
  config: AgentConfigFile;
  backend: GpuBackend;
  log: Log;
  now?: () => Date;
  hostname?: string;
  link?: Partial<LinkTimings>;
  /**
   * The config file's path: telemetry then spools on disk in `rigshift-spool` beside it unless the
   * config names a spool dir. Without either, telemetry spools in memory (lost on restart).
   */
  configPath?: string;
  /** Replace the spools (small ones in tests); a telemetry spool given here wins over the disk spool. */
  spools?: { telemetry?: Spool<Telemetry>; progress?: Spool<CommandProgress> };
};

export type RunningAgent = {
  /** Stop sampling, let running switches finish their step, close the connection. */
  stop(): Promise<void>;
  /** Connected to the gateway and greeted. */
  connected(): boolean;
  /** Highest telemetry seq the server confirmed storing, or null before any. */
  lastAckedSeq(): number | null;
};

/**
 * Wire the agent: GPU state from the backend, telemetry every interval into a spool, commands
 * into per-GPU queues, and one link that delivers both spools whenever it is up.
 */
export const startAgent = ({ config, backend, log, now = () => new Date(), hostname = osHostname(), link: linkTimings, configPath, spools }: StartAgentOptions): RunningAgent => {
  const rigLog = log.child({ rigId: config.rigId });
  const diskSettings = spools?.telemetry ? null : resolveSpoolSettings(config, configPath);
  const progressSpool =
    spools?.progress ??
    createMemorySpool<CommandProgress>({
      capacity: PROGRESS_SPOOL_CAPACITY,
      onDrop: (p) => rigLog.warn({ commandId: p.commandId, gpuIndex: p.gpuIndex, status: p.status }, "progress spool full; oldest dropped"),
    });
  let lastAcked: number | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopping = false;
  let linkRef: AgentLink | null = null;

  const started = (async () => {
    // Opened before sampling starts, so the first sample lands behind the backlog it finds.
    let diskSpool: DiskSpool | null = null;
    if (diskSettings) {
      try {
        // One folder per rig id: a rig enrolled again must not send the old rig's samples as its own.
        const dir = join(diskSettings.dir, `telemetry-${config.rigId}`);
        diskSpool = await openDiskSpool({ ...diskSettings, dir, now, log: rigLog.child({ spoolDir: dir }) });
      } catch (err) {
        // Better to report live (and lose an outage's samples) than not to run at all.
        rigLog.error({ err, spoolDir: diskSettings.dir }, "cannot open the telemetry spool on disk; spooling in memory");
      }
    }
    const telemetrySpool: Spool<Telemetry> =
      spools?.telemetry ??
      diskSpool ??
      createMemorySpool<Telemetry>({
        capacity: TELEMETRY_SPOOL_CAPACITY,
        onDrop: (t) => rigLog.warn({ seq: t.seq, at: t.at }, "telemetry spool full; oldest message dropped"),
      });
    const gpus = await loadRigState(backend);
    const inventory = await backend.inventory();
    const recorder = createTelemetryRecorder({ backend, gpus, spool: telemetrySpool, now, log: rigLog, unnumberedCapacity: TELEMETRY_SPOOL_CAPACITY });
    // The spool remembers the last seq this rig used, so samples can be numbered (and kept on
    // disk) before the gateway is reachable: a restart during an outage then loses nothing.
    const spooledSeq = diskSpool?.maxSeq() ?? null;
    if (spooledSeq !== null) await recorder.onHello(spooledSeq);

    const link = new AgentLink({
      server: config.server,
      rigToken: config.rigToken,
      log: rigLog,
      timings: { ...DEFAULT_LINK_TIMINGS, ...linkTimings },
      hello: async () => ({ v: 1, agentVersion: AGENT_VERSION, hostname, gpus: inventory }),
      onReady: async (ack) => {
        await recorder.onHello(ack.lastSeq);
        if (ack.lastSeq !== null) lastAcked = Math.max(lastAcked ?? -1, ack.lastSeq);
      },
    });

    linkRef = link;

    const telemetry = createCourier<Telemetry>({
      event: "telemetry",
      spool: telemetrySpool,
      link,
      ack: ZTelemetryAck,
      window: TELEMETRY_WINDOW,
      retryMs: 2_000,
      log: rigLog,
      describe: (t) => ({ seq: t.seq }),
      onAcked: (t) => {
        lastAcked = Math.max(lastAcked ?? -1, t.seq);
      },
      ...(diskSettings ? { maxPerS: diskSettings.replayPerS } : {}),
    });
    const progress = createCourier<CommandProgress>({
      event: "commandProgress",
      spool: progressSpool,
      link,
      ack: ZCommandProgressAck,
      // One at a time: the gateway handles messages concurrently, and DONE must not overtake RUNNING.
      window: 1,
      retryMs: 2_000,
      log: rigLog,
      describe: (p) => ({ commandId: p.commandId, gpuIndex: p.gpuIndex, status: p.status, step: p.step }),
    });
    link.onReady(() => {
      progress.resume();
      telemetry.resume();
    });

    const runner = createCommandRunner({
      backend,
      gpus,
      now,
      log: rigLog,
      emit: (p) => {
        progressSpool.append(p).then(
          () => progress.kick(),
          (err: unknown) => rigLog.error({ err, commandId: p.commandId }, "spooling command progress failed"),
        );
      },
    });
    link.socket.on(
      "command",
      handler(
        gatewayToAgent,
        "command",
        (command) => {
          const isNew = runner.accept(command);
          rigLog.info({ commandId: command.id, mode: command.mode, gpus: command.gpus.map((g) => g.index), duplicate: !isNew }, "command received");
          return { ok: true as const };
        },
        { log: rigLog },
      ),
    );

    const tick = () =>
      recorder
        .record()
        .then(() => telemetry.kick())
        .catch((err: unknown) => rigLog.error({ err }, "sampling GPUs failed"));
    // Sample at once, so the dashboard has readings before the first interval passes.
    void tick();
    timer = setInterval(tick, config.intervalS * 1000);
    // `rigshift-agent status` reads this file: only an agent run from a config file writes one.
    const status: StatusReporter | null = configPath
      ? startStatusReporter({
          path: agentStatusPath(configPath, config),
          intervalMs: config.intervalS * 1000,
          snapshot: () => ({
            server: config.server,
            rigId: config.rigId,
            connected: link.isReady(),
            lastAckedSeq: lastAcked,
            spooledMessages: telemetrySpool.size(),
            gpus: inventory.map((g) => ({ index: g.index, model: g.model, mode: gpus.get(g.index)?.mode ?? "OFFLINE" })),
          }),
          onError: (err) => rigLog.warn({ err }, "could not write the status file"),
        })
      : null;
    link.onReady(() => status?.update());
    if (!stopping) link.start();
    rigLog.info({ gpus: inventory.length, intervalS: config.intervalS, server: config.server }, "agent started");
    return { link, runner, telemetry, progress, diskSpool, status };
  })();
  started.catch((err: unknown) => rigLog.fatal({ err }, "agent failed to start"));

  return {
    stop: async () => {
      stopping = true;
      if (timer) clearInterval(timer);
      const parts = await started.catch(() => null);
      // The interval may have been set while we waited for start-up.
      if (timer) clearInterval(timer);
      if (!parts) return;
      await parts.runner.stop();
      parts.telemetry.stop();
      parts.progress.stop();
      parts.link.close();
      await parts.diskSpool?.close();
      await parts.status?.stop();
      rigLog.info("agent stopped");
    },
    connected: () => linkRef?.isReady() ?? false,
    lastAckedSeq: () => lastAcked,
  };
};
