import { listDeliverableCommands, markCommandDispatched, type PrismaClient } from "@rigshift/db";
import { type SwitchCommand, ZCommandAck } from "@rigshift/protocol";
import type { Log } from "./log";
import type { RigConnection, RigRegistry } from "./rig-registry";

/** Why a send did not make the command DISPATCHED: no ack in time (or the rig went), an ack the protocol does not know, or the agent said no. */
export const SEND_FAILURES = ["unacked", "malformed", "refused"] as const;
export type SendFailure = (typeof SEND_FAILURES)[number];

/**
 * Send a rig its open commands (or one of them) if it is connected here, and mark each part
 * DISPATCHED once the agent acks. A rig that is not here, or does not ack, keeps its parts
 * QUEUED: the scheduler publishes again and the rig's next `hello` picks them up.
 * A command already on its way over a connection is not sent again on it until that send ends:
 * the API's dispatch and the scheduler's first one arrive together, and a slow ack meets the next
 * poll. A dispatch of one command is "on its way" from before its query, so the second of the
 * pair costs no query either (about a third of the gateway's command queries in the bench).
 * The API's dispatch carries the rig's message (`carried`), so a switch an operator asks for is
 * sent without a query at all; repeats and hellos read what is still open.
 */
export const createCommandDelivery = ({
  db, registry, log, now, ackTimeoutMs, onTimed, onSendFailed,
}: {
  db: PrismaClient;
  registry: RigRegistry;
  log: Log;
  now: () => Date;
  ackTimeoutMs: number;
  /** Seconds each phase took: `lookup` the query of the rig's open commands, `ack` from the send until the agent acked. */
  onTimed?: (phase: "lookup" | "ack", seconds: number) => void;
  onSendFailed?: (reason: SendFailure) => void;
}) => {
  const timed = async <T>(phase: "lookup" | "ack", run: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const result = await run();
    onTimed?.(phase, (performance.now() - t0) / 1000);
    return result;
  };
  const lookup = (rigId: string, commandId?: string) => timed("lookup", () => listDeliverableCommands(db, rigId, now(), commandId));

  /** `<socket id>/<command id>` of the sends in flight. Keyed by connection: a rig that reconnects gets its commands on the new one at once. */
  const inFlight = new Set<string>();
  /** Runs `send` unless the key is already in flight. */
  const exclusively = async (key: string, send: () => Promise<void>) => {
    if (inFlight.has(key)) return;
    inFlight.add(key);
    try {
      await send();
    } finally {
      inFlight.delete(key);
    }
  };

  const send = async (rigId: string, conn: RigConnection, command: SwitchCommand) => {
    const failed = (reason: SendFailure, fields: Record<string, unknown>, message: string) => {
      onSendFailed?.(reason);
      log.warn({ rigId, commandId: command.id, ...fields }, message);
    };
    let raw: unknown;
    try {
      raw = await timed("ack", () => conn.socket.timeout(ackTimeoutMs).emitWithAck("command", command));
    } catch (err) {
      return failed("unacked", { err: (err as Error).message }, "command not acked; will retry");
    }
    const ack = ZCommandAck.safeParse(raw);
    if (!ack.success) return failed("malformed", {}, "agent sent a malformed command ack");
    if (!ack.data.ok) return failed("refused", { code: ack.data.code, reason: ack.data.message }, "agent refused command");
    try {
      await markCommandDispatched(db, { commandId: command.id, rigId, now: now() });
    } catch (err) {
      // The rig has it; its progress reports move the command on, and the next dispatch marks it again.
      log.error({ rigId, commandId: command.id, err }, "command acked but not marked dispatched");
    }
  };

  return async (rigId: string, commandId?: string, carried?: SwitchCommand) => {
    const conn = registry.get(rigId);
    if (!conn?.gpuIds) return;
    if (commandId) {
      await exclusively(`${conn.socket.id}/${commandId}`, async () => {
        // Past its deadline the lookup would not find it either; the scheduler marks it EXPIRED.
        const commands = carried ? (Date.parse(carried.expiresAt) > now().getTime() ? [carried] : []) : await lookup(rigId, commandId);
        for (const command of commands) await send(rigId, conn, command);
      });
      return;
    }
    for (const command of await lookup(rigId)) {
      await exclusively(`${conn.socket.id}/${command.id}`, () => send(rigId, conn, command));
    }
  };
};
export type CommandDelivery = ReturnType<typeof createCommandDelivery>;
