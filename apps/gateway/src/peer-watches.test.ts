import { expect, it } from "vitest";
import type { GpuLive } from "@rigshift/protocol";
import { createPeerWatches } from "./peer-watches";

const site = "5b0c1a52-0000-4000-8000-000000000001";
const gpu = (n: number): GpuLive => ({
  gpuId: `5b0c1a52-0000-4000-8000-00000000010${n}`, rigId: `5b0c1a52-0000-4000-8000-00000000020${n}`, mode: "HASHING",
  hashrateHs: 1, tempC: 60, powerW: 100, fanPct: 50, utilPct: 100, vramUsedMb: 1, coin: "ETC", at: "2026-12-04T00:00:00.000Z",
});

it("answers null while no peer watches anything, so a flush publishes nothing", () => {
  const peers = createPeerWatches({ ttlMs: 5000, now: () => 0 });
  expect(peers.watching()).toBeNull();
  peers.announce("gw-a", []);
  expect(peers.watching()).toBeNull();
});

it("picks the updates whose site, rig or GPU some peer watches, and all of them for the fleet room", () => {
  const peers = createPeerWatches({ ttlMs: 5000, now: () => 0 });
  peers.announce("gw-a", [`gpu:${gpu(1).gpuId}`]);
  peers.announce("gw-b", [`rig:${gpu(2).rigId}`]);
  const watched = peers.watching()!;
  expect([1, 2, 3].map((n) => watched({ siteId: site, gpu: gpu(n) }))).toEqual([true, true, false]);

  peers.announce("gw-c", [`site:${site}`]);
  expect(peers.watching()!({ siteId: site, gpu: gpu(3) })).toBe(true);
  peers.announce("gw-c", ["fleet"]);
  expect(peers.watching()!({ siteId: "5b0c1a52-0000-4000-8000-000000000009", gpu: gpu(3) })).toBe(true);
});

it("forgets a peer that says its browsers left, and one that has been silent past the ttl", () => {
  let now = 0;
  const peers = createPeerWatches({ ttlMs: 5000, now: () => now });
  peers.announce("gw-a", ["fleet"]);
  peers.announce("gw-b", [`gpu:${gpu(1).gpuId}`]);
  peers.announce("gw-a", []);
  expect(peers.watching()!({ siteId: site, gpu: gpu(2) })).toBe(false);

  now = 4000;
  peers.announce("gw-c", [`gpu:${gpu(2).gpuId}`]);
  now = 5001;
  const watched = peers.watching()!;
  expect(watched({ siteId: site, gpu: gpu(1) })).toBe(false);
  expect(watched({ siteId: site, gpu: gpu(2) })).toBe(true);
  now = 9001;
  expect(peers.watching()).toBeNull();
});
