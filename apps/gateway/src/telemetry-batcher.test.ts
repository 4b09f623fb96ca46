import { expect, it } from "vitest";
import { createLog } from "./log";
import { createBatcher } from "./telemetry-batcher";

const deferred = () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  return { gate, release };
};

/** Messages named by a letter, each worth two GPU rows. */
const batcherOf = (afterWrite: (items: string[]) => Promise<void>, written: string[][] = []) =>
  createBatcher<string>({
    maxRows: 4, maxMs: 5, rowsOf: () => 2, log: createLog("silent"),
    write: async (items) => void written.push(items),
    afterWrite,
  });

it("acks a batch only once what follows it is done, batch by batch in order, while the next batch is written", async () => {
  const events: string[] = [];
  const written: string[][] = [];
  const slow = deferred();
  const batcher = batcherOf(async (items) => {
    events.push(`follow ${items.join("")}`);
    if (items.includes("a")) await slow.gate;
    events.push(`followed ${items.join("")}`);
  }, written);
  const acked = (name: string) => batcher.add(name).then(() => events.push(`ack ${name}`));
  const first = [acked("a"), acked("b")];
  await new Promise((r) => setTimeout(r, 20));
  const second = [acked("c"), acked("d")];
  await new Promise((r) => setTimeout(r, 20));
  // The second batch is written while the first's follow-up waits, but neither batch is acked yet.
  expect(written).toEqual([["a", "b"], ["c", "d"]]);
  expect(events).toEqual(["follow ab"]);
  expect(batcher.pendingRows()).toBe(8);
  slow.release();
  await Promise.all([...first, ...second]);
  expect(events).toEqual(["follow ab", "followed ab", "ack a", "ack b", "follow cd", "followed cd", "ack c", "ack d"]);
  expect(batcher.pendingRows()).toBe(0);
  await batcher.close();
});

it("refuses a batch whose follow-up failed as unavailable, so its agents resend, and goes on with the next", async () => {
  const batcher = batcherOf(async (items) => {
    if (items.includes("a")) throw new Error("redis is down");
  });
  const first = batcher.add("a");
  await expect(first).rejects.toMatchObject({ code: "UNAVAILABLE", message: expect.stringMatching(/stored but not shown live; resend/) });
  await expect(batcher.add("b")).resolves.toBeUndefined();
  await batcher.close();
});
