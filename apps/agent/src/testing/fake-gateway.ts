import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Server, type Namespace } from "socket.io";
import {
  agentToGateway,
  describeZodError,
  DomainError,
  handler,
  ZEnrollRequest,
  type CommandProgress,
  type ErrorCode,
  type EventsOf,
  type gatewayToAgent,
  type Hello,
  type Telemetry,
} from "@rigshift/protocol";

export type FakeGatewayOptions = {
  enrollToken?: string;
  rigId?: string;
  rigToken?: string;
  /** Highest seq "already stored" from an earlier life of the rig. */
  lastSeq?: number | null;
  /** Refuse a telemetry message with this code instead of storing it (null: store it). */
  refuseTelemetry?: (t: Telemetry, attempt: number) => ErrorCode | null;
};

type AgentNamespace = Namespace<EventsOf<typeof agentToGateway>, EventsOf<typeof gatewayToAgent>>;

const silent = { warn: () => {}, error: () => {} };

/**
 * A gateway for tests, speaking the real protocol over real socket.io and HTTP: it validates
 * every agent message with the protocol schemas (violations are recorded, so tests can assert
 * there were none), stores telemetry once per seq, and acks like apps/gateway does.
 */
export class FakeGateway {
  readonly enrollToken: string;
  readonly rigId: string;
  readonly rigToken: string;
  port = 0;
  readonly gpuIds = new Map<number, string>();
  readonly hellos: Hello[] = [];
  /** Every telemetry message in arrival order, duplicates included. */
  readonly received: Telemetry[] = [];
  /** Telemetry by seq, stored once, as the gateway's (rig, seq) dedup would. */
  readonly stored = new Map<number, Telemetry>();
  readonly progress: CommandProgress[] = [];
  /** Each message the agent sent that broke the protocol. */
  readonly violations: string[] = [];
  readonly enrollRequests: unknown[] = [];
  connections = 0;
  private http: HttpServer | null = null;
  private io: Server | null = null;
  private nsp: AgentNamespace | null = null;
  private readonly baseLastSeq: number | null;
  private readonly refuseTelemetry: FakeGatewayOptions["refuseTelemetry"];
  private readonly attempts = new Map<number, number>();

  constructor(opts: FakeGatewayOptions = {}) {
    this.enrollToken = opts.enrollToken ?? "enroll-token-0123456789abcdef";
    this.rigId = opts.rigId ?? randomUUID();
    this.rigToken = opts.rigToken ?? `rig_${randomUUID().replaceAll("-", "")}`;
    this.baseLastSeq = opts.lastSeq ?? null;
    this.refuseTelemetry = opts.refuseTelemetry;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  lastSeq(): number | null {
    const seqs = [...this.stored.keys()];
    if (seqs.length === 0) return this.baseLastSeq;
    return Math.max(this.baseLastSeq ?? -1, ...seqs);
  }

  /** Listen (again) on the same port, keeping what was stored: a gateway restart. */
  async start(): Promise<this> {
    const http = createServer((req, res) => void this.onHttp(req, res));
    const io = new Server(http, { transports: ["websocket"] });
    const nsp: AgentNamespace = io.of("/agent");
    nsp.use((socket, next) => {
      if (socket.handshake.auth?.token !== this.rigToken) return next(new Error("UNAUTHENTICATED: rig token is unknown"));
      next();
    });
    nsp.on("connection", (socket) => {
      this.connections++;
      let greeted = false;
      const opts = { log: silent, onInvalid: (reason: string) => this.violations.push(reason) };
      socket.on(
        "hello",
        handler(agentToGateway, "hello", (hello) => {
          this.hellos.push(hello);
          for (const g of hello.gpus) if (!this.gpuIds.has(g.index)) this.gpuIds.set(g.index, randomUUID());
          greeted = true;
          const gpus = hello.gpus.map((g) => ({ index: g.index, gpuId: this.gpuIds.get(g.index)! }));
          return { ok: true as const, rigId: this.rigId, gpus, lastSeq: this.lastSeq() };
        }, opts),
      );
      socket.on(
        "telemetry",
        handler(agentToGateway, "telemetry", (t) => {
          if (!greeted) {
            this.violations.push(`telemetry ${t.seq} before hello`);
            throw new DomainError("PROTOCOL_INVALID", "telemetry: send hello with the rig's inventory first");
          }
          this.received.push(t);
          const attempt = (this.attempts.get(t.seq) ?? 0) + 1;
          this.attempts.set(t.seq, attempt);
          const refusal = this.refuseTelemetry?.(t, attempt) ?? null;
          if (refusal) throw new DomainError(refusal, `telemetry: refused seq ${t.seq}`);
          if (!this.stored.has(t.seq)) this.stored.set(t.seq, t);
          return { ok: true as const, seq: t.seq };
        }, opts),
      );
      socket.on(
        "commandProgress",
        handler(agentToGateway, "commandProgress", (p) => {
          this.progress.push(p);
          return { ok: true as const };
        }, opts),
      );
    });
    await new Promise<void>((resolve, reject) => {
      http.once("error", reject);
      http.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (http.address() as AddressInfo).port;
    this.http = http;
    this.io = io;
    this.nsp = nsp;
    return this;
  }

  /** Stop listening and drop every connection, as a crashed gateway would. */
  async stop(): Promise<void> {
    const io = this.io;
    this.io = null;
    this.nsp = null;
    this.http = null;
    if (!io) return;
    await new Promise<void>((resolve) => {
      io.close(() => resolve());
    });
  }

  /** Send a command to the connected rig and resolve with its ack. */
  async sendCommand(command: unknown): Promise<unknown> {
    const nsp = this.nsp;
    if (!nsp) throw new Error("fake gateway is not running");
    const [socket] = await nsp.fetchSockets();
    if (!socket) throw new Error("no agent connected");
    // Untyped on purpose: tests also send commands the protocol forbids.
    return (socket as unknown as { timeout: (ms: number) => { emitWithAck: (ev: string, m: unknown) => Promise<unknown> } })
      .timeout(5_000)
      .emitWithAck("command", command);
  }

  /** Disconnect every agent from the server side, as a gateway shedding load would. */
  kickAgents(): void {
    this.nsp?.disconnectSockets(true);
  }

  connectedAgents(): number {
    return this.nsp?.sockets.size ?? 0;
  }

  private async onHttp(req: IncomingMessage, res: ServerResponse) {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method !== "POST" || req.url !== "/api/agent/enroll") return send(404, { error: { code: "NOT_FOUND", message: "no such route" } });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return send(400, { error: { code: "INVALID_INPUT", message: "request body is not valid JSON" } });
    }
    this.enrollRequests.push(body);
    const parsed = ZEnrollRequest.safeParse(body);
    if (!parsed.success) return send(400, { error: { code: "INVALID_INPUT", message: describeZodError(parsed.error) } });
    if (parsed.data.token !== this.enrollToken) {
      return send(401, { error: { code: "ENROLLMENT_INVALID", message: "enrolment token is unknown, used or expired" } });
    }
    send(200, { rigId: this.rigId, rigToken: this.rigToken });
  }
}

/** Poll until `check` returns a value (not undefined/false), or fail naming what was awaited. */
export const waitFor = async <T>(what: string, check: () => T | undefined | false, timeoutMs = 10_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};
