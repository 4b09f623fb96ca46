// One simulated rig's socket.io connection spoken directly over a WebSocket (Engine.IO v4 and
// Socket.IO v5 text frames, as socket.io-client sends them), for the load processes: thousands
// of socket.io-client instances on the bench's own two cores cost more CPU and memory than the
// gateway they measure. The gateway sees the same frames and does the same work (auth, zod,
// COPY, acks); only the load generator gets cheaper.
import { Socket as TcpSocket } from "node:net";
import WebSocket from "ws";

export type WireAck = { ok: boolean; code?: string; message?: string; [k: string]: unknown };

export type WireHandlers = {
  /** The namespace accepted the connection (the rig token). */
  onConnect: () => void;
  /** The namespace refused (e.g. UNAUTHENTICATED) or the socket failed before connecting. */
  onConnectError: (message: string) => void;
  onClose: () => void;
  /** The gateway emitted `event` with an ack callback id (null when it wants no ack). */
  onEvent: (event: string, payload: unknown, ackId: number | null) => void;
};

/** `42/agent,7["hello",{…}]`: an event with ack id 7 in the /agent namespace; `json` is the payload's JSON text. */
export const eventFrame = (nsp: string, ackId: number, event: string, json: string) => `42${nsp},${ackId}[${JSON.stringify(event)},${json}]`;
export const ackFrame = (nsp: string, ackId: number, json: string) => `43${nsp},${ackId}[${json}]`;

/** A Socket.IO packet from the gateway: its type digit, ack id and JSON data (`nsp` already stripped). */
export const parsePacket = (text: string, nsp: string): { type: number; id: number | null; data: unknown } | null => {
  const prefix = `4`;
  if (!text.startsWith(prefix)) return null;
  const type = text.charCodeAt(1) - 48;
  let i = 2;
  if (text.startsWith(`${nsp},`, i)) i += nsp.length + 1;
  else if (nsp !== "/") return null;
  let id: number | null = null;
  while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) {
    id = (id ?? 0) * 10 + (text.charCodeAt(i) - 48);
    i++;
  }
  return { type, id, data: i < text.length ? JSON.parse(text.slice(i)) : undefined };
};

export class WireSocket {
  connected = false;
  private ws: WebSocket;
  private nextAck = 0;
  private acks = new Map<number, (data: unknown) => void>();
  private corked = false;

  constructor(url: string, private nsp: string, auth: object, private handlers: WireHandlers) {
    const u = new URL(url);
    u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
    u.pathname = "/socket.io/";
    u.search = "?EIO=4&transport=websocket";
    this.ws = new WebSocket(u, { perMessageDeflate: false });
    const authJson = JSON.stringify(auth);
    this.ws.on("message", (raw: Buffer) => {
      const text = raw.toString();
      const kind = text.charCodeAt(0);
      if (kind === 48 /* 0: engine.io open */) return this.ws.send(`40${nsp},${authJson}`);
      if (kind === 50 /* 2: ping */) return this.ws.send("3");
      if (kind !== 52 /* 4: message */) return;
      const packet = parsePacket(text, nsp);
      if (!packet) return;
      if (packet.type === 0) {
        this.connected = true;
        handlers.onConnect();
      } else if (packet.type === 4) {
        handlers.onConnectError((packet.data as { message?: string } | undefined)?.message ?? "connect refused");
        this.ws.close();
      } else if (packet.type === 3 && packet.id !== null) {
        const done = this.acks.get(packet.id);
        this.acks.delete(packet.id);
        done?.((packet.data as unknown[])[0]);
      } else if (packet.type === 2) {
        const [event, payload] = packet.data as [string, unknown];
        handlers.onEvent(event, payload, packet.id);
      } else if (packet.type === 1) {
        this.ws.close();
      }
    });
    this.ws.on("error", (err) => {
      if (!this.connected) handlers.onConnectError(err.message);
    });
    this.ws.on("close", () => {
      this.connected = false;
      this.acks.clear();
      handlers.onClose();
    });
  }

  /** Emit `event` with a payload already JSON-encoded; `onAck` gets the gateway's answer. Returns the ack id. */
  emitJson(event: string, json: string, onAck: (ack: WireAck) => void): number {
    const id = this.nextAck++;
    this.acks.set(id, onAck as (data: unknown) => void);
    this.corkUntilNextTick();
    this.ws.send(eventFrame(this.nsp, id, event, json));
    return id;
  }

  /**
   * A rig flooding sends a message for each ack, and acks come in bursts: the frames sent in one
   * turn of the event loop go out in one write, so the load processes spend their two cores' share
   * on rigs, not on syscalls. ws keeps its TCP socket as `_socket`.
   */
  private corkUntilNextTick() {
    const tcp = (this.ws as unknown as { _socket?: unknown })._socket;
    if (this.corked || !(tcp instanceof TcpSocket)) return;
    this.corked = true;
    tcp.cork();
    process.nextTick(() => {
      this.corked = false;
      tcp.uncork();
    });
  }

  ack(id: number, json: string) {
    this.ws.send(ackFrame(this.nsp, id, json));
  }

  /** Acks still awaited: a timed-out one is dropped and reported by the caller. */
  forget(id: number) {
    this.acks.delete(id);
  }

  close() {
    this.ws.close();
  }
}
