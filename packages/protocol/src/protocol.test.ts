import { describe, expect, it } from "vitest";
import { agentToGateway, handler, parseMessage, DomainError, ZCommandDispatch, ZCreateCommandBody, ZRevenueQuery, describeZodError } from "./index";

const silent = { warn: () => {}, error: () => {} };
const telemetry = {
  v: 1, seq: 7, at: "2026-11-25T10:00:00.000Z",
  gpus: [{ index: 0, mode: "HASHING", coin: "ETC", hashrateHs: 48e6, tempC: 61, powerW: 115, fanPct: null, utilPct: 100, vramUsedMb: 4400 }],
};

describe("handler", () => {
  it("passes parsed messages through and acks with the result", async () => {
    const acks: unknown[] = [];
    const h = handler(agentToGateway, "telemetry", (m) => ({ ok: true as const, seq: m.seq }), { log: silent });
    await h(telemetry, (r: unknown) => acks.push(r));
    expect(acks).toEqual([{ ok: true, seq: 7 }]);
  });

  it("refuses an invalid message naming the field, and counts it", async () => {
    const acks: unknown[] = [];
    const reasons: string[] = [];
    const h = handler(agentToGateway, "telemetry", () => ({ ok: true as const, seq: 0 }), { log: silent, onInvalid: (r) => reasons.push(r) });
    await h({ ...telemetry, gpus: [{ ...telemetry.gpus[0], powerW: "lots" }] }, (r: unknown) => acks.push(r));
    expect(acks).toEqual([{ ok: false, code: "PROTOCOL_INVALID", message: expect.stringMatching(/^telemetry: gpus\.0\.powerW: /) }]);
    expect(reasons).toHaveLength(1);
  });

  it("turns a DomainError into its code and anything else into INTERNAL without the details", async () => {
    const acks: unknown[] = [];
    await handler(agentToGateway, "telemetry", () => { throw new DomainError("UNAVAILABLE", "busy"); }, { log: silent })(telemetry, (r: unknown) => acks.push(r));
    await handler(agentToGateway, "telemetry", () => { throw new Error("password=hunter2"); }, { log: silent })(telemetry, (r: unknown) => acks.push(r));
    expect(acks).toEqual([{ ok: false, code: "UNAVAILABLE", message: "busy" }, { ok: false, code: "INTERNAL", message: "telemetry: internal error" }]);
  });
});

describe("schemas", () => {
  it("keeps a missing reading null, never 0", () => {
    const parsed = parseMessage(agentToGateway, "telemetry", telemetry);
    expect(parsed.gpus[0]!.fanPct).toBeNull();
    expect(parsed.gpus[0]!.workloadId).toBeNull();
  });

  it("names every bad field of a switch request", () => {
    const r = ZCreateCommandBody.safeParse({ type: "switch", gpuIds: ["nope"], mode: "MINING" });
    expect(r.success).toBe(false);
    const text = describeZodError(r.error!);
    expect(text).toMatch(/gpuIds\.0/);
    expect(text).toMatch(/mode/);
  });

  it("takes a dispatch's carried messages only for its own command and rigs", () => {
    const [commandId, other, rigId, stranger] = ["1", "2", "3", "4"].map((n) => `00000000-0000-4000-8000-00000000000${n}`) as [string, string, string, string];
    const command = { v: 1, id: commandId, type: "switch", mode: "IDLE", expiresAt: "2026-12-04T10:00:00.000Z", gpus: [{ index: 0, gpuId: other }], miner: null, workload: null };
    expect(ZCommandDispatch.safeParse({ commandId, rigIds: [rigId] }).success).toBe(true);
    expect(ZCommandDispatch.safeParse({ commandId, rigIds: [rigId], commands: [{ rigId, command }] }).success).toBe(true);
    const wrong = ZCommandDispatch.safeParse({ commandId, rigIds: [rigId], commands: [{ rigId: stranger, command: { ...command, id: other } }] });
    expect(describeZodError(wrong.error!)).toBe(
      `commands.0.command.id: is not the dispatched command ${commandId}; commands.0.rigId: is not one of the dispatch's rigIds`,
    );
  });

  it("wants a report period that starts before it ends", () => {
    const r = ZRevenueQuery.safeParse({ from: "2026-11-02T00:00:00Z", to: "2026-11-01T00:00:00Z" });
    expect(describeZodError(r.error!)).toBe("to: from must be before to");
  });
});
