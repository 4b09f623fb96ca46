import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient, Prisma } from "./generated/prisma/client";

/** The client, or a transaction: every query takes this first so it composes into transactions. */
export type Db = PrismaClient | Prisma.TransactionClient;

export type CreateDbOptions = { databaseUrl: string; poolMax?: number };

/**
 * One PrismaClient per process over node-postgres. The pool is kept small by default:
 * each process (web, gateway, scheduler, every test file) opens its own, and PostgreSQL's
 * default of 100 connections is shared by all of them on a 2-core box.
 */
export const createDb = ({ databaseUrl, poolMax = 5 }: CreateDbOptions) =>
  new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: poolMax }) });

export { PrismaClient, Prisma };
