import { Redis } from "ioredis";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadGatewayConfig } from "@rigshift/config";
import { createGpuLiveStore, createSession, createSwitchCommand, getCommandView, hashToken, newToken } from "@rigshift/db";
import { createTestDatabase, insertTestFarm, testRedisPrefix, type TestDatabase, type TestFarm } from "@rigshift/db/testing";
import { COMMAND_DISPATCH_CHANNEL, type GpuLiveBatch, type HelloAck, type SwitchCommand } from "@rigshift/protocol";
import { createLog } from "./log";
import { startGateway, type Gateway } from "./server";

const base = loadGatewayConfig();
let tdb: TestDatabase;
let farm: TestFarm;
let redis: Redis;
let prefix: string;
const gateways: Gateway[] = [];
const sockets: Socket[] = [];

const start = async (redisPrefix = prefix, overrides: Partial<typeof base> = {}) => {
  const gateway = await startGateway({
    config: {
      ...base, DATABASE_URL: tdb.url, GATEWAY_PORT: 0, GATEWAY_HOST: "127.0.0.1", REDIS_PREFIX: redisPrefix, TELEMETRY_BATCH_MS: 20, LIVE_THROTTLE_MS: 100, WEB_ORIGINS: "http://127.0.0.1:3999",
      ...overrides,
    },
    db: tdb.db,
    redis,
    log: createLog("silent"),
  });
  gateways.push(gateway);
  return gateway;
};

const enroll = async (gateway: Gateway, body: unknown) => {
  const res = await fetch(`${gateway.url}/api/agent/enroll`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

const connectAgent = (gateway: Gateway, token: string) => {
  const socket = connect(`${gateway.url}/agent`, { auth: { token }, transports: ["websocket"], reconnection: false });
  sockets.push(socket);
  return socket;
};

const connected = (socket: Socket) =>
  new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });

const hello = {
  v: 1,
  agentVersion: "0.1.0-test",
  hostname: "rig-01.test",
  gpus: [
    { index: 0, uuid: "GPU-aaaa", pciBusId: "0000:01:00.0", vendor: "NVIDIA", model: "NVIDIA GeForce RTX 3060", vramMb: 12288 },
    { index: 1, uuid: "GPU-bbbb", pciBusId: "0000:02:00.0", vendor: "NVIDIA", model: "NVIDIA GeForce RTX 3090", vramMb: 24576 },
  ],
};

// An agent resends a message identically (from its spool): a seq keeps the time it was first sent.
// Raw telemetry is partitioned by day on `at`, so stored-once is per (rig, seq, gpu, at).
const sentAt = new Map<number, string>();
const telemetry = (seq: number, hashrateHs = 48e6) => ({
  v: 1,
  seq,
  at: sentAt.get(seq) ?? sentAt.set(seq, new Date().toISOString()).get(seq)!,
  gpus: [0, 1].map((index) => ({
    index, mode: "HASHING", coin: "ETC", workloadId: null, hashrateHs: hashrateHs * (index + 1), tempC: 61, powerW: 120, fanPct: 55, utilPct: 100, vramUsedMb: 4500,
  })),
});

let rigToken: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  farm = await insertTestFarm(tdb.db);
  redis = new Redis(base.REDIS_URL, { maxRetriesPerRequest: null });
  prefix = testRedisPrefix();
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  for (const g of gateways) await g.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await tdb.drop();
});

describe("enrolment", () => {
  it("trades a one-time enrolment token for a rig token, once", async () => {
    const gateway = await start();
    const bad = await enroll(gateway, { token: farm.enrollmentToken, hostname: "" });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/hostname/);
    expect(JSON.stringify(bad.body)).toMatch(/agentVersion/);

    const first = await enroll(gateway, { token: farm.enrollmentToken, hostname: "rig-01.test", agentVersion: "0.1.0-test" });
    expect(first.status).toBe(200);
    expect(first.body.rigId).toBe(farm.rigId);
    rigToken = first.body.rigToken as string;
    const stored = await tdb.db.rig.findUniqueOrThrow({ where: { id: farm.rigId } });
    expect(stored.tokenHash).not.toBe(rigToken);
    expect(stored.tokenHash).toMatch(/^[0-9a-f]{64}$/);

    const again = await enroll(gateway, { token: farm.enrollmentToken, hostname: "rig-01.test", agentVersion: "0.1.0-test" });
    expect(again.status).toBe(401);
    expect(again.body).toEqual({ error: { code: "ENROLLMENT_INVALID", message: expect.stringMatching(/unknown or already used/) } });
  });

  it("answers malformed JSON with 400, not 500", async () => {
    const res = await fetch(`${gateways[0]!.url}/api/agent/enroll`, { method: "POST", body: "{nope" });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: "INVALID_INPUT", message: "request body is not valid JSON" } });
  });
});

describe("agents", () => {
  it("refuses an unknown rig token", async () => {
    const socket = connectAgent(gateways[0]!, "rs_rig_not-a-real-token");
    await expect(connected(socket)).rejects.toThrow(/UNAUTHENTICATED/);
  });

  it("stores telemetry once per (rig, seq), acks after the write, and survives a bad message", async () => {
    const gateway = gateways[0]!;
    const agent = connectAgent(gateway, rigToken);
    await connected(agent);

    const early = await agent.emitWithAck("telemetry", telemetry(1));
    expect(early).toMatchObject({ ok: false, code: "PROTOCOL_INVALID", message: expect.stringMatching(/hello/) });

    const ack = (await agent.emitWithAck("hello", hello)) as HelloAck;
    expect(ack).toMatchObject({ ok: true, rigId: farm.rigId, lastSeq: null });
    if (!ack.ok) throw new Error("hello refused");
    expect(ack.gpus.map((g) => g.gpuId).sort()).toEqual([...farm.gpuIds].sort());

    expect(await agent.emitWithAck("telemetry", telemetry(1))).toEqual({ ok: true, seq: 1 });
    expect(await tdb.db.telemetrySample.count({ where: { rigId: farm.rigId, seq: 1 } })).toBe(2);
    // The agent resends what it thinks was lost: stored once, acked again.
    expect(await agent.emitWithAck("telemetry", telemetry(1, 1))).toEqual({ ok: true, seq: 1 });
    const rows = await tdb.db.telemetrySample.findMany({ where: { rigId: farm.rigId }, orderBy: { gpuIndex: "asc" } });
    expect(rows.map((r) => r.hashrateHs)).toEqual([48e6, 96e6]);

    const bad = await agent.emitWithAck("telemetry", { ...telemetry(2), gpus: [{ ...telemetry(2).gpus[0], tempC: -400 }] });
    expect(bad).toMatchObject({ ok: false, code: "PROTOCOL_INVALID", message: expect.stringMatching(/gpus\.0\.tempC/) });
    const unknownGpu = await agent.emitWithAck("telemetry", { ...telemetry(3), gpus: [{ ...telemetry(3).gpus[0], index: 7 }] });
    expect(unknownGpu).toMatchObject({ ok: false, code: "PROTOCOL_INVALID", message: expect.stringMatching(/GPU 7 is not in the rig's inventory/) });
    expect(agent.connected).toBe(true);
    // Seqs 2 and 3 never made it (the agent's spool had to drop them): the gap is recorded, twice reported, once stored.
    const gap = { fromSeq: 2, toSeq: 3, from: new Date(Date.now() - 10_000).toISOString(), to: new Date(Date.now() - 5_000).toISOString(), dropped: 2 };
    expect(await agent.emitWithAck("telemetry", { ...telemetry(4), gap })).toEqual({ ok: true, seq: 4 });
    expect(await agent.emitWithAck("telemetry", { ...telemetry(4), gap })).toEqual({ ok: true, seq: 4 });
    const gaps = await tdb.db.telemetryGap.findMany({ where: { rigId: farm.rigId } });
    expect(gaps.map((g) => [Number(g.fromSeq), Number(g.toSeq), g.dropped])).toEqual([[2, 3, 2]]);

    const again = connectAgent(gateway, rigToken);
    await connected(again);
    const second = (await again.emitWithAck("hello", hello)) as HelloAck;
    expect(second).toMatchObject({ ok: true, lastSeq: 4 });
  });

  it("greets a storm of rigs saying hello at once, and refuses only the one whose inventory cannot be stored", async () => {
    const gateway = gateways[0]!;
    const rigs = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const token = newToken("rig");
        const rig = await tdb.db.rig.create({ data: { siteId: farm.siteId, name: `storm-${i}`, tokenHash: hashToken(token) }, select: { id: true } });
        return { rigId: rig.id, token };
      }),
    );
    // A card already stored in another rig. Rig 5 claims it: a card cannot sit in two rigs. (Had rig 5 raced
    // a rig of the storm for one card, which of the two lost would depend on arrival order.)
    const owner = await tdb.db.rig.create({ data: { siteId: farm.siteId, name: "storm-owner", tokenHash: hashToken(newToken("rig")) }, select: { id: true } });
    await tdb.db.gpu.create({ data: { rigId: owner.id, index: 0, uuid: "GPU-storm-owned-0", vendor: "NVIDIA", model: "NVIDIA GeForce RTX 3090", vramMb: 24576 } });
    const agents = rigs.map((r) => connectAgent(gateway, r.token));
    await Promise.all(agents.map(connected));
    const inventory = (i: number) => ({
      ...hello,
      hostname: `storm-${i}.test`,
      gpus: hello.gpus.map((g) => ({ ...g, uuid: i === 5 && g.index === 0 ? "GPU-storm-owned-0" : `GPU-storm-${i}-${g.index}` })),
    });
    const acks = (await Promise.all(agents.map((a, i) => a.emitWithAck("hello", inventory(i))))) as HelloAck[];

    expect(acks[5]).toMatchObject({ ok: false });
    for (const [i, ack] of acks.entries()) {
      if (i === 5) continue;
      expect(ack).toMatchObject({ ok: true, rigId: rigs[i]!.rigId });
      const stored = await tdb.db.gpu.findMany({ where: { rigId: rigs[i]!.rigId }, orderBy: { index: "asc" }, select: { id: true, uuid: true } });
      expect(stored.map((g) => g.uuid)).toEqual([`GPU-storm-${i}-0`, `GPU-storm-${i}-1`]);
      if (ack.ok) expect(ack.gpus.map((g) => g.gpuId)).toEqual(stored.map((g) => g.id));
    }
    expect(await tdb.db.gpu.count({ where: { rigId: rigs[5]!.rigId } })).toBe(0);
    expect(await tdb.db.gpu.findUnique({ where: { uuid: "GPU-storm-owned-0" }, select: { rigId: true } })).toEqual({ rigId: owner.id });
    for (const a of agents) a.disconnect();
  });

  it("shows each rig's newest telemetry live whatever order a batch holds it in, and stores every message", async () => {
    // A long batch window: each rig's messages land in one batch, newest in the middle.
    const gateway = await start(prefix, { TELEMETRY_BATCH_MS: 400 });
    const live = createGpuLiveStore({ redis, prefix });
    const rigs = await Promise.all(
      [0, 1].map(async (i) => {
        const token = newToken("rig");
        const rig = await tdb.db.rig.create({ data: { siteId: farm.siteId, name: `batch-${i}`, tokenHash: hashToken(token) }, select: { id: true } });
        const agent = connectAgent(gateway, token);
        await connected(agent);
        const ack = (await agent.emitWithAck("hello", { ...hello, gpus: hello.gpus.map((g) => ({ ...g, uuid: `GPU-batch-${i}-${g.index}` })) })) as HelloAck;
        if (!ack.ok) throw new Error("hello refused");
        return { rigId: rig.id, agent, gpuIds: ack.gpus.map((g) => g.gpuId) };
      }),
    );
    const t0 = Date.parse("2026-12-06T10:00:00Z");
    const message = (seq: number, secondsIn: number, mode: "HASHING" | "AI") => ({
      v: 1, seq, at: new Date(t0 + secondsIn * 1000).toISOString(),
      gpus: [0, 1].map((index) => ({
        index, mode, coin: mode === "HASHING" ? "ETC" : null, workloadId: null, hashrateHs: mode === "HASHING" ? 1e6 * seq : null,
        tempC: 50 + seq, powerW: 100, fanPct: 40, utilPct: 90, vramUsedMb: 1000,
      })),
    });
    // Rig 0 sends its newest (AI) message between two older ones; rig 1 ends on its newest.
    const sends = [
      [0, message(1, 10, "HASHING")], [0, message(3, 30, "AI")], [0, message(2, 20, "HASHING")],
      [1, message(1, 10, "AI")], [1, message(2, 20, "HASHING")],
    ] as const;
    const acks = await Promise.all(sends.map(([rig, m]) => rigs[rig]!.agent.emitWithAck("telemetry", m)));
    expect(acks).toEqual(sends.map(([, m]) => ({ ok: true, seq: m.seq })));

    const shown = async (rig: number) => [...(await live.getMany(rigs[rig]!.gpuIds)).values()].map((g) => [g.mode, g.tempC, g.at]);
    expect(await shown(0)).toEqual([0, 1].map(() => ["AI", 53, new Date(t0 + 30_000).toISOString()]));
    expect(await shown(1)).toEqual([0, 1].map(() => ["HASHING", 52, new Date(t0 + 20_000).toISOString()]));
    const modes = async (rig: number) => (await tdb.db.gpu.findMany({ where: { rigId: rigs[rig]!.rigId }, orderBy: { index: "asc" } })).map((g) => g.currentMode);
    expect(await modes(0)).toEqual(["AI", "AI"]);
    expect(await modes(1)).toEqual(["HASHING", "HASHING"]);
    expect(await tdb.db.telemetrySample.count({ where: { rigId: { in: rigs.map((r) => r.rigId) } } })).toBe(sends.length * 2);

    // A backlog replayed later, older than what rig 0 shows, is stored but does not replace it.
    expect(await rigs[0]!.agent.emitWithAck("telemetry", message(0, 0, "HASHING"))).toEqual({ ok: true, seq: 0 });
    expect(await shown(0)).toEqual([0, 1].map(() => ["AI", 53, new Date(t0 + 30_000).toISOString()]));
    expect(await modes(0)).toEqual(["AI", "AI"]);
    for (const r of rigs) r.agent.disconnect();
  });

  it("delivers a switch command published by the scheduler and records the agent's steps", async () => {
    const gateway = gateways[0]!;
    const agent = connectAgent(gateway, rigToken);
    await connected(agent);
    await agent.emitWithAck("hello", hello);
    const received = new Promise<SwitchCommand>((resolve) => agent.once("command", (cmd: SwitchCommand, ack: (r: unknown) => void) => {
      ack({ ok: true });
      resolve(cmd);
    }));

    const now = new Date();
    const { id, rigIds } = await createSwitchCommand(tdb.db, { gpuIds: [farm.gpuIds[1]!], mode: "AI", ttlS: 60, source: "USER", userId: farm.users.operator.id, now });
    await redis.publish(`${prefix}:${COMMAND_DISPATCH_CHANNEL}`, JSON.stringify({ commandId: id, rigIds }));
    const command = await received;
    expect(command).toMatchObject({ id, mode: "AI", gpus: [{ index: 1, gpuId: farm.gpuIds[1] }], workload: { workloadId: farm.workloadId, checkpointGraceS: 30 } });

    await expect.poll(async () => (await getCommandView(tdb.db, id)).status).toBe("DISPATCHED");
    for (const [status, step] of [["RUNNING", "DRAINING_HASHING"], ["RUNNING", "STARTING_AI"], ["DONE", "AI"]] as const) {
      const ack = await agent.emitWithAck("commandProgress", { v: 1, commandId: id, gpuIndex: 1, status, step, message: null, at: new Date().toISOString() });
      expect(ack).toEqual({ ok: true });
    }
    const view = await getCommandView(tdb.db, id);
    expect(view.status).toBe("DONE");
    expect(view.history.map((h) => h.status)).toEqual(["QUEUED", "DISPATCHED", "RUNNING", "RUNNING", "DONE", "DONE"]);
    expect((await tdb.db.gpu.findUniqueOrThrow({ where: { id: farm.gpuIds[1]! } })).currentMode).toBe("AI");

    const forged = await agent.emitWithAck("commandProgress", { v: 1, commandId: id, gpuIndex: 0, status: "DONE", step: "AI", message: null, at: new Date().toISOString() });
    expect(forged).toMatchObject({ ok: false, code: "COMMAND_NOT_FOUND" });
  });
});

const scrapeText = async (gateway: Gateway) => {
  const res = await fetch(`${gateway.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
  return res.text();
};
/** A phase of rigshift_gateway_command_delivery_seconds. parse-prometheus-text-format drops the labels of a histogram's series, so its _sum and _count lines are read here. */
const delivery = (text: string, phase: "lookup" | "ack") => {
  const series = (suffix: string) => Number(new RegExp(`^rigshift_gateway_command_delivery_seconds_${suffix}\\{phase="${phase}"\\} (\\S+)$`, "m").exec(text)?.[1] ?? 0);
  return { count: series("count"), sum: series("sum") };
};

describe("agents (command dispatch)", () => {
  it("sends a command once when two dispatches for it arrive while the rig has not yet acked", async () => {
    const gateway = gateways[0]!;
    const agent = connectAgent(gateway, rigToken);
    await connected(agent);
    await agent.emitWithAck("hello", hello);
    const received: string[] = [];
    agent.on("command", (cmd: SwitchCommand, ack: (r: unknown) => void) => {
      received.push(cmd.id);
      // A slow rig: the scheduler's dispatch lands while the API's is still waiting for this ack.
      setTimeout(() => ack({ ok: true }), 300);
    });
    const { id, rigIds } = await createSwitchCommand(tdb.db, { gpuIds: [farm.gpuIds[0]!], mode: "IDLE", ttlS: 60, source: "USER", userId: farm.users.operator.id, now: new Date() });
    const dispatch = JSON.stringify({ commandId: id, rigIds });
    await Promise.all([redis.publish(`${prefix}:${COMMAND_DISPATCH_CHANNEL}`, dispatch), redis.publish(`${prefix}:${COMMAND_DISPATCH_CHANNEL}`, dispatch)]);
    await expect.poll(async () => (await getCommandView(tdb.db, id)).status).toBe("DISPATCHED");
    expect(received).toEqual([id]);
    expect((await getCommandView(tdb.db, id)).history.map((h) => h.status)).toEqual(["QUEUED", "DISPATCHED"]);

    // Once the send has ended, a later dispatch (the rig lost it, say) is sent again: the agent knows it by its id.
    await redis.publish(`${prefix}:${COMMAND_DISPATCH_CHANNEL}`, dispatch);
    await expect.poll(() => received).toEqual([id, id]);
    agent.disconnect();
  });

  it("sends the message the API's dispatch carries without reading the command back, unless it has expired", async () => {
    const gateway = gateways[0]!;
    const lookups = async () => delivery(await scrapeText(gateway), "lookup").count;
    const before = await lookups();
    const agent = connectAgent(gateway, rigToken);
    await connected(agent);
    const received: SwitchCommand[] = [];
    agent.on("command", (cmd: SwitchCommand, ack: (r: unknown) => void) => {
      received.push(cmd);
      ack({ ok: true });
    });
    await agent.emitWithAck("hello", hello);
    // The hello's own lookup of the rig's open commands; after it, none is expected.
    await expect.poll(lookups).toBe(before + 1);

    const late = await createSwitchCommand(tdb.db, { gpuIds: [farm.gpuIds[1]!], mode: "IDLE", ttlS: 1, source: "USER", userId: farm.users.operator.id, now: new Date(Date.now() - 5_000) });
    const fresh = await createSwitchCommand(tdb.db, { gpuIds: [farm.gpuIds[0]!], mode: "HASHING", ttlS: 60, source: "USER", userId: farm.users.operator.id, now: new Date() });
    for (const c of [late, fresh]) await redis.publish(`${prefix}:${COMMAND_DISPATCH_CHANNEL}`, JSON.stringify({ commandId: c.id, rigIds: c.rigIds, commands: c.commands }));
    await expect.poll(async () => (await getCommandView(tdb.db, fresh.id)).status).toBe("DISPATCHED");
    // Dispatches are handled in order, so the expired one was passed over before the fresh one went out.
    const ours = received.filter((c) => c.id === late.id || c.id === fresh.id);
    expect(ours).toEqual([fresh.commands[0]!.command]);
    expect(ours[0]).toMatchObject({ mode: "HASHING", gpus: [{ index: 0, gpuId: farm.gpuIds[0] }], miner: { coin: "ETC" } });
    expect(await lookups()).toBe(before + 1);
    agent.disconnect();
  });
});

describe("/metrics", () => {
  const scrape = async (gateway: Gateway) => parsePrometheusTextFormat(await scrapeText(gateway));
  const value = (metrics: ReturnType<typeof parsePrometheusTextFormat>, name: string, labels: Record<string, string> = {}) =>
    Number(
      metrics.find((m) => m.name === name)?.metrics.find((x) => Object.entries(labels).every(([k, v]) => x.labels?.[k] === v))?.value ?? "0",
    );

  it("parses as Prometheus text and moves with ingest, connections and refusals", async () => {
    const gateway = gateways[0]!;
    const before = await scrape(gateway);
    expect(before.map((m) => m.name)).toEqual(expect.arrayContaining([
      "rigshift_gateway_telemetry_rows_total", "rigshift_gateway_telemetry_batch_rows", "rigshift_gateway_telemetry_batch_seconds",
      "rigshift_gateway_telemetry_pending_rows", "rigshift_gateway_connected_agents", "rigshift_gateway_rejected_messages_total",
      "rigshift_gateway_process_resident_memory_bytes",
    ]));
    // Failure counters exist at 0 before any failure, so a rate() sees the first one.
    const failures = before.find((m) => m.name === "rigshift_gateway_command_send_failures_total")?.metrics.map((x) => x.labels?.reason).sort();
    expect(failures).toEqual(["malformed", "refused", "unacked"]);
    const agent = connectAgent(gateway, rigToken);
    await connected(agent);
    await agent.emitWithAck("hello", hello);
    await agent.emitWithAck("telemetry", telemetry(500));
    await agent.emitWithAck("telemetry", { ...telemetry(501), seq: -1 });
    const after = await scrape(gateway);
    expect(value(after, "rigshift_gateway_telemetry_rows_total") - value(before, "rigshift_gateway_telemetry_rows_total")).toBe(2);
    expect(value(after, "rigshift_gateway_connected_agents")).toBeGreaterThanOrEqual(1);
    const rejected = { event: "telemetry", reason: "PROTOCOL_INVALID" };
    expect(value(after, "rigshift_gateway_rejected_messages_total", rejected) - value(before, "rigshift_gateway_rejected_messages_total", rejected)).toBe(1);
    expect(value(after, "rigshift_gateway_rejected_messages_total", { event: "connect", reason: "UNAUTHENTICATED" })).toBeGreaterThanOrEqual(1);
    agent.disconnect();
  });

  it("times a command's lookup and the agent's ack, so a slow rig shows as a slow ack", async () => {
    const gateway = gateways[0]!;
    const scrapeDelivery = async () => {
      const text = await scrapeText(gateway);
      expect(parsePrometheusTextFormat(text).map((m) => m.name)).toContain("rigshift_gateway_command_delivery_seconds");
      return text;
    };
    const before = await scrapeDelivery();
    const agent = connectAgent(gateway, rigToken);
    await connected(agent);
    await agent.emitWithAck("hello", hello);
    agent.on("command", (_cmd: SwitchCommand, ack: (r: unknown) => void) => setTimeout(() => ack({ ok: true }), 300));
    const { id, rigIds } = await createSwitchCommand(tdb.db, { gpuIds: [farm.gpuIds[0]!], mode: "IDLE", ttlS: 60, source: "USER", userId: farm.users.operator.id, now: new Date() });
    await redis.publish(`${prefix}:${COMMAND_DISPATCH_CHANNEL}`, JSON.stringify({ commandId: id, rigIds }));
    await expect.poll(async () => (await getCommandView(tdb.db, id)).status).toBe("DISPATCHED");

    const after = await scrapeDelivery();
    // The hello's lookup of the rig's open commands counts too, and it may resend an earlier test's
    // command that is still open: every ack here took 300 ms.
    expect(delivery(after, "lookup").count - delivery(before, "lookup").count).toBeGreaterThanOrEqual(2);
    const acks = delivery(after, "ack").count - delivery(before, "ack").count;
    expect(acks).toBeGreaterThanOrEqual(1);
    expect((delivery(after, "ack").sum - delivery(before, "ack").sum) / acks).toBeGreaterThanOrEqual(0.29);
    agent.disconnect();
  });
  it("counts the sends a rig refuses or does not ack in time, and leaves those commands QUEUED", async () => {
    const gateway = await start(prefix, { GATEWAY_COMMAND_ACK_TIMEOUT_MS: 300 });
    const failures = async () => {
      const metrics = await scrape(gateway);
      return { refused: value(metrics, "rigshift_gateway_command_send_failures_total", { reason: "refused" }), unacked: value(metrics, "rigshift_gateway_command_send_failures_total", { reason: "unacked" }) };
    };
    const before = await failures();
    const agent = connectAgent(gateway, rigToken);
    await connected(agent);
    // The hello also resends earlier tests' open commands: every command this agent gets is refused, then ignored.
    let answer: "refuse" | "ignore" = "refuse";
    const got = { refuse: [] as string[], ignore: [] as string[] };
    agent.on("command", (cmd: SwitchCommand, ack: (r: unknown) => void) => {
      got[answer].push(cmd.id);
      if (answer === "refuse") ack({ ok: false, code: "GPU_BUSY", message: "GPU 0 is flashing its VBIOS" });
    });
    await agent.emitWithAck("hello", hello);
    const dispatch = async () => {
      const c = await createSwitchCommand(tdb.db, { gpuIds: [farm.gpuIds[0]!], mode: "IDLE", ttlS: 60, source: "USER", userId: farm.users.operator.id, now: new Date() });
      await redis.publish(`${prefix}:${COMMAND_DISPATCH_CHANNEL}`, JSON.stringify({ commandId: c.id, rigIds: c.rigIds, commands: c.commands }));
      return c.id;
    };
    const refused = await dispatch();
    await expect.poll(() => got.refuse).toContain(refused);
    await expect.poll(async () => (await failures()).refused - before.refused).toBe(got.refuse.length);

    answer = "ignore";
    const ignored = await dispatch();
    await expect.poll(() => got.ignore).toContain(ignored);
    await expect.poll(async () => (await failures()).unacked - before.unacked).toBe(got.ignore.length);
    for (const id of [refused, ignored]) expect((await getCommandView(tdb.db, id)).status).toBe("QUEUED");
    agent.disconnect();
  });
});

describe("browsers on /live", () => {
  it("refuses long-polling, which a gateway of several workers cannot serve, and takes WebSocket", async () => {
    const { token } = await createSession(tdb.db, { email: farm.users.viewer.email, password: "test-password", ttlHours: 1, now: new Date() });
    const res = await fetch(`${gateways[0]!.url}/socket.io/?EIO=4&transport=polling`, { headers: { cookie: `rs_session=${token}` } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: 0, message: "Transport unknown" });
    const polling = connect(`${gateways[0]!.url}/live`, { transports: ["polling"], reconnection: false, extraHeaders: { cookie: `rs_session=${token}` } });
    sockets.push(polling);
    await expect(connected(polling)).rejects.toThrow();
    const browser = connect(`${gateways[0]!.url}/live`, { transports: ["websocket"], reconnection: false, extraHeaders: { cookie: `rs_session=${token}` } });
    sockets.push(browser);
    await connected(browser);
  });

  it("needs a dashboard session", async () => {
    const socket = connect(`${gateways[0]!.url}/live`, { transports: ["websocket"], reconnection: false });
    sockets.push(socket);
    await expect(connected(socket)).rejects.toThrow(/UNAUTHENTICATED/);
  });

  it("shows a browser on gateway A the telemetry of a rig connected to gateway B", async () => {
    const [a, b] = [gateways[0]!, await start()];
    const { token } = await createSession(tdb.db, { email: farm.users.viewer.email, password: "test-password", ttlHours: 1, now: new Date() });
    const browser = connect(`${a.url}/live`, { transports: ["websocket"], reconnection: false, extraHeaders: { cookie: `rs_session=${token}` } });
    sockets.push(browser);
    await connected(browser);
    const batches: GpuLiveBatch[] = [];
    browser.on("gpus", (batch: GpuLiveBatch) => batches.push(batch));
    browser.emit("subscribe", { v: 1, rooms: ["fleet"] });
    await new Promise((r) => setTimeout(r, 100));

    const agent = connectAgent(b, rigToken);
    await connected(agent);
    await agent.emitWithAck("hello", hello);
    await agent.emitWithAck("telemetry", telemetry(100, 50e6));

    await expect.poll(() => batches.flatMap((x) => x.gpus).find((g) => g.hashrateHs === 50e6), { timeout: 5000 }).toMatchObject({
      gpuId: farm.gpuIds[0], rigId: farm.rigId, mode: "HASHING", coin: "ETC", tempC: 61,
    });
  });

  it("publishes a rig's updates to the other gateways only while a browser there watches them, and only what it watches", async () => {
    // Gateways of their own (a prefix of their own): the browser of the test above watches the whole fleet.
    const own = testRedisPrefix();
    const [a, b] = [await start(own), await start(own)];
    const wire = redis.duplicate();
    const published: { event: string; args: unknown[] }[] = [];
    wire.on("message", (_channel: string, message: string) => {
      const { data } = JSON.parse(message) as { data: [string, ...unknown[]] };
      published.push({ event: data[0], args: data.slice(1) });
    });
    await wire.subscribe(`${own}:socket.io-request#/live#`);
    const peerUpdates = () => published.filter((p) => p.event === "gpus:peer");
    const watches = () => published.filter((p) => p.event === "rooms:watch");
    const flushes = (n: number) => new Promise((r) => setTimeout(r, n * 100));

    const agent = connectAgent(b, rigToken);
    await connected(agent);
    await agent.emitWithAck("hello", hello);
    await agent.emitWithAck("telemetry", telemetry(900, 51e6));
    await flushes(5);
    expect(published).toEqual([]);

    // A browser on A watches one of the rig's two GPUs: B sends that GPU, not the other, and A shows it.
    const { token } = await createSession(tdb.db, { email: farm.users.viewer.email, password: "test-password", ttlHours: 1, now: new Date() });
    const browser = connect(`${a.url}/live`, { transports: ["websocket"], reconnection: false, extraHeaders: { cookie: `rs_session=${token}` } });
    sockets.push(browser);
    await connected(browser);
    const shown: GpuLiveBatch[] = [];
    browser.on("gpus", (batch: GpuLiveBatch) => shown.push(batch));
    browser.emit("subscribe", { v: 1, rooms: [`gpu:${farm.gpuIds[0]}`] });
    await expect.poll(() => watches().at(-1)?.args[0]).toMatchObject({ rooms: [`gpu:${farm.gpuIds[0]}`] });
    await agent.emitWithAck("telemetry", telemetry(901, 52e6));
    await expect.poll(() => shown.flatMap((x) => x.gpus).map((g) => [g.gpuId, g.hashrateHs])).toEqual([[farm.gpuIds[0], 52e6]]);
    const sent = peerUpdates().flatMap((p) => (p.args[1] as GpuLiveBatch).gpus);
    expect(sent.map((g) => [g.gpuId, g.hashrateHs])).toEqual([[farm.gpuIds[0], 52e6]]);

    // The browser leaves: A says so, and B publishes nothing more.
    browser.disconnect();
    await expect.poll(() => watches().at(-1)?.args[0]).toMatchObject({ rooms: [] });
    const before = peerUpdates().length;
    await agent.emitWithAck("telemetry", telemetry(902, 53e6));
    await flushes(5);
    expect(peerUpdates()).toHaveLength(before);
    agent.disconnect();
    wire.disconnect();
    const keys = await redis.keys(`${own}:*`);
    if (keys.length) await redis.del(...keys);
  });
});
