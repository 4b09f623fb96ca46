import type { ExternalWorkload } from "@rigshift/db";

/**
 * An external marketplace the workload queue takes jobs from. `poll` returns every job the
 * marketplace currently offers the farm (the whole list, not changes): the queue adds new ones,
 * updates pending ones, and cancels those gone from the list unless already running. It throws
 * when the marketplace cannot be read, so nothing is cancelled on a failed poll.
 */
export interface WorkloadSourceAdapter {
  poll(): Promise<ExternalWorkload[]>;
}
