import type { Job, Queue } from "bullmq";
import { getMarketSource, importCoinQuotes, importEnergyPrices, importFxQuotes, type PrismaClient, recordMarketSourcePoll } from "@rigshift/db";
import { listMarketSources } from "@rigshift/db";
import { DomainError, ZSourcePollJob } from "@rigshift/protocol";
import type { Log } from "./log";
import { fetchJson } from "./sources/fetch-json";
import { coinQuotesFromDocument, energyPricesFromDocument, fxQuotesFromDocument } from "./sources/market-records";
import { pollJobsFor } from "./sources/poll-jobs";

/**
 * `market-sources`: a repeatable `sweep` queues one `poll` per enabled HTTP source; a `poll`
 * fetches the source, maps its records, and stores them in one idempotent insert. A failing
 * source is recorded on its row (lastError) and thrown, so BullMQ retries it with backoff; its
 * stored quotes are never touched, since a poll writes all its rows or none.
 */
export const createMarketSourceProcessor =
  ({ db, queue, timeoutMs, log, now }: { db: PrismaClient; queue: Queue; timeoutMs: number; log: Log; now: () => Date }) =>
  async (job: Job) => {
    if (job.name === "sweep") {
      const sources = await listMarketSources(db, { enabledOnly: true });
      await queue.addBulk(pollJobsFor(sources.map((s) => s.id), now()));
      return { queued: sources.length };
    }
    const { sourceId } = ZSourcePollJob.parse(job.data);
    const source = await getMarketSource(db, sourceId).catch((err: unknown) => {
      if (err instanceof DomainError) return null;
      throw err;
    });
    if (!source || !source.enabled) return { sourceId, skipped: "source deleted or disabled" };
    const sourceLog = log.child({ sourceId, source: source.name });
    try {
      const doc = await fetchJson(source.url, { timeoutMs });
      const label = `http:${source.name}`;
      let result;
      if (source.kind === "COIN") {
        result = await importCoinQuotes(db, { coin: source.symbol!, algorithm: source.algorithm!, source: label, quotes: coinQuotesFromDocument(doc, source) });
      } else if (source.kind === "FX") {
        result = await importFxQuotes(db, { source: label, quotes: fxQuotesFromDocument(doc, source) });
      } else {
        const site = await db.site.findUniqueOrThrow({ where: { id: source.siteId! }, select: { currency: true } });
        result = await importEnergyPrices(db, { siteId: source.siteId!, source: label, prices: energyPricesFromDocument(doc, source, site.currency) });
      }
      await recordMarketSourcePoll(db, sourceId, { at: now(), error: null });
      sourceLog.info({ rows: result.rows, inserted: result.inserted }, "market source polled");
      return { sourceId, ...result };
    } catch (err) {
      await recordMarketSourcePoll(db, sourceId, { at: now(), error: (err as Error).message });
      sourceLog.warn({ err, attempt: job.attemptsMade + 1 }, "market source poll failed");
      throw err;
    }
  };
