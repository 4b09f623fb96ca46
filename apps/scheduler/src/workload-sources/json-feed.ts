import type { ExternalWorkload } from "@rigshift/db";
import { describeZodError, ZFeedJob, ZWorkloadFeed } from "@rigshift/protocol";
import { fetchJson } from "../sources/fetch-json";
import type { WorkloadSourceAdapter } from "./adapter";

/**
 * The built-in adapter: a URL serving `{ "jobs": [...] }` (or a bare array) of ZFeedJob. One job
 * that does not validate rejects the whole poll, naming it: skipping it would read as "gone" and
 * cancel it.
 */
export const jsonFeedAdapter = ({ url, timeoutMs }: { url: string; timeoutMs: number }): WorkloadSourceAdapter => ({
  poll: async () => {
    const doc = ZWorkloadFeed.safeParse(await fetchJson(url, { timeoutMs }));
    if (!doc.success) throw new Error(`${url}: not a job feed: ${describeZodError(doc.error)}`);
    return doc.data.jobs.map((raw, i): ExternalWorkload => {
      const parsed = ZFeedJob.safeParse(raw);
      if (!parsed.success) throw new Error(`${url}: job ${i}: ${describeZodError(parsed.error)}`);
      const j = parsed.data;
      return {
        externalId: j.id,
        name: j.name ?? `job ${j.id}`,
        customer: j.customer,
        gpusNeeded: j.gpus,
        minVramMb: Math.round(j.minVramGb * 1024),
        sameRig: j.sameRig,
        expectedHours: j.hours === null ? null : String(j.hours),
        usdPerGpuHour: j.usdPerGpuHour,
        priority: j.priority,
        earliestStart: j.earliestStart ? new Date(j.earliestStart) : null,
        deadline: j.deadline ? new Date(j.deadline) : null,
        checkpointGraceS: j.checkpointGraceS,
        image: j.image,
        command: j.command,
        args: j.args,
      };
    });
  },
});

/** The adapter of a source row by its `adapter` name. */
export const adapterFor = (source: { adapter: string; url: string }, { timeoutMs }: { timeoutMs: number }): WorkloadSourceAdapter => {
  if (source.adapter === "json-feed") return jsonFeedAdapter({ url: source.url, timeoutMs });
  throw new Error(`unknown workload source adapter "${source.adapter}"`);
};
