import { Socket as TcpSocket } from "node:net";
import type { Server } from "socket.io";

/** The parts of an engine.io connection this reads; engine.io does not type its transports. */
type EngineConnection = { transport?: { name?: string; socket?: { _socket?: unknown } } };

/**
 * Packets engine.io flushes to one connection together reach the kernel in one write.
 * A telemetry batch acks several messages of each rig at once: engine.io queues the acks while a
 * write is in flight and then flushes them together, but ws writes every frame on its own, so
 * that was a `writev` per ack (~8 % of the gateway's time when flooded). engine.io sends a flush
 * synchronously, so corking the TCP socket from its `flush` event to the next tick gathers the
 * frames into one write and changes nothing else: same frames, same order.
 */
export const coalesceFlushes = (io: Server) => {
  io.engine.on("flush", (conn: EngineConnection, packets: unknown[]) => {
    if (packets.length < 2 || conn.transport?.name !== "websocket") return;
    // ws keeps its TCP socket as `_socket`; engine.io itself reaches into ws the same way.
    const tcp = conn.transport.socket?._socket;
    if (!(tcp instanceof TcpSocket)) return;
    tcp.cork();
    process.nextTick(() => tcp.uncork());
  });
};
