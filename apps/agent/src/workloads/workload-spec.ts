import { z } from "zod";
import { ZGpuVendor } from "@rigshift/protocol";

const ZEnv = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string());

const ZCommon = z.object({
  workloadId: z.uuid(),
  /** Host GPU indices (nvidia-smi / rocm-smi order) the workload may use, and only those. */
  gpus: z.array(z.number().int().nonnegative().max(63)).min(1),
  vendor: ZGpuVendor,
  /** Seconds between SIGTERM (write a checkpoint) and SIGKILL. */
  checkpointGraceS: z.number().int().nonnegative(),
  env: ZEnv.default({}),
});

/** An AI workload as a plain process, or as a Docker container. */
export const ZWorkloadSpec = z.discriminatedUnion("kind", [
  ZCommon.extend({ kind: z.literal("process"), command: z.string().min(1), args: z.array(z.string()).default([]) }),
  ZCommon.extend({ kind: z.literal("docker"), image: z.string().min(1), args: z.array(z.string()).default([]) }),
]);
export type WorkloadSpec = z.infer<typeof ZWorkloadSpec>;
