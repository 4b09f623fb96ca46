import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "@rigshift/db";
import { createApi } from "./api";
import { createTestApi, insertFarm, noParams, readJson, request, type TestApi } from "./testing";

type ErrorBody = { error: { code: string; message: string } };

let t: TestApi;
let farm: Awaited<ReturnType<typeof insertFarm>>;

beforeAll(async () => {
  t = await createTestApi();
  farm = await insertFarm(t.db);
});
afterAll(async () => t?.close());

describe("sign-in", () => {
  it("sets an httpOnly, SameSite=Lax session cookie and returns the user", async () => {
    await createUser(t.db, { email: "ops@farm.test", name: "Ops", password: "s3cret-pass", role: "OPERATOR" });
    const res = await t.api.login(request("POST", "/api/v1/session", { body: { email: "OPS@farm.test", password: "s3cret-pass" } }), noParams);
    expect(res.status).toBe(200);
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^rs_session=rs_session_[\w-]+;/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).toContain("Path=/");
    expect(cookie).not.toContain("Secure");
    const body = await readJson<{ user: { email: string; role: string }; expiresAt: string }>(res);
    expect(body.user).toMatchObject({ email: "ops@farm.test", role: "OPERATOR" });
    expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now() + 23 * 3_600_000);

    const session = await t.api.getSession(request("GET", "/api/v1/session", { cookie: cookie.split(";")[0] }), noParams);
    expect(session.status).toBe(200);
    expect((await readJson<{ user: { email: string } }>(session)).user.email).toBe("ops@farm.test");
  });

  it("marks the cookie Secure when COOKIE_SECURE is on", async () => {
    const secureApi = createApi({ ...t.deps, config: { ...t.deps.config, COOKIE_SECURE: true } });
    await createUser(t.db, { email: "secure@farm.test", name: "S", password: "s3cret-pass", role: "VIEWER" });
    const res = await secureApi.login(request("POST", "/api/v1/session", { body: { email: "secure@farm.test", password: "s3cret-pass" } }), noParams);
    expect(res.headers.get("set-cookie")).toContain("Secure");
  });

  it("answers a wrong password with 401 and a message saying so, and sets no cookie", async () => {
    await createUser(t.db, { email: "fin@farm.test", name: "Fin", password: "right-password", role: "FINANCE" });
    const res = await t.api.login(request("POST", "/api/v1/session", { body: { email: "fin@farm.test", password: "wrong-password" } }), noParams);
    expect(res.status).toBe(401);
    expect(res.headers.get("set-cookie")).toBeNull();
    const body = await readJson<ErrorBody>(res);
    expect(body.error).toEqual({ code: "UNAUTHENTICATED", message: "email or password is wrong" });

    const unknown = await t.api.login(request("POST", "/api/v1/session", { body: { email: "nobody@farm.test", password: "x" } }), noParams);
    expect(unknown.status).toBe(401);
    expect((await readJson<ErrorBody>(unknown)).error.message).toBe("email or password is wrong");
  });

  it("rejects a body without an email, naming the field", async () => {
    const res = await t.api.login(request("POST", "/api/v1/session", { body: { password: "x" } }), noParams);
    expect(res.status).toBe(400);
    const body = await readJson<ErrorBody>(res);
    expect(body.error.code).toBe("INVALID_INPUT");
    expect(body.error.message).toMatch(/^email: /);
  });

  it("rejects malformed JSON with 400, not 500", async () => {
    const res = await t.api.login(request("POST", "/api/v1/session", { rawBody: '{"email": "a@b.c",' }), noParams);
    expect(res.status).toBe(400);
    expect((await readJson<ErrorBody>(res)).error.message).toBe("body: malformed JSON");
  });

  it("refuses a session once it has expired, and every session of a user who is disabled", async () => {
    const late = await t.signIn("OPERATOR");
    const disabled = await t.signIn("OPERATOR");
    const sites = (cookie: string) => t.api.listSites(request("GET", "/api/v1/sites", { cookie }), noParams);
    expect((await sites(late.cookie)).status).toBe(200);
    expect((await sites(disabled.cookie)).status).toBe(200);

    await t.db.session.updateMany({ where: { userId: late.user.id }, data: { expiresAt: new Date(Date.now() - 1_000) } });
    await t.db.user.update({ where: { id: disabled.user.id }, data: { disabledAt: new Date() } });
    for (const cookie of [late.cookie, disabled.cookie]) {
      const res = await sites(cookie);
      expect(res.status).toBe(401);
      expect((await readJson<ErrorBody>(res)).error).toEqual({ code: "UNAUTHENTICATED", message: "session expired or signed out; sign in again" });
    }
  });

  it("signs out: the cookie is cleared and no longer opens the API", async () => {
    const { cookie, user } = await t.signIn("VIEWER");
    expect((await t.api.listSites(request("GET", "/api/v1/sites", { cookie }), noParams)).status).toBe(200);
    const out = await t.api.logout(request("DELETE", "/api/v1/session", { cookie }), noParams);
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/^rs_session=;.*Expires=Thu, 01 Jan 1970/);
    const after = await t.api.listSites(request("GET", "/api/v1/sites", { cookie }), noParams);
    expect(after.status).toBe(401);
    expect((await readJson<ErrorBody>(after)).error.message).toMatch(/sign in again/);
    const audit = await t.db.auditLog.findMany({ where: { actorId: user.id }, select: { action: true } });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["session.created", "session.deleted"]));
  });
});

describe("roles", () => {
  const gpuIds = () => [farm.gpuN0.id];

  it("answers 401 without a cookie or token", async () => {
    for (const [name, path] of [["listSites", "/api/v1/sites"], ["listGpus", "/api/v1/gpus"], ["revenueReport", "/api/v1/reports/revenue"]] as const) {
      const res = await t.api[name](request("GET", path), noParams);
      expect(res.status, path).toBe(401);
      expect((await readJson<ErrorBody>(res)).error.code).toBe("UNAUTHENTICATED");
    }
    const post = await t.api.createCommand(request("POST", "/api/v1/commands", { body: { type: "switch", gpuIds: gpuIds(), mode: "AI" } }), noParams);
    expect(post.status).toBe(401);
  });

  it("answers a switch its caller may not make with 401 or 403, whatever is wrong with its body or GPUs", async () => {
    // The API reads the GPUs while it checks the session: the caller's answer must still come first.
    const { cookie } = await t.signIn("VIEWER");
    const unknownGpu = { type: "switch", gpuIds: ["00000000-0000-4000-8000-000000000000"], mode: "IDLE" };
    const badBody = { type: "switch", gpuIds: [], mode: "SIDEWAYS" };
    for (const [who, headers, status] of [["nobody", {}, 401], ["a viewer", { cookie }, 403]] as const) {
      for (const body of [unknownGpu, badBody]) {
        const res = await t.api.createCommand(request("POST", "/api/v1/commands", { ...headers, body }), noParams);
        expect(res.status, `${who}, ${JSON.stringify(body)}`).toBe(status);
      }
      const malformed = await t.api.createCommand(request("POST", "/api/v1/commands", { ...headers, rawBody: "{not json" }), noParams);
      expect(malformed.status, `${who}, malformed JSON`).toBe(status);
    }
  });

  it("lets a viewer read the fleet but not switch GPUs", async () => {
    const { cookie, user } = await t.signIn("VIEWER");
    expect((await t.api.listGpus(request("GET", "/api/v1/gpus", { cookie }), noParams)).status).toBe(200);
    const res = await t.api.createCommand(request("POST", "/api/v1/commands", { cookie, body: { type: "switch", gpuIds: gpuIds(), mode: "AI" } }), noParams);
    expect(res.status).toBe(403);
    const body = await readJson<ErrorBody>(res);
    expect(body.error.code).toBe("FORBIDDEN");
    expect(body.error.message).toContain("VIEWER");
    expect(await t.db.command.count({ where: { createdById: user.id } })).toBe(0);
    expect((await t.api.revenueReport(request("GET", "/api/v1/reports/revenue?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z", { cookie }), noParams)).status).toBe(403);
  });

  it("keeps operators out of reports, JSON and CSV", async () => {
    const { cookie } = await t.signIn("OPERATOR");
    const q = "from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z";
    const json = await t.api.revenueReport(request("GET", `/api/v1/reports/revenue?${q}`, { cookie }), noParams);
    expect(json.status).toBe(403);
    expect((await readJson<ErrorBody>(json)).error.message).toMatch(/FINANCE or ADMIN/);
    expect((await t.api.revenueReportCsv(request("GET", `/api/v1/reports/revenue.csv?${q}`, { cookie }), noParams)).status).toBe(403);
  });

  it("lets finance read the fleet and reports but not switch GPUs", async () => {
    const { cookie } = await t.signIn("FINANCE");
    expect((await t.api.listSites(request("GET", "/api/v1/sites", { cookie }), noParams)).status).toBe(200);
    const q = "from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z";
    expect((await t.api.revenueReport(request("GET", `/api/v1/reports/revenue?${q}`, { cookie }), noParams)).status).toBe(200);
    const res = await t.api.createCommand(request("POST", "/api/v1/commands", { cookie, body: { type: "switch", gpuIds: gpuIds(), mode: "IDLE" } }), noParams);
    expect(res.status).toBe(403);
  });

  it("lets an admin do all of it", async () => {
    const { cookie } = await t.signIn("ADMIN");
    const q = "from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z";
    expect((await t.api.revenueReport(request("GET", `/api/v1/reports/revenue?${q}`, { cookie }), noParams)).status).toBe(200);
    const res = await t.api.createCommand(request("POST", "/api/v1/commands", { cookie, body: { type: "switch", gpuIds: gpuIds(), mode: "IDLE" } }), noParams);
    expect(res.status).toBe(202);
  });
});

describe("API tokens", () => {
  it("mints a token any signed-in user can use as a bearer with their own role", async () => {
    const { cookie, user } = await t.signIn("OPERATOR");
    const res = await t.api.createToken(request("POST", "/api/v1/tokens", { cookie, body: { name: "ci script", expiresInDays: 30 } }), noParams);
    expect(res.status).toBe(201);
    const created = await readJson<{ id: string; name: string; token: string; expiresAt: string }>(res);
    expect(created.name).toBe("ci script");
    expect(created.token).toMatch(/^rs_api_/);
    expect(Date.parse(created.expiresAt)).toBeGreaterThan(Date.now() + 29 * 86_400_000);

    const gpus = await t.api.listGpus(request("GET", "/api/v1/gpus", { bearer: created.token }), noParams);
    expect(gpus.status).toBe(200);
    expect((await readJson<{ gpus: unknown[] }>(gpus)).gpus).toHaveLength(3);

    const cmd = await t.api.createCommand(
      request("POST", "/api/v1/commands", { bearer: created.token, body: { type: "switch", gpuIds: [farm.gpuS0.id], mode: "HASHING" } }),
      noParams,
    );
    expect(cmd.status).toBe(202);
    const { id } = await readJson<{ id: string }>(cmd);
    const command = await t.db.command.findUniqueOrThrow({ where: { id }, select: { createdById: true } });
    expect(command.createdById).toBe(user.id);
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { action: "command.created", targetId: id } });
    expect(audit).toMatchObject({ actorType: "TOKEN", actorId: created.id });

    // The token carries the operator's role: reports stay closed.
    const report = await t.api.revenueReport(request("GET", "/api/v1/reports/revenue?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z", { bearer: created.token }), noParams);
    expect(report.status).toBe(403);
  });

  it("defaults the token name and never expires without expiresInDays", async () => {
    const { cookie } = await t.signIn("VIEWER");
    const res = await t.api.createToken(request("POST", "/api/v1/tokens", { cookie }), noParams);
    expect(res.status).toBe(201);
    expect(await readJson(res)).toMatchObject({ name: "api", expiresAt: null });
  });

  it("rejects an unknown bearer token even when a valid cookie is sent too", async () => {
    const { cookie } = await t.signIn("ADMIN");
    const res = await t.api.listSites(request("GET", "/api/v1/sites", { cookie, bearer: "rs_api_not-a-real-token" }), noParams);
    expect(res.status).toBe(401);
    expect((await readJson<ErrorBody>(res)).error.message).toMatch(/unknown, expired or revoked/);
    const malformed = await t.api.listSites(new Request("http://web.test/api/v1/sites", { headers: { authorization: "Basic abc" } }), noParams);
    expect(malformed.status).toBe(401);
  });

  it("rejects a token request without a session", async () => {
    const res = await t.api.createToken(request("POST", "/api/v1/tokens", { body: { name: "x" } }), noParams);
    expect(res.status).toBe(401);
  });

  it("rejects a bad token body, naming the field", async () => {
    const { cookie } = await t.signIn("VIEWER");
    const res = await t.api.createToken(request("POST", "/api/v1/tokens", { cookie, body: { name: "x", expiresInDays: -3 } }), noParams);
    expect(res.status).toBe(400);
    expect((await readJson<ErrorBody>(res)).error.message).toMatch(/^expiresInDays: /);
  });
});
