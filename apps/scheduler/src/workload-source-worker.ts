import type { Job, Queue } from "bullmq";
import { getWorkloadSource, listWorkloadSources, type PrismaClient, recordWorkloadSourcePoll, syncSourceWorkloads } from "@rigshift/db";
import { DomainError, ZSourcePollJob } from "@rigshift/protocol";
import type { Log } from "./log";
import { pollJobsFor } from "./sources/poll-jobs";
import { adapterFor } from "./workload-sources/json-feed";

/**
 * `workload-sources`: a repeatable `sweep` queues one `poll` per enabled marketplace; a `poll`
 * reads the marketplace through its adapter and makes the queue match it (idempotent by external
 * id). A failed poll changes no workload, is recorded on the source, and is retried by BullMQ.
 */
export const createWorkloadSourceProcessor =
  ({ db, queue, timeoutMs, log, now }: { db: PrismaClient; queue: Queue; timeoutMs: number; log: Log; now: () => Date }) =>
  async (job: Job) => {
    if (job.name === "sweep") {
      const sources = await listWorkloadSources(db, { enabledOnly: true });
      await queue.addBulk(pollJobsFor(sources.map((s) => s.id), now()));
      return { queued: sources.length };
    }
    const { sourceId } = ZSourcePollJob.parse(job.data);
    const source = await getWorkloadSource(db, sourceId).catch((err: unknown) => {
      if (err instanceof DomainError) return null;
      throw err;
    });
    if (!source || !source.enabled) return { sourceId, skipped: "source deleted or disabled" };
    const sourceLog = log.child({ sourceId, source: source.name });
    try {
      const jobs = await adapterFor(source, { timeoutMs }).poll();
      const result = await syncSourceWorkloads(db, { sourceId, jobs, now: now() });
      await recordWorkloadSourcePoll(db, sourceId, { at: now(), error: null });
      sourceLog.info({ jobs: jobs.length, ...result }, "workload source polled");
      return { sourceId, jobs: jobs.length, ...result };
    } catch (err) {
      await recordWorkloadSourcePoll(db, sourceId, { at: now(), error: (err as Error).message });
      sourceLog.warn({ err, attempt: job.attemptsMade + 1 }, "workload source poll failed");
      throw err;
    }
  };
