import { listDeliverableCommands, markCommandDispatched, type PrismaClient } from "@rigshift/db";
import { ZCommandAck } from "@rigshift/protocol";
import type { Log } from "./log";
import type { RigRegistry } from "./rig-registry";

const ACK_TIMEOUT_MS = 10_000;

/**
 * Send a rig its open commands (or one of them) if it is connected here, and mark each part
 * DISPATCHED once the agent acks. A rig that is not here, or does not ack, keeps its parts
 * QUEUED: the scheduler publishes again and the rig's next `hello` picks them up.
 * A command already on its way over a connection is not sent again on it until that send ends:
 * the API's dispatch and the scheduler's first one arrive together, and a slow ack meets the next poll.
 */
export const createCommandDelivery = ({ db, registry, log, now }: { db: PrismaClient; registry: RigRegistry; log: Log; now: () => Date }) => {
  const inFlight = new Set<string>();
  return async (rigId: string, commandId?: string) => {
    const conn = registry.get(rigId);
    if (!conn?.gpuIds) return;
    // Keyed by connection: a rig that reconnects gets its commands on the new one at once.
    if (commandId && inFlight.has(`${conn.socket.id}/${commandId}`)) return;
    const commands = await listDeliverableCommands(db, rigId, now(), commandId);
    for (const command of commands) {
      const key = `${conn.socket.id}/${command.id}`;
      if (inFlight.has(key)) continue;
      inFlight.add(key);
      try {
        const raw: unknown = await conn.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("command", command);
        const ack = ZCommandAck.safeParse(raw);
        if (!ack.success) {
          log.warn({ rigId, commandId: command.id }, "agent sent a malformed command ack");
          continue;
        }
        if (!ack.data.ok) {
          log.warn({ rigId, commandId: command.id, code: ack.data.code, reason: ack.data.message }, "agent refused command");
          continue;
        }
        await markCommandDispatched(db, { commandId: command.id, rigId, now: now() });
      } catch (err) {
        log.warn({ rigId, commandId: command.id, err: (err as Error).message }, "command not acked; will retry");
      } finally {
        inFlight.delete(key);
      }
    }
  };
};
export type CommandDelivery = ReturnType<typeof createCommandDelivery>;
