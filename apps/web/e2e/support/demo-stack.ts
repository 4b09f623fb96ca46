// The whole stack for one browser test file: its own seeded database and Redis prefix, gateway,
// scheduler, web and the six simulated demo agents on free ports, and a Chromium to drive it.
import { appendFileSync, mkdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { Redis } from "ioredis";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { DEFAULT_REDIS_URL } from "@rigshift/config";
import { createTestDatabase, testRedisPrefix, type TestDatabase } from "@rigshift/db/testing";
import { DEMO_PASSWORD, seedDemoFarm, type DemoFarm } from "@rigshift/db/seed";
import { demoAgentsOf } from "../../../../tooling/stack/demo-agents";
import { freePort } from "../../../../tooling/stack/net";
import { stateDir } from "../../../../tooling/stack/paths";
import { startStack, type RunningStack } from "../../../../tooling/stack/start-stack";

const CHROMIUM = "/usr/bin/chromium";
// ../shared/STACK.md: the flags that work on these machines (a fresh profile comes with launch()).
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const redisUrl = process.env.REDIS_URL || DEFAULT_REDIS_URL;

export const screenshotDir = path.join(stateDir, "screenshots");

export type DemoStack = {
  readonly database: TestDatabase;
  readonly farm: DemoFarm;
  readonly stack: RunningStack;
  /** A fresh browser context signed in as a demo user (password `rigshift-demo`), on the page login leads to. */
  signIn: (email: string, options?: BrowserContextOptions) => Promise<{ context: BrowserContext; page: Page }>;
  /** A full-page screenshot under `.rigshift/screenshots/<name>.png`, to look at as an operator would. */
  shot: (page: Page, name: string) => Promise<Buffer>;
};

/** Registers the file's beforeAll/afterAll; the handle's fields are there once beforeAll ran. */
export const useDemoStack = ({ env }: { env?: NodeJS.ProcessEnv } = {}): DemoStack => {
  let database: TestDatabase | null = null;
  let farm: DemoFarm | null = null;
  let stack: RunningStack | null = null;
  let browser: Browser | null = null;
  let agentConfigDir = "";
  const redisPrefix = testRedisPrefix();
  const stackLog = path.join(stateDir, "e2e", `stack-${redisPrefix}.log`);

  beforeAll(async () => {
    mkdirSync(path.dirname(stackLog), { recursive: true });
    mkdirSync(screenshotDir, { recursive: true });
    database = await createTestDatabase();
    farm = await seedDemoFarm(database.db, { now: new Date() });
    if (!farm) throw new Error("a fresh test database already had users");
    agentConfigDir = await mkdtemp(path.join(stateDir, "e2e", "agents-"));
    process.stdout.write(`stack output: ${stackLog}\n`);
    stack = await startStack({
      databaseUrl: database.url,
      redisUrl,
      redisPrefix,
      webPort: await freePort(),
      gatewayPort: await freePort(),
      agents: demoAgentsOf(farm),
      agentConfigDir,
      env,
      output: (line) => appendFileSync(stackLog, `${line}\n`),
      colour: false,
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await database?.drop();
    if (agentConfigDir) await rm(agentConfigDir, { recursive: true, force: true });
    // Queues and live state of this run only: everything under its prefix.
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  const ready = <T>(value: T | null, what: string): T => {
    if (value === null) throw new Error(`the demo stack's ${what} is not up: use it inside a test`);
    return value;
  };

  return {
    get database() {
      return ready(database, "database");
    },
    get farm() {
      return ready(farm, "farm");
    },
    get stack() {
      return ready(stack, "stack");
    },
    signIn: async (email, options = {}) => {
      const context = await ready(browser, "browser").newContext({ baseURL: ready(stack, "stack").webUrl, viewport: { width: 1440, height: 1000 }, ...options });
      const page = await context.newPage();
      await page.goto("/login");
      await page.getByTestId("login-email").fill(email);
      await page.getByTestId("login-password").fill(DEMO_PASSWORD);
      await page.getByTestId("login-submit").click();
      await page.waitForURL((url) => !url.pathname.startsWith("/login"));
      return { context, page };
    },
    shot: (page, name) => page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true }),
  };
};
