import { describe, expect, it } from "vitest";
import { rigLastSeenAt } from "./rig-seen";

describe("rigLastSeenAt", () => {
  const at = (s: number) => new Date(Date.UTC(2026, 11, 4, 12, 0, s)).toISOString();

  it("follows the newest GPU reading when it is later than the rig's own last-seen", () => {
    expect(rigLastSeenAt({ lastSeenAt: at(0) }, [{ lastSeenAt: at(10) }, { lastSeenAt: at(25) }, { lastSeenAt: null }])).toBe(at(25));
  });

  it("keeps the rig's own last-seen when its GPUs reported earlier, or not at all", () => {
    expect(rigLastSeenAt({ lastSeenAt: at(30) }, [{ lastSeenAt: at(25) }])).toBe(at(30));
    expect(rigLastSeenAt({ lastSeenAt: at(30) }, [])).toBe(at(30));
    expect(rigLastSeenAt({ lastSeenAt: null }, [{ lastSeenAt: null }])).toBeNull();
    expect(rigLastSeenAt({ lastSeenAt: null }, [{ lastSeenAt: at(5) }])).toBe(at(5));
  });
});
