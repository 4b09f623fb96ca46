import { describe, expect, it } from "vitest";
import { assignGateways, parseGatewayCount } from "./start-stack";

describe("GATEWAYS", () => {
  it("one gateway by default: every agent on GATEWAY_PORT", () => {
    expect(parseGatewayCount(undefined)).toBe(1);
    expect(parseGatewayCount("")).toBe(1);
    expect(assignGateways({ firstPort: 3100, gateways: 1, agents: ["a", "b", "c"] })).toEqual({
      ports: [3100],
      agents: [{ agent: "a", port: 3100 }, { agent: "b", port: 3100 }, { agent: "c", port: 3100 }],
    });
  });

  it("several gateways on consecutive ports, agents dealt round-robin in order", () => {
    expect(parseGatewayCount("2")).toBe(2);
    const { ports, agents } = assignGateways({ firstPort: 3100, gateways: 2, agents: ["a", "b", "c", "d", "e"] });
    expect(ports).toEqual([3100, 3101]);
    expect(agents.map((a) => `${a.agent}:${a.port}`)).toEqual(["a:3100", "b:3101", "c:3100", "d:3101", "e:3100"]);
  });

  it("more gateways than agents leaves the last ones without rigs, and none without a port", () => {
    const { ports, agents } = assignGateways({ firstPort: 4000, gateways: 3, agents: ["a"] });
    expect(ports).toEqual([4000, 4001, 4002]);
    expect(agents).toEqual([{ agent: "a", port: 4000 }]);
  });

  it("refuses counts and ports that cannot work, naming the value", () => {
    for (const bad of ["0", "-1", "1.5", "two", "65"]) expect(() => parseGatewayCount(bad)).toThrow(`got "${bad}"`);
    expect(() => assignGateways({ firstPort: 3100, gateways: 0, agents: [] })).toThrow("at least 1");
    expect(() => assignGateways({ firstPort: 65535, gateways: 2, agents: [] })).toThrow("65535…65536");
  });
});
