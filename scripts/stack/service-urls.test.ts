// Tests of tooling/stack's pure parts. They sit here because vitest's unit project collects
// {apps,packages,scripts,prisma}/**; tooling/ is not among them.
import { describe, expect, it } from "vitest";
import { hostPortOf, planService, postgresUrl, redactUrl, redisUrl } from "../../tooling/stack/service-urls";

describe("planService", () => {
  const defaultUrl = "postgresql://postgres@127.0.0.1:5432/rigshift";

  it("uses a configured URL without looking at the default port", () => {
    expect(planService({ configuredUrl: "postgresql://db.internal/rigshift", defaultUrl, defaultAnswers: true })).toEqual({
      use: "configured",
      url: "postgresql://db.internal/rigshift",
    });
  });

  it("uses the default when nothing is configured and the default port answers", () => {
    expect(planService({ configuredUrl: undefined, defaultUrl, defaultAnswers: true })).toEqual({ use: "default", url: defaultUrl });
  });

  it("treats an empty variable as unset", () => {
    expect(planService({ configuredUrl: "", defaultUrl, defaultAnswers: false })).toEqual({ use: "start" });
  });

  it("starts its own when nothing is configured and nothing answers", () => {
    expect(planService({ configuredUrl: undefined, defaultUrl, defaultAnswers: false })).toEqual({ use: "start" });
  });
});

describe("URLs", () => {
  it("finds host and port, with each scheme's default port", () => {
    expect(hostPortOf("postgresql://postgres@127.0.0.1:5432/rigshift")).toEqual({ host: "127.0.0.1", port: 5432 });
    expect(hostPortOf("postgresql://postgres@db/rigshift")).toEqual({ host: "db", port: 5432 });
    expect(hostPortOf("redis://127.0.0.1")).toEqual({ host: "127.0.0.1", port: 6379 });
    expect(hostPortOf("redis://[::1]:6380")).toEqual({ host: "::1", port: 6380 });
  });

  it("builds the URLs of services it started, and hides passwords in logs", () => {
    const url = postgresUrl({ port: 54321, user: "postgres", password: "p@ss", database: "rigshift" });
    expect(url).toBe("postgresql://postgres:p%40ss@127.0.0.1:54321/rigshift");
    expect(redactUrl(url)).toBe("postgresql://postgres:***@127.0.0.1:54321/rigshift");
    expect(redisUrl(6380)).toBe("redis://127.0.0.1:6380");
  });
});
