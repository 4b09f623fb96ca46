import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GpuInventory } from "@rigshift/protocol";
import { createTestDatabase, insertTestFarm, type TestDatabase, type TestFarm } from "../testing";
import { syncRigInventories, syncRigInventory, touchRigs } from "./rigs";

let tdb: TestDatabase;
let farm: TestFarm;
const now = new Date("2026-11-20T10:00:00Z");

beforeAll(async () => {
  tdb = await createTestDatabase();
  farm = await insertTestFarm(tdb.db);
});
afterAll(() => tdb.drop());

const card = (index: number, model = "NVIDIA GeForce RTX 3090", uuid: string | null = null): GpuInventory => ({
  index, uuid, pciBusId: `0000:0${index + 1}:00.0`, vendor: "NVIDIA", model, vramMb: model.includes("3060") ? 12_288 : 24_576,
});

const newRig = async (name: string) => (await tdb.db.rig.create({ data: { siteId: farm.siteId, name }, select: { id: true } })).id;

const gpuRows = (rigId: string) =>
  tdb.db.gpu.findMany({ where: { rigId }, orderBy: { index: "asc" }, select: { id: true, index: true, model: true, uuid: true, currentMode: true } });

describe("syncRigInventories (a connect storm's hellos in one go)", () => {
  it("does for each rig what a hello of its own would: adds new cards, updates swapped ones, takes removed ones offline", async () => {
    const fresh = await newRig("storm-fresh");
    const swapped = await newRig("storm-swapped");
    const shrunk = await newRig("storm-shrunk");
    await syncRigInventory(tdb.db, swapped, { hostname: "h", agentVersion: "0.1", gpus: [card(0), card(1)], now });
    await syncRigInventory(tdb.db, shrunk, { hostname: "h", agentVersion: "0.1", gpus: [card(0), card(1)], now });
    const swappedBefore = await gpuRows(swapped);
    const shrunkBefore = await gpuRows(shrunk);

    const result = await syncRigInventories(
      tdb.db,
      [
        { rigId: fresh, hostname: "fresh.rig", agentVersion: "0.2", gpus: [card(0), card(1), card(2)] },
        { rigId: swapped, hostname: "swapped.rig", agentVersion: "0.2", gpus: [card(0), card(1, "NVIDIA GeForce RTX 3060", "GPU-new")] },
        { rigId: shrunk, hostname: "shrunk.rig", agentVersion: "0.2", gpus: [card(0)] },
      ],
      now,
    );

    const freshRows = await gpuRows(fresh);
    expect(freshRows.map((g) => g.index)).toEqual([0, 1, 2]);
    expect(result.get(fresh)).toEqual(freshRows.map((g) => ({ index: g.index, gpuId: g.id })));

    // The swapped card keeps its row (and so its history) under the new model and uuid.
    const swappedRows = await gpuRows(swapped);
    expect(swappedRows.map((g) => g.id)).toEqual(swappedBefore.map((g) => g.id));
    expect(swappedRows[1]).toMatchObject({ model: "NVIDIA GeForce RTX 3060", uuid: "GPU-new" });
    expect(result.get(swapped)).toEqual(swappedRows.map((g) => ({ index: g.index, gpuId: g.id })));

    const shrunkRows = await gpuRows(shrunk);
    expect(shrunkRows.map((g) => g.id)).toEqual(shrunkBefore.map((g) => g.id));
    expect(shrunkRows[1]!.currentMode).toBe("OFFLINE");
    expect(result.get(shrunk)).toEqual([{ index: 0, gpuId: shrunkRows[0]!.id }]);

    const rigs = await tdb.db.rig.findMany({ where: { id: { in: [fresh, swapped, shrunk] } }, select: { hostname: true, agentVersion: true, lastSeenAt: true } });
    expect(rigs.map((r) => r.agentVersion)).toEqual(["0.2", "0.2", "0.2"]);
    expect(new Set(rigs.map((r) => r.hostname))).toEqual(new Set(["fresh.rig", "swapped.rig", "shrunk.rig"]));
    expect(rigs.every((r) => r.lastSeenAt?.getTime() === now.getTime())).toBe(true);
  });

  it("writes nothing when one rig's inventory cannot be stored, so the caller can find that rig alone", async () => {
    const holder = await newRig("uuid-holder");
    const claimer = await newRig("uuid-claimer");
    const bystander = await newRig("bystander");
    await syncRigInventory(tdb.db, holder, { hostname: "h", agentVersion: "0.1", gpus: [card(0, "NVIDIA GeForce RTX 3090", "GPU-held")], now });

    // A GPU uuid is unique across the fleet: a rig claiming a card another rig still lists fails.
    await expect(
      syncRigInventories(
        tdb.db,
        [
          { rigId: bystander, hostname: "b", agentVersion: "0.2", gpus: [card(0)] },
          { rigId: claimer, hostname: "c", agentVersion: "0.2", gpus: [card(0, "NVIDIA GeForce RTX 3090", "GPU-held")] },
        ],
        now,
      ),
    ).rejects.toThrow();
    expect(await gpuRows(bystander)).toEqual([]);
    expect(await gpuRows(claimer)).toEqual([]);
    expect((await gpuRows(holder)).map((g) => g.uuid)).toEqual(["GPU-held"]);
  });
});

describe("touchRigs (last-seen while telemetry flows)", () => {
  it("moves the named rigs' last-seen to now and leaves every other rig's alone", async () => {
    const a = await newRig("touch-a");
    const b = await newRig("touch-b");
    const other = await newRig("touch-other");
    const earlier = new Date(now.getTime() - 60_000);
    await tdb.db.rig.updateMany({ where: { id: { in: [a, b, other] } }, data: { lastSeenAt: earlier } });

    expect(await touchRigs(tdb.db, [a, b], now)).toBe(2);
    expect(await touchRigs(tdb.db, [], now)).toBe(0);

    const seen = await tdb.db.rig.findMany({ where: { id: { in: [a, b, other] } }, select: { id: true, lastSeenAt: true } });
    const at = new Map(seen.map((r) => [r.id, r.lastSeenAt?.toISOString()]));
    expect(at).toEqual(new Map([[a, now.toISOString()], [b, now.toISOString()], [other, earlier.toISOString()]]));
  });
});
