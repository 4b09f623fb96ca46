import { createHash } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient, Prisma } from "./generated/prisma/client";

/** The client, or a transaction: every query takes this first so it composes into transactions. */
export type Db = PrismaClient | Prisma.TransactionClient;

export type CreateDbOptions = { databaseUrl: string; poolMax?: number };

/** Distinct statements a process prepares, at most: the hot ones are among the first it sends. */
export const PREPARED_STATEMENTS_MAX = 200;

/** Prisma writes `in: [...]` as `IN ($1,$2,…)`: a new text for each length of the list. */
const VALUE_LIST = /\bIN \(\$\d/;

/**
 * A name per SQL text, so node-postgres prepares each statement once per connection and then only
 * binds and executes it. Unnamed, PostgreSQL parsed, analysed and planned every call: on the
 * command path's CTE statements that was half of its CPU. Every connection keeps what it
 * prepared, so only texts that repeat are named: not a value list, whose text changes with its
 * length, and not more than `max` texts (the rest run unnamed, as before).
 */
export const createStatementNamer = (max = PREPARED_STATEMENTS_MAX) => {
  const names = new Map<string, string>();
  return ({ sql }: { sql: string }): string | undefined => {
    const known = names.get(sql);
    if (known !== undefined || names.size >= max || VALUE_LIST.test(sql)) return known;
    const name = `rs_${createHash("sha256").update(sql).digest("base64url").slice(0, 24)}`;
    names.set(sql, name);
    return name;
  };
};

/**
 * One PrismaClient per process over node-postgres. The pool is kept small by default:
 * each process (web, gateway, scheduler, every test file) opens its own, and PostgreSQL's
 * default of 100 connections is shared by all of them on a 2-core box.
 */
export const createDb = ({ databaseUrl, poolMax = 5 }: CreateDbOptions) => {
  const name = createStatementNamer();
  // The adapter types the name as a string; it passes it to node-postgres as `name`, where none
  // (undefined) means an unnamed statement, as without a generator.
  const statementNameGenerator = (query: { sql: string }) => name(query) as string;
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: poolMax }, { statementNameGenerator }) });
};

export { PrismaClient, Prisma };
