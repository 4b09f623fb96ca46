import { describe, expect, it } from "vitest";
import { createMemorySpool } from "./memory-spool";

describe("memory spool", () => {
  it("hands out entries oldest first, skipping those in flight, until they are removed", async () => {
    const spool = createMemorySpool<string>({ capacity: 10 });
    for (const s of ["a", "b", "c", "d"]) await spool.append(s);
    const first = await spool.oldest(2, new Set());
    expect(first.map((e) => e.item)).toEqual(["a", "b"]);
    expect((await spool.oldest(5, new Set(first.map((e) => e.id)))).map((e) => e.item)).toEqual(["c", "d"]);
    await spool.remove(first[0]!.id);
    expect((await spool.oldest(5, new Set())).map((e) => e.item)).toEqual(["b", "c", "d"]);
    expect(spool.size()).toBe(3);
  });

  it("drops the oldest entry when full and says which", async () => {
    const dropped: number[] = [];
    const spool = createMemorySpool<number>({ capacity: 3, onDrop: (n) => dropped.push(n) });
    for (let n = 1; n <= 5; n++) await spool.append(n);
    expect(dropped).toEqual([1, 2]);
    expect((await spool.oldest(10, new Set())).map((e) => e.item)).toEqual([3, 4, 5]);
  });
});
