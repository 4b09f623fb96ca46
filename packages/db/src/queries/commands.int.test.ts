import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { createTestDatabase, insertTestFarm, type TestDatabase, type TestFarm } from "../testing";
import { createSwitchCommand, expireCommand, getCommandDelivery, getCommandView, listDeliverableCommands, markCommandDispatched, recordCommandProgress } from "./commands";

let tdb: TestDatabase;
let farm: TestFarm;
const now = new Date("2026-12-03T08:00:00Z");
const until = new Date("2026-12-03T12:00:00Z");

beforeAll(async () => {
  tdb = await createTestDatabase();
  farm = await insertTestFarm(tdb.db);
});
afterAll(() => tdb.drop());

const operator = () => ({ source: "USER" as const, userId: farm.users.operator.id, ttlS: 600, now });

describe("a manual switch command", () => {
  it("pins each GPU on the coin of the profile it will mine, with one audit row per change", async () => {
    const { id } = await createSwitchCommand(tdb.db, { ...operator(), gpuIds: farm.gpuIds, mode: "HASHING", pinUntil: until });
    const gpus = await tdb.db.gpu.findMany({ where: { id: { in: farm.gpuIds } }, select: { desiredMode: true, pinTarget: true, pinUntil: true } });
    expect(gpus).toHaveLength(2);
    for (const g of gpus) {
      expect(g).toEqual({ desiredMode: "HASHING", pinTarget: { mode: "HASH", coin: "ETC", algorithm: "etchash" }, pinUntil: until });
    }
    const audit = await tdb.db.auditLog.findMany({ where: { at: { gte: new Date(Date.now() - 60_000) }, actorId: farm.users.operator.id }, orderBy: { id: "asc" } });
    expect(audit[0]).toMatchObject({ action: "command.created", targetId: id });
    expect(audit.slice(1).map((a) => [a.action, a.targetId]).sort()).toEqual(farm.gpuIds.map((gpuId) => ["gpu.pinned", gpuId]).sort());
  });

  it("pins an AI switch on the workload it starts, and leaves pins alone when asked for none", async () => {
    const [gpu3060, gpu3090] = farm.gpuIds as [string, string];
    await tdb.db.gpu.update({ where: { id: gpu3060 }, data: { pinTarget: { mode: "IDLE" }, pinUntil: until } });
    await createSwitchCommand(tdb.db, { ...operator(), gpuIds: [gpu3090], mode: "AI", pinUntil: until });
    expect(await tdb.db.gpu.findUniqueOrThrow({ where: { id: gpu3090 }, select: { pinTarget: true } })).toEqual({ pinTarget: { mode: "AI", workloadId: farm.workloadId } });

    await createSwitchCommand(tdb.db, { ...operator(), gpuIds: [gpu3060], mode: "IDLE", pinUntil: null });
    expect(await tdb.db.gpu.findUniqueOrThrow({ where: { id: gpu3060 }, select: { desiredMode: true, pinTarget: true } })).toEqual({ desiredMode: "IDLE", pinTarget: { mode: "IDLE" } });
  });

  it("writes nothing, neither command nor pin, when one GPU is unknown", async () => {
    const commands = await tdb.db.command.count();
    const [gpu] = farm.gpuIds as [string];
    await tdb.db.gpu.update({ where: { id: gpu }, data: { pinTarget: { mode: "IDLE" }, pinUntil: until } });
    await expect(
      createSwitchCommand(tdb.db, { ...operator(), gpuIds: [gpu, "00000000-0000-4000-8000-000000000000"], mode: "HASHING", pinUntil: new Date("2026-12-04T00:00:00Z") }),
    ).rejects.toThrow(/unknown GPU id/);
    expect(await tdb.db.command.count()).toBe(commands);
    expect(await tdb.db.gpu.findUniqueOrThrow({ where: { id: gpu }, select: { pinTarget: true, pinUntil: true } })).toEqual({ pinTarget: { mode: "IDLE" }, pinUntil: until });
  });
});

describe("delivery to a rig", () => {
  it("lists the rig's open commands oldest first, each with its miner or workload, and marks one dispatched once", async () => {
    const rig = await insertTestFarm(tdb.db);
    const [gpu3060, gpu3090] = rig.gpuIds as [string, string];
    const workload = await tdb.db.aiWorkload.create({
      data: {
        name: "llm serve", customer: "Test AI", gpusNeeded: 1, minVramMb: 20_000, usdPerGpuHour: "9.00", priority: 10, checkpointGraceS: 45,
        image: "ghcr.io/test/serve:1", args: ["--port", "8000"], env: { HF_HOME: "/cache", NOT_A_STRING: 5 },
      },
    });
    const at = (s: number) => new Date(now.getTime() + s * 1000);
    const hash = await createSwitchCommand(tdb.db, { ...operator(), gpuIds: [gpu3060, gpu3090], mode: "HASHING", now: at(0) });
    const ai = await createSwitchCommand(tdb.db, { ...operator(), gpuIds: [gpu3090], mode: "AI", now: at(1) });
    await createSwitchCommand(tdb.db, { ...operator(), gpuIds: [gpu3060], mode: "IDLE", ttlS: 1, now: at(2) }); // expired by at(10)
    const done = await createSwitchCommand(tdb.db, { ...operator(), gpuIds: [gpu3060], mode: "IDLE", now: at(3) });
    await tdb.db.command.update({ where: { id: done.id }, data: { status: "DONE" } });

    const open = await listDeliverableCommands(tdb.db, rig.rigId, at(10));
    expect(open).toEqual([
      {
        v: 1, id: hash.id, type: "switch", mode: "HASHING", expiresAt: at(600).toISOString(),
        gpus: [{ index: 0, gpuId: gpu3060 }, { index: 1, gpuId: gpu3090 }],
        miner: { coin: "ETC", algorithm: "etchash", miner: "lolminer", poolUrl: "stratum+tcp://etc.example.org:1010", wallet: "0xtest", worker: "rig-01", extraArgs: [] },
        workload: null,
      },
      {
        v: 1, id: ai.id, type: "switch", mode: "AI", expiresAt: at(601).toISOString(),
        gpus: [{ index: 1, gpuId: gpu3090 }],
        miner: null,
        // Only string values reach a process environment.
        workload: { workloadId: workload.id, checkpointGraceS: 45, image: "ghcr.io/test/serve:1", command: null, args: ["--port", "8000"], env: { HF_HOME: "/cache" } },
      },
    ]);
    expect((await listDeliverableCommands(tdb.db, rig.rigId, at(10), ai.id)).map((c) => c.id)).toEqual([ai.id]);
    expect(await listDeliverableCommands(tdb.db, farm.rigId, at(10), ai.id)).toEqual([]);

    await markCommandDispatched(tdb.db, { commandId: hash.id, rigId: rig.rigId, now: at(11) });
    await markCommandDispatched(tdb.db, { commandId: hash.id, rigId: rig.rigId, now: at(12) });
    const row = await tdb.db.command.findUniqueOrThrow({
      where: { id: hash.id },
      select: { status: true, gpus: { select: { status: true } }, events: { select: { status: true, at: true, message: true }, orderBy: { id: "asc" } } },
    });
    expect(row.status).toBe("DISPATCHED");
    expect(row.gpus).toEqual([{ status: "DISPATCHED" }, { status: "DISPATCHED" }]);
    expect(row.events.map((e) => [e.status, e.at.toISOString()])).toEqual([["QUEUED", at(0).toISOString()], ["DISPATCHED", at(11).toISOString()]]);
    expect(row.events[1]!.message).toBe(`delivered to rig ${rig.rigId}`);
    // A rig that reconnects gets what it was sent again: the agent knows the command by its id.
    expect((await listDeliverableCommands(tdb.db, rig.rigId, at(20))).map((c) => c.id)).toEqual([hash.id, ai.id]);
  });

  it("tells the delivery job which rigs still wait for a command, until every rig has it", async () => {
    const [north, south] = [await insertTestFarm(tdb.db), await insertTestFarm(tdb.db)];
    const { id, expiresAt } = await createSwitchCommand(tdb.db, { ...operator(), gpuIds: [...north.gpuIds, ...south.gpuIds], mode: "IDLE" });
    expect(await getCommandDelivery(tdb.db, id)).toEqual({ status: "QUEUED", expiresAt, waitingRigIds: [north.rigId, south.rigId].sort() });

    await markCommandDispatched(tdb.db, { commandId: id, rigId: south.rigId, now });
    expect(await getCommandDelivery(tdb.db, id)).toEqual({ status: "DISPATCHED", expiresAt, waitingRigIds: [north.rigId] });
    await markCommandDispatched(tdb.db, { commandId: id, rigId: north.rigId, now });
    expect(await getCommandDelivery(tdb.db, id)).toEqual({ status: "DISPATCHED", expiresAt, waitingRigIds: [] });
    expect(await getCommandDelivery(tdb.db, "00000000-0000-4000-8000-000000000000")).toBeNull();
  });

  it("returns each rig's message as the rig's lookup would read it back, so the API's first dispatch can carry it", async () => {
    const [north, south] = [await insertTestFarm(tdb.db), await insertTestFarm(tdb.db)];
    // One GPU without a profile mines the fleet's first; the workload's env keeps only strings.
    await tdb.db.gpu.update({ where: { id: south.gpuIds[1]! }, data: { minerProfileId: null } });
    await tdb.db.minerProfile.update({ where: { id: north.minerProfileId }, data: { extraArgs: ["--tstop", "80"] } });
    const workload = await tdb.db.aiWorkload.create({
      data: {
        name: "carried serve", customer: "Test AI", gpusNeeded: 1, minVramMb: 1, usdPerGpuHour: "99.00", priority: 99, checkpointGraceS: 15,
        image: "ghcr.io/test/carried:2", command: "serve", args: ["--tp", "2"], env: { MODEL: "llama", N: 2 },
      },
    });
    const gpuIds = [...south.gpuIds].reverse().concat(north.gpuIds);
    // The best-paying workload: closed again at the end so later AI switches here get the farm's own.
    onTestFinished(() => tdb.db.aiWorkload.update({ where: { id: workload.id }, data: { status: "DONE" } }).then(() => {}));
    for (const mode of ["HASHING", "AI", "IDLE"] as const) {
      const { id, rigIds, commands } = await createSwitchCommand(tdb.db, { ...operator(), gpuIds, mode });
      expect(commands.map((c) => c.rigId).sort()).toEqual([north.rigId, south.rigId].sort());
      expect(rigIds.sort()).toEqual([north.rigId, south.rigId].sort());
      for (const { rigId, command } of commands) expect(command).toEqual((await listDeliverableCommands(tdb.db, rigId, now, id))[0]);
      const carried = commands.find((c) => c.rigId === south.rigId)!.command;
      expect(carried.gpus.map((g) => g.index)).toEqual([0, 1]);
      if (mode === "HASHING") expect(carried.miner).toMatchObject({ coin: "ETC", worker: "rig-01" });
      if (mode === "AI") expect(carried.workload).toMatchObject({ image: "ghcr.io/test/carried:2", command: "serve", env: { MODEL: "llama" } });
      if (mode === "IDLE") expect([carried.miner, carried.workload]).toEqual([null, null]);
    }
  });

  it("marks a command dispatched while a GPU's report holds the command, without a deadlock", async () => {
    // Seen on a fresh npm start: a planner command to several rigs, already DISPATCHED by another rig's
    // delivery; this rig acks it as its first GPU reports DONE. The report (recordCommandProgress)
    // locks the command, then its part; the dispatch must take them in that order too.
    const rig = await insertTestFarm(tdb.db);
    const { id } = await createSwitchCommand(tdb.db, { ...operator(), gpuIds: rig.gpuIds, mode: "HASHING" });
    await tdb.db.command.update({ where: { id }, data: { status: "DISPATCHED" } });
    const report = new pg.Client({ connectionString: tdb.url });
    await report.connect();
    try {
      await report.query("BEGIN");
      await report.query(`SELECT 1 FROM "Command" WHERE id = $1 FOR UPDATE`, [id]);
      const dispatched = markCommandDispatched(tdb.db, { commandId: id, rigId: rig.rigId, now });
      const waitingOnLocks = async () =>
        (await tdb.db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)[0]!.n;
      await expect.poll(waitingOnLocks, { timeout: 5_000 }).toBe(1);
      await report.query(`UPDATE "CommandGpu" SET status = 'DONE', "updatedAt" = now() WHERE "commandId" = $1 AND "gpuId" = $2`, [id, rig.gpuIds[0]]);
      await report.query("COMMIT");
      await dispatched;
    } finally {
      await report.end();
    }
    const parts = await tdb.db.commandGpu.findMany({ where: { commandId: id }, select: { gpuId: true, status: true } });
    expect(new Map(parts.map((p) => [p.gpuId, p.status]))).toEqual(new Map([[rig.gpuIds[0], "DONE"], [rig.gpuIds[1], "DISPATCHED"]]));
    expect((await tdb.db.command.findUniqueOrThrow({ where: { id } })).status).toBe("DISPATCHED");
  });
});

describe("a GPU's progress report", () => {
  const report = (rig: TestFarm, commandId: string, gpuIndex: number, status: "RUNNING" | "DONE" | "FAILED", step: "HASHING" | "IDLE" | "AI", message: string | null = null, at = now) =>
    recordCommandProgress(tdb.db, { commandId, rigId: rig.rigId, gpuIndex, status, step, message, at });
  const gpuIndex = async (gpuId: string) => (await tdb.db.gpu.findUniqueOrThrow({ where: { id: gpuId }, select: { index: true } })).index;
  const commandAudit = (id: string) => tdb.db.auditLog.findMany({ where: { targetType: "command", targetId: id }, orderBy: { id: "asc" }, select: { actorType: true, actorId: true, action: true } });

  it("moves the GPU and its part, and ends the command when its last GPU is done: one event each, then the command's, audited", async () => {
    const rig = await insertTestFarm(tdb.db);
    const [first, second] = rig.gpuIds as [string, string];
    const { id } = await createSwitchCommand(tdb.db, { ...operator(), gpuIds: rig.gpuIds, mode: "HASHING" });
    const t = (s: number) => new Date(now.getTime() + s * 1000);

    expect(await report(rig, id, await gpuIndex(first), "RUNNING", "IDLE", "stopping the miner", t(1))).toEqual({ commandStatus: "RUNNING", gpuId: first });
    expect(await report(rig, id, await gpuIndex(first), "DONE", "HASHING", null, t(2))).toEqual({ commandStatus: "RUNNING", gpuId: first });
    let view = await getCommandView(tdb.db, id);
    expect(view.status).toBe("RUNNING");
    expect(view.finishedAt).toBeNull();
    expect(new Map(view.gpus.map((g) => [g.gpuId, [g.status, g.step]]))).toEqual(new Map([[first, ["DONE", "HASHING"]], [second, ["QUEUED", null]]]));
    expect((await tdb.db.gpu.findUniqueOrThrow({ where: { id: first } })).currentMode).toBe("HASHING");

    expect(await report(rig, id, await gpuIndex(second), "DONE", "HASHING", null, t(3))).toEqual({ commandStatus: "DONE", gpuId: second });
    view = await getCommandView(tdb.db, id);
    expect(view).toMatchObject({ status: "DONE", finishedAt: t(3).toISOString(), error: null });
    expect(view.history.map((h) => [h.status, h.gpuId, h.step, h.message])).toEqual([
      ["QUEUED", null, null, "switch 2 GPU(s) to HASHING"],
      ["RUNNING", first, "IDLE", "stopping the miner"],
      ["DONE", first, "HASHING", null],
      ["DONE", second, "HASHING", null],
      ["DONE", null, null, null],
    ]);
    expect(await commandAudit(id)).toEqual([
      { actorType: "USER", actorId: farm.users.operator.id, action: "command.created" },
      { actorType: "RIG", actorId: rig.rigId, action: "command.done" },
    ]);
  });

  it("fails the command, with the GPU's reason on its part, once every GPU has ended and one failed", async () => {
    const rig = await insertTestFarm(tdb.db);
    const [first, second] = rig.gpuIds as [string, string];
    const { id } = await createSwitchCommand(tdb.db, { ...operator(), gpuIds: rig.gpuIds, mode: "AI" });
    expect(await report(rig, id, await gpuIndex(first), "FAILED", "IDLE", "image pull failed")).toEqual({ commandStatus: "RUNNING", gpuId: first });
    expect(await report(rig, id, await gpuIndex(second), "DONE", "AI")).toEqual({ commandStatus: "FAILED", gpuId: second });
    const view = await getCommandView(tdb.db, id);
    expect(view).toMatchObject({ status: "FAILED", error: "one or more GPUs failed to switch" });
    expect(view.gpus.find((g) => g.gpuId === first)).toMatchObject({ status: "FAILED", step: "IDLE", error: "image pull failed" });
    expect(view.gpus.find((g) => g.gpuId === second)).toMatchObject({ status: "DONE", step: "AI", error: null });
    expect((await commandAudit(id)).map((a) => a.action)).toEqual(["command.created", "command.failed"]);
  });

  it("ends a command once when all its GPUs report at the same moment", async () => {
    const rig = await insertTestFarm(tdb.db);
    const indexes = await Promise.all(rig.gpuIds.map(gpuIndex));
    for (let round = 0; round < 10; round++) {
      const { id } = await createSwitchCommand(tdb.db, { ...operator(), gpuIds: rig.gpuIds, mode: "IDLE" });
      const results = await Promise.all(indexes.map((index) => report(rig, id, index, "DONE", "IDLE")));
      expect(results.map((r) => r?.commandStatus).sort()).toEqual(["DONE", "RUNNING"]);
      const view = await getCommandView(tdb.db, id);
      expect(view.status).toBe("DONE");
      expect(view.history.filter((h) => h.gpuId === null && h.status === "DONE")).toHaveLength(1);
      expect((await commandAudit(id)).map((a) => a.action)).toEqual(["command.created", "command.done"]);
    }
  });

  it("after the command expired, still moves the GPU to what the rig did, and leaves the command as it ended", async () => {
    const rig = await insertTestFarm(tdb.db);
    const [first] = rig.gpuIds as [string];
    const { id } = await createSwitchCommand(tdb.db, { ...operator(), gpuIds: rig.gpuIds, mode: "HASHING", ttlS: 60 });
    expect(await expireCommand(tdb.db, { commandId: id, now: new Date(now.getTime() + 61_000) })).toBe(true);
    expect(await report(rig, id, await gpuIndex(first), "DONE", "HASHING", "late", new Date(now.getTime() + 70_000))).toEqual({ commandStatus: "EXPIRED", gpuId: first });
    expect((await tdb.db.gpu.findUniqueOrThrow({ where: { id: first } })).currentMode).toBe("HASHING");
    const view = await getCommandView(tdb.db, id);
    expect(view.status).toBe("EXPIRED");
    expect(view.gpus.every((g) => g.status === "EXPIRED")).toBe(true);
    expect(view.history.map((h) => [h.status, h.gpuId, h.message])).toEqual([
      ["QUEUED", null, "switch 2 GPU(s) to HASHING"],
      ["EXPIRED", null, "deadline passed"],
      ["DONE", first, "late"],
    ]);
    expect((await commandAudit(id)).map((a) => a.action)).toEqual(["command.created", "command.expired"]);
  });

  it("writes nothing for a GPU the rig does not have in the command (a stale or forged report)", async () => {
    const rig = await insertTestFarm(tdb.db);
    const other = await insertTestFarm(tdb.db);
    const { id } = await createSwitchCommand(tdb.db, { ...operator(), gpuIds: rig.gpuIds, mode: "HASHING" });
    const modes = () => tdb.db.gpu.findMany({ where: { id: { in: [...rig.gpuIds, ...other.gpuIds] } }, select: { id: true, currentMode: true }, orderBy: { id: "asc" } });
    const before = { view: await getCommandView(tdb.db, id), modes: await modes() };
    expect(await report(other, id, 0, "DONE", "AI")).toBeNull();
    expect(await report(rig, id, 63, "DONE", "AI")).toBeNull();
    expect({ view: await getCommandView(tdb.db, id), modes: await modes() }).toEqual(before);
    expect(before.modes.some((g) => g.currentMode === "AI")).toBe(false);
  });
});
