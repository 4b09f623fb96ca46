import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo, Socket as TcpSocket } from "node:net";
import { Server, type Socket } from "socket.io";
import { io as connect, type Socket as ClientSocket } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import { coalesceFlushes } from "./flush-coalescing";

/**
 * A burst of acks to one connection, as a telemetry batch sends them, against a real socket.io
 * server over TCP: what reaches the kernel is counted by wrapping the server socket's writes.
 */
const BURST = 12;

const startServer = async (coalesce: boolean) => {
  const http = createServer();
  const io = new Server(http, { transports: ["websocket"] });
  if (coalesce) coalesceFlushes(io);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const port = (http.address() as AddressInfo).port;
  return { io, url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => io.close(() => resolve())) };
};

/** Counts the writes a TCP socket hands to the kernel (one per `_write`/`_writev`). */
const countWrites = (tcp: TcpSocket) => {
  const counter = { writes: 0 };
  const writev = tcp._writev?.bind(tcp);
  const write = tcp._write.bind(tcp);
  tcp._writev = (chunks, cb) => {
    counter.writes++;
    writev!(chunks, cb);
  };
  tcp._write = (chunk, encoding, cb) => {
    counter.writes++;
    write(chunk, encoding, cb);
  };
  return counter;
};

/** The client emits BURST events; the server acks them all in one turn, as a committed batch does. */
const burstOfAcks = async (coalesce: boolean) => {
  const server = await startServer(coalesce);
  cleanups.push(server.close);
  let release!: () => void;
  const committed = new Promise<void>((resolve) => (release = resolve));
  let counter: { writes: number } | null = null;
  let received = 0;
  server.io.on("connection", (socket: Socket) => {
    counter = countWrites((socket.conn.request as IncomingMessage).socket as TcpSocket);
    socket.on("telemetry", async (seq: number, ack: (r: unknown) => void) => {
      if (++received === BURST) setImmediate(release);
      await committed;
      ack({ ok: true, seq });
    });
  });
  const client: ClientSocket = connect(server.url, { transports: ["websocket"] });
  cleanups.push(async () => void client.close());
  await new Promise<void>((resolve) => client.once("connect", () => resolve()));
  const acks = await Promise.all(Array.from({ length: BURST }, (_, seq) => client.timeout(5_000).emitWithAck("telemetry", seq)));
  return { acks, writes: counter!.writes };
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe("coalescing engine.io flushes", () => {
  it("sends a burst of acks to one rig in two writes, every ack in order", async () => {
    const { acks, writes } = await burstOfAcks(true);
    expect(acks).toEqual(Array.from({ length: BURST }, (_, seq) => ({ ok: true, seq })));
    // The first ack goes alone; engine.io queues the rest while it is in flight, then flushes them together.
    expect(writes).toBe(2);
  });

  it("without it, each ack is a write of its own (what the gateway did before)", async () => {
    const { acks, writes } = await burstOfAcks(false);
    expect(acks).toHaveLength(BURST);
    expect(writes).toBe(BURST);
  });
});
