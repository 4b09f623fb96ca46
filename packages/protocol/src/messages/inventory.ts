import { z } from "zod";
import { PROTOCOL_VERSION, ZGpuVendor } from "../enums";
import { ZAckFailure } from "../errors";

/** One GPU as the agent finds it on the rig. */
export const ZGpuInventory = z.object({
  index: z.number().int().nonnegative().max(63),
  uuid: z.string().min(1).max(128).nullable(),
  pciBusId: z.string().regex(/^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/, "expected a PCI bus id like 0000:01:00.0").nullable(),
  vendor: ZGpuVendor,
  model: z.string().min(1).max(128),
  vramMb: z.number().int().positive(),
});
export type GpuInventory = z.infer<typeof ZGpuInventory>;

/** First message after connecting: who the rig is and what GPUs it has. */
export const ZHello = z.object({
  v: z.literal(PROTOCOL_VERSION),
  agentVersion: z.string().min(1).max(64),
  hostname: z.string().min(1).max(255),
  gpus: z.array(ZGpuInventory).max(32),
});
export type Hello = z.infer<typeof ZHello>;

export const ZHelloAck = z.union([
  z.object({
    ok: z.literal(true),
    rigId: z.uuid(),
    /** The control plane's id of each GPU, by the rig's index. */
    gpus: z.array(z.object({ index: z.number().int(), gpuId: z.uuid() })),
    /** Highest telemetry seq already stored for this rig, so the agent can drop what is acked. */
    lastSeq: z.number().int().nullable(),
  }),
  ZAckFailure,
]);
export type HelloAck = z.infer<typeof ZHelloAck>;
