import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, createStatementNamer } from "./client";
import { createTestDatabase, type TestDatabase } from "./testing";

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(() => tdb.drop());

describe("prepared statements", () => {
  it("prepares each statement once on a connection and runs it again by name, with that call's values", async () => {
    // One connection, so the session PostgreSQL reports on is the one that ran the statements.
    const db = createDb({ databaseUrl: tdb.url, poolMax: 1 });
    try {
      const twice = async (n: number) => db.$queryRaw<{ n: number }[]>`SELECT ${n}::int AS n, 'prepared-test' AS tag`;
      expect(await twice(1)).toEqual([{ n: 1, tag: "prepared-test" }]);
      expect(await twice(2)).toEqual([{ n: 2, tag: "prepared-test" }]);
      const prepared = await db.$queryRaw<{ name: string; statement: string }[]>`
        SELECT name, statement FROM pg_prepared_statements WHERE statement LIKE '%prepared-test%' AND statement NOT LIKE '%pg_prepared_statements%'`;
      expect(prepared).toHaveLength(1);
      expect(prepared[0]!.name).toMatch(/^rs_/);
    } finally {
      await db.$disconnect();
    }
  });

  it("names a text the same every time and stops naming new texts past its limit", () => {
    const name = createStatementNamer(2);
    const a = name({ sql: "SELECT 1" });
    const b = name({ sql: "SELECT 2" });
    expect(a).toMatch(/^rs_/);
    expect(b).toMatch(/^rs_/);
    expect(a).not.toBe(b);
    expect(name({ sql: "SELECT 1" })).toBe(a);
    // A third text runs unnamed (parsed each time), so no connection's cache grows without bound.
    expect(name({ sql: "SELECT 3" })).toBeUndefined();
    expect(name({ sql: "SELECT 2" })).toBe(b);
  });

  it("leaves value lists unnamed: their text changes with the list's length", () => {
    const name = createStatementNamer();
    expect(name({ sql: 'SELECT "id" FROM "Rig" WHERE "id" IN ($1,$2) OFFSET $3' })).toBeUndefined();
    expect(name({ sql: 'SELECT "id" FROM "Rig" WHERE "id" = ANY($1::uuid[])' })).toMatch(/^rs_/);
  });
});
