import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, insertTestFarm, type TestDatabase, type TestFarm } from "../testing";
import { createSwitchCommand } from "./commands";

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
