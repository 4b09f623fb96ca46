/**
 * One `poll` job per source and sweep. The job id holds the sweep's minute, so a source still
 * being retried from the last sweep is not queued a second time by a sweep in the same minute,
 * and a retry is BullMQ's (attempts with exponential backoff), not a new job.
 */
export const pollJobsFor = (sourceIds: string[], at: Date) =>
  sourceIds.map((sourceId) => ({
    name: "poll",
    data: { sourceId },
    opts: {
      jobId: `poll-${sourceId}-${Math.floor(at.getTime() / 60_000)}`,
      attempts: 3,
      backoff: { type: "exponential" as const, delay: 2_000 },
      removeOnComplete: 100,
      removeOnFail: 100,
    },
  }));
