import { Socket as TcpSocket } from "node:net";
import type { Server } from "socket.io";

/** The parts of an engine.io connection this reads; engine.io does not type its transports. */
type EngineConnection = { transport?: { name?: string; socket?: { _socket?: unknown } } };

/**
 * Packets engine.io flushes to one connection together reach the kernel in one write.
 * A telemetry batch acks several messages of each rig at once: engine.io queues the acks while a
 * write is in flight and then flushes them together, but ws writes every frame on its own, so
 * that was a `writev` per ack (~8 % of the gateway's time when flooded). engine.io's `flush` and
 * `drain` events bracket its synchronous send, so corking the TCP socket between them gathers
 * the frames into one write and changes nothing else: same frames, same order.
 */
export const coalesceFlushes = (io: Server) => {
  const corked = new Map<EngineConnection, TcpSocket>();
  const uncork = (conn: EngineConnection) => {
    const tcp = corked.get(conn);
    if (!tcp) return;
    corked.delete(conn);
    tcp.uncork();
  };
  io.engine.on("flush", (conn: EngineConnection, packets: unknown[]) => {
    if (packets.length < 2 || conn.transport?.name !== "websocket") return;
    // ws keeps its TCP socket as `_socket`; engine.io itself reaches into ws the same way.
    const tcp = conn.transport.socket?._socket;
    if (!(tcp instanceof TcpSocket) || corked.has(conn)) return;
    tcp.cork();
    corked.set(conn, tcp);
    // `drain` follows the send at once; should the send throw, the socket is still uncorked.
    process.nextTick(uncork, conn);
  });
  io.engine.on("drain", uncork);
};
