/**
 * Requests that arrive close together are answered by one `load` of all of them: a connect
 * storm of 10,000 rigs costs a few dozen queries, not 10,000. No timer: the first request waits
 * one turn of the event loop; requests made while a load runs go in the next one, so batches grow
 * with the load (up to `maxBatch`) and at most `maxConcurrent` loads hold a database connection.
 * `load` answers each request by its index in the batch: a value, or an Error for that one alone.
 */
export type BatchLoader<I, O> = (input: I) => Promise<O>;

type Pending<I, O> = { input: I; resolve: (o: O) => void; reject: (err: unknown) => void };

export const createBatchLoader = <I, O>({
  load,
  maxBatch,
  maxConcurrent = 1,
}: {
  load: (inputs: I[]) => Promise<(O | Error)[]>;
  maxBatch: number;
  maxConcurrent?: number;
}): BatchLoader<I, O> => {
  let queue: Pending<I, O>[] = [];
  let running = 0;
  let scheduled = false;

  const run = async (batch: Pending<I, O>[]) => {
    running++;
    try {
      const results = await load(batch.map((p) => p.input));
      batch.forEach((p, i) => {
        const r = results[i];
        if (r instanceof Error) p.reject(r);
        else p.resolve(r as O);
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      running--;
      drain();
    }
  };

  const drain = () => {
    while (running < maxConcurrent && queue.length > 0) {
      const batch = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
      queue = queue.length <= maxBatch ? [] : queue.slice(maxBatch);
      void run(batch);
    }
  };

  return (input) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ input, resolve, reject });
      if (scheduled) return;
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        drain();
      });
    });
};
