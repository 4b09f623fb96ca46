import type { Namespace } from "socket.io";
import {
  findRigsByTokenHashes,
  hashToken,
  recordCommandProgress,
  recordTelemetryGap,
  type GpuLiveStore,
  type PrismaClient,
  type RigIdentity,
  type TelemetryMessageRow,
} from "@rigshift/db";
import { agentToGateway, DomainError, handler, type GpuLive, type Telemetry } from "@rigshift/protocol";
import { createBatchLoader } from "./batch-loader";
import type { CommandDelivery } from "./command-delivery";
import { createRigGreeter } from "./rig-greeter";
import type { RigTelemetry } from "./rig-state-writer";
import type { LiveFanout } from "./live-fanout";
import type { Log } from "./log";
import type { RigConnection, RigRegistry } from "./rig-registry";
import type { Batcher } from "./telemetry-batcher";

export type AgentNamespaceDeps = {
  nsp: Namespace;
  db: PrismaClient;
  live: GpuLiveStore;
  fanout: LiveFanout;
  batcher: Batcher<RigTelemetry>;
  registry: RigRegistry;
  deliver: CommandDelivery;
  log: Log;
  now: () => Date;
  /** A message or connection refused: `event` names what, `reason` is a short code. */
  onRejected?: (event: string, reason: string) => void;
  onTelemetryStored?: () => void;
};

/** The message as it is stored (its GPUs as parsed, with their ids), or a refusal naming the GPU index the rig never reported. */
const toStored = (conn: RigConnection, msg: Telemetry): TelemetryMessageRow => {
  const known = conn.gpuIds;
  if (!known) throw new DomainError("PROTOCOL_INVALID", "telemetry: send hello with the rig's inventory first");
  const gpuIds = new Array<string>(msg.gpus.length);
  for (let i = 0; i < msg.gpus.length; i++) {
    const index = msg.gpus[i]!.index;
    const gpuId = known.get(index);
    if (!gpuId) throw new DomainError("PROTOCOL_INVALID", `telemetry: gpus.${i}.index: GPU ${index} is not in the rig's inventory`);
    gpuIds[i] = gpuId;
  }
  return { rigId: conn.rigId, seq: msg.seq, at: new Date(msg.at), gpus: msg.gpus, gpuIds };
};

/**
 * /agent: one socket per rig, authenticated by its rig token (only the hash is stored).
 * Every message is parsed with the protocol catalog; a bad one is refused with its reason and
 * the connection lives.
 */
export const attachAgentNamespace = (deps: AgentNamespaceDeps) => {
  const { nsp, db, live, fanout, batcher, registry, deliver, log, now } = deps;
  // After a gateway restart every rig connects and says hello within seconds: their token checks,
  // inventories, GPU modes and last-seen go to the database in batches, not a few queries each.
  const findRig = createBatchLoader<string, RigIdentity | null>({
    load: async (hashes) => {
      const found = await findRigsByTokenHashes(db, [...new Set(hashes)]);
      return hashes.map((h) => found.get(h) ?? null);
    },
    maxBatch: 1000,
  });
  const greet = createRigGreeter({ db, log, now });

  nsp.use(async (socket, next) => {
    try {
      const token: unknown = socket.handshake.auth?.token;
      const rig = typeof token === "string" && token.length > 0 ? await findRig(hashToken(token)) : null;
      if (!rig) {
        deps.onRejected?.("connect", "UNAUTHENTICATED");
        return next(new Error("UNAUTHENTICATED: rig token is unknown; enrol the rig again"));
      }
      socket.data.rig = rig;
      next();
    } catch (err) {
      log.error({ err }, "agent auth failed");
      next(new Error("UNAVAILABLE: could not check the rig token"));
    }
  });

  nsp.on("connection", (socket) => {
    const rig = socket.data.rig as { id: string; siteId: string; name: string };
    // The upgrade request (headers, raw headers, its socket wrapper) is no longer needed once the
    // handshake is built; kept, it is a few KB per rig for the life of the connection.
    (socket.conn as { request: unknown }).request = null;
    const conn: RigConnection = { socket, rigId: rig.id, siteId: rig.siteId, gpuIds: null, modes: new Map(), latestAt: 0, lastTouchedAt: 0 };
    registry.add(conn);
    const rigLog = log.child({ rigId: rig.id, rig: rig.name });
    rigLog.info("agent connected");
    const opts = (event: string) => ({ log: rigLog, onInvalid: () => deps.onRejected?.(event, "PROTOCOL_INVALID") });

    socket.on(
      "hello",
      handler(agentToGateway, "hello", async (hello) => {
        const { gpus, lastSeq } = await greet({ rigId: rig.id, hostname: hello.hostname, agentVersion: hello.agentVersion, gpus: hello.gpus });
        conn.gpuIds = new Map(gpus.map((g) => [g.index, g.gpuId]));
        conn.lastTouchedAt = now().getTime();
        // After the ack, so the agent knows its GPU ids before the first command arrives.
        setImmediate(() => void deliver(rig.id).catch((err) => rigLog.error({ err }, "delivering pending commands failed")));
        return { ok: true as const, rigId: rig.id, gpus, lastSeq };
      }, opts("hello")),
    );

    socket.on(
      "telemetry",
      handler(agentToGateway, "telemetry", async (msg) => {
        let stored: TelemetryMessageRow;
        try {
          stored = toStored(conn, msg);
        } catch (err) {
          deps.onRejected?.("telemetry", "PROTOCOL_INVALID");
          throw err;
        }
        await batcher.add({ message: stored, conn });
        if (msg.gap) {
          const { fromSeq, toSeq, from, to, dropped } = msg.gap;
          await recordTelemetryGap(db, rig.id, { fromSeq, toSeq, from: new Date(from), to: new Date(to), dropped });
          rigLog.warn({ fromSeq, toSeq, dropped }, "rig reported telemetry it had to drop");
        }
        deps.onTelemetryStored?.();
        return { ok: true as const, seq: msg.seq };
      }, opts("telemetry")),
    );

    socket.on(
      "commandProgress",
      handler(agentToGateway, "commandProgress", async (p) => {
        const result = await recordCommandProgress(db, {
          commandId: p.commandId, rigId: rig.id, gpuIndex: p.gpuIndex, status: p.status, step: p.step, message: p.message, at: new Date(p.at),
        });
        if (!result) throw new DomainError("COMMAND_NOT_FOUND", `commandProgress: rig has no GPU ${p.gpuIndex} in command ${p.commandId}`);
        conn.modes.set(p.gpuIndex, p.step);
        fanout.command({ commandId: p.commandId, status: result.commandStatus, gpuId: result.gpuId, step: p.step });
        const current = (await live.getMany([result.gpuId])).get(result.gpuId);
        if (current) {
          const moved: GpuLive = { ...current, mode: p.step };
          await live.setMany([moved]);
          fanout.push([{ siteId: conn.siteId, gpu: moved }]);
        }
        return { ok: true as const };
      }, opts("commandProgress")),
    );

    socket.on("disconnect", (reason) => {
      registry.remove(conn);
      rigLog.info({ reason }, "agent disconnected");
    });
  });
};
