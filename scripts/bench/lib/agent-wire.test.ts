import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { afterAll, beforeAll, expect, it } from "vitest";
import { WireSocket, type WireAck } from "./agent-wire";

// The load generator's hand-written frames against a real socket.io server: it must be exactly
// what socket.io-client would have sent, or the benchmark measures refusals.
let io: Server;
let url: string;
const seen: { token: unknown; hello?: unknown } = { token: undefined };

beforeAll(async () => {
  const http = createServer();
  io = new Server(http);
  const nsp = io.of("/agent");
  nsp.use((socket, next) => (socket.handshake.auth.token === "good" ? next() : next(new Error("UNAUTHENTICATED: bad token"))));
  nsp.on("connection", (socket) => {
    seen.token = socket.handshake.auth.token;
    socket.on("hello", (msg: unknown, ack: (a: unknown) => void) => {
      seen.hello = msg;
      ack({ ok: true, echo: msg });
      void socket.timeout(2_000).emitWithAck("command", { id: "cmd-1" }).then((a: unknown) => socket.emit("got", a));
    });
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", () => r()));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => io.close(() => r())));

it("connects with the rig token, gets acks for its events, and acks the gateway's commands", async () => {
  const events: { event: string; payload: unknown }[] = [];
  const acked = await new Promise<WireAck>((resolve, reject) => {
    const socket: WireSocket = new WireSocket(url, "/agent", { token: "good" }, {
      onConnect: () => socket.emitJson("hello", JSON.stringify({ v: 1, text: "tab\there \"quoted\"" }), resolve),
      onConnectError: (m) => reject(new Error(m)),
      onClose: () => {},
      onEvent: (event, payload, ackId) => {
        events.push({ event, payload });
        if (ackId !== null) socket.ack(ackId, `{"ok":true}`);
      },
    });
  });
  expect(seen.token).toBe("good");
  expect(acked).toEqual({ ok: true, echo: { v: 1, text: "tab\there \"quoted\"" } });
  await expect.poll(() => events.map((e) => e.event)).toEqual(["command", "got"]);
  expect(events[0]!.payload).toEqual({ id: "cmd-1" });
  expect(events[1]!.payload).toEqual({ ok: true });
});

it("reports the namespace's refusal", async () => {
  const error = await new Promise<string>((resolve) => {
    new WireSocket(url, "/agent", { token: "bad" }, { onConnect: () => resolve("connected"), onConnectError: resolve, onClose: () => {}, onEvent: () => {} });
  });
  expect(error).toBe("UNAUTHENTICATED: bad token");
});
