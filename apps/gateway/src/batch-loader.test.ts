import { expect, it } from "vitest";
import { createBatchLoader } from "./batch-loader";

const deferred = () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  return { gate, release };
};

it("answers requests made in the same turn with one load, each with its own result", async () => {
  const loads: number[][] = [];
  const double = createBatchLoader<number, number>({ maxBatch: 100, load: async (xs) => (loads.push(xs), xs.map((x) => x * 2)) });
  expect(await Promise.all([1, 2, 3].map(double))).toEqual([2, 4, 6]);
  expect(loads).toEqual([[1, 2, 3]]);
});

it("puts what arrives during a load into the next one, at most maxBatch each, and runs maxConcurrent at a time", async () => {
  const loads: number[][] = [];
  const { gate, release } = deferred();
  let running = 0;
  let mostRunning = 0;
  const load = createBatchLoader<number, number>({
    maxBatch: 2,
    maxConcurrent: 1,
    load: async (xs) => {
      loads.push(xs);
      mostRunning = Math.max(mostRunning, ++running);
      await gate;
      running--;
      return xs;
    },
  });
  const first = load(0);
  await new Promise((r) => setImmediate(r));
  const later = [1, 2, 3, 4, 5].map(load);
  release();
  expect(await Promise.all([first, ...later])).toEqual([0, 1, 2, 3, 4, 5]);
  expect(loads).toEqual([[0], [1, 2], [3, 4], [5]]);
  expect(mostRunning).toBe(1);
});

it("fails only the request whose result is an Error, and the whole batch when the load throws", async () => {
  const load = createBatchLoader<number, number>({
    maxBatch: 10,
    load: async (xs) => {
      if (xs.includes(99)) throw new Error("database is down");
      return xs.map((x) => (x < 0 ? new Error(`no rig ${x}`) : x));
    },
  });
  const [ok, bad] = await Promise.allSettled([load(1), load(-1)]);
  expect(ok).toEqual({ status: "fulfilled", value: 1 });
  expect(bad).toMatchObject({ status: "rejected", reason: new Error("no rig -1") });
  const both = await Promise.allSettled([load(2), load(99)]);
  expect(both.map((r) => r.status)).toEqual(["rejected", "rejected"]);
  // A failed load does not stop the loader.
  expect(await load(3)).toBe(3);
});
