import { io, type Socket } from "socket.io-client";
import {
  describeZodError,
  ZHelloAck,
  type agentToGateway,
  type EventsOf,
  type gatewayToAgent,
  type Hello,
  type HelloAck,
} from "@rigshift/protocol";
import type { Log } from "../log";

export type LinkTimings = {
  /** First reconnect delay; doubles per failed attempt up to `reconnectMaxMs`. */
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** How long to wait for an ack before treating the message as not delivered. */
  ackTimeoutMs: number;
};

export const DEFAULT_LINK_TIMINGS: LinkTimings = { reconnectMinMs: 1_000, reconnectMaxMs: 30_000, ackTimeoutMs: 15_000 };

export type HelloAckOk = Extract<HelloAck, { ok: true }>;
type AgentSocket = Socket<EventsOf<typeof gatewayToAgent>, EventsOf<typeof agentToGateway>>;
export type AgentEvent = "telemetry" | "commandProgress";

export type AgentLinkOptions = {
  server: string;
  rigToken: string;
  log: Log;
  timings: LinkTimings;
  /** Built on every connect, so the inventory is current. */
  hello: () => Promise<Hello>;
  /** Runs after each accepted hello, before anything else is sent on that connection. */
  onReady: (ack: HelloAckOk) => Promise<void>;
};

/**
 * The rig's one socket.io connection to the gateway's /agent namespace. Reconnects forever
 * (with backoff, also after the server refuses or drops it), says hello on every connect, and
 * only lets messages out once the hello is acked: the gateway drops telemetry from a rig that
 * has not told it its inventory.
 */
export class AgentLink {
  readonly socket: AgentSocket;
  private readonly opts: AgentLinkOptions;
  private ready = false;
  private closed = false;
  private failedAttempts = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly readyListeners: (() => void)[] = [];

  constructor(opts: AgentLinkOptions) {
    this.opts = opts;
    const { timings } = opts;
    this.socket = io(`${opts.server.replace(/\/+$/, "")}/agent`, {
      transports: ["websocket"],
      auth: { token: opts.rigToken },
      autoConnect: false,
      reconnection: true,
      reconnectionAttempts: Number.POSITIVE_INFINITY,
      reconnectionDelay: timings.reconnectMinMs,
      reconnectionDelayMax: timings.reconnectMaxMs,
      randomizationFactor: 0.5,
    });
    this.socket.on("connect", () => {
      this.greet().catch((err: unknown) => {
        opts.log.error({ err }, "greeting the gateway failed");
        this.dropAndRetry();
      });
    });
    this.socket.on("disconnect", (reason) => {
      this.ready = false;
      if (this.closed) return;
      opts.log.warn({ reason }, "disconnected from gateway");
      // socket.io retries lost transports itself, but not a disconnect the server chose.
      if (reason === "io server disconnect") this.retryLater();
    });
    this.socket.on("connect_error", (err) => {
      opts.log.warn({ err: err.message }, "cannot connect to gateway");
      // `active` false: the server refused us (auth); socket.io gives up on those, we do not.
      if (!this.socket.active) this.retryLater();
    });
  }

  start() {
    this.socket.connect();
  }

  /** Connected and greeted: messages may go out. */
  isReady() {
    return this.ready && this.socket.connected;
  }

  onReady(listener: () => void) {
    this.readyListeners.push(listener);
  }

  /** Emit and wait for the ack; rejects on timeout or disconnect. Never buffers while offline. */
  async send(event: AgentEvent, message: unknown): Promise<unknown> {
    if (!this.isReady()) throw new Error("not connected");
    // socket.io-client would otherwise buffer and replay it after a reconnect, next to our own resend.
    const socket = this.socket.timeout(this.opts.timings.ackTimeoutMs) as unknown as {
      emitWithAck: (ev: string, msg: unknown) => Promise<unknown>;
    };
    return socket.emitWithAck(event, message);
  }

  close() {
    this.closed = true;
    this.ready = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.socket.disconnect();
  }

  private async greet() {
    const { log, timings } = this.opts;
    let raw: unknown;
    try {
      raw = await this.socket.timeout(timings.ackTimeoutMs).emitWithAck("hello", await this.opts.hello());
    } catch (err) {
      log.warn({ err: (err as Error).message }, "hello not acked");
      return this.dropAndRetry();
    }
    const ack = ZHelloAck.safeParse(raw);
    if (!ack.success) {
      log.error({ reason: describeZodError(ack.error) }, "gateway sent a malformed hello ack");
      return this.dropAndRetry();
    }
    if (!ack.data.ok) {
      log.error({ code: ack.data.code, reason: ack.data.message }, "gateway refused hello");
      return this.dropAndRetry();
    }
    await this.opts.onReady(ack.data);
    if (!this.socket.connected) return;
    this.ready = true;
    this.failedAttempts = 0;
    log.info({ gpus: ack.data.gpus.length, lastSeq: ack.data.lastSeq }, "connected to gateway");
    for (const listener of this.readyListeners) listener();
  }

  private dropAndRetry() {
    if (this.socket.connected) this.socket.disconnect();
    this.retryLater();
  }

  private retryLater() {
    if (this.closed || this.retryTimer) return;
    const { reconnectMinMs, reconnectMaxMs } = this.opts.timings;
    const delayMs = Math.min(reconnectMaxMs, reconnectMinMs * 2 ** this.failedAttempts) * (0.5 + Math.random() * 0.5);
    this.failedAttempts++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.closed && !this.socket.connected) this.socket.connect();
    }, delayMs);
  }
}
