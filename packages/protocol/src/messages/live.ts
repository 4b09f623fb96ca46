import { z } from "zod";
import { PROTOCOL_VERSION, ZCommandStatus, ZGpuMode } from "../enums";
import { GPU_READING_FIELDS } from "./telemetry";

/** Latest known state of one GPU, as the fleet API and /live show it. */
export const ZGpuLive = z.object({
  gpuId: z.uuid(),
  rigId: z.uuid(),
  mode: ZGpuMode,
  ...GPU_READING_FIELDS,
  coin: z.string().nullable(),
  at: z.iso.datetime({ offset: true }),
});
export type GpuLive = z.infer<typeof ZGpuLive>;

export const ZGpuLiveBatch = z.object({ v: z.literal(PROTOCOL_VERSION), gpus: z.array(ZGpuLive) });
export type GpuLiveBatch = z.infer<typeof ZGpuLiveBatch>;

export const ZCommandLive = z.object({
  v: z.literal(PROTOCOL_VERSION),
  commandId: z.uuid(),
  status: ZCommandStatus,
  gpuId: z.uuid().nullable(),
  step: ZGpuMode.nullable(),
});
export type CommandLive = z.infer<typeof ZCommandLive>;

/** A room on /live: the whole fleet, or one site, rig or GPU. */
export const ZLiveRoom = z.string().regex(/^(fleet|site:[0-9a-f-]{36}|rig:[0-9a-f-]{36}|gpu:[0-9a-f-]{36})$/);

/** Browser → gateway: which rooms to follow. */
export const ZLiveSubscribe = z.object({
  v: z.literal(PROTOCOL_VERSION),
  rooms: z.array(ZLiveRoom).max(64),
});
export type LiveSubscribe = z.infer<typeof ZLiveSubscribe>;

/**
 * Gateway → other gateways: the rooms this gateway's browsers are in, so that the others send
 * it only updates someone here watches. Empty when its last browser has gone.
 */
export const ZLiveWatch = z.object({
  v: z.literal(PROTOCOL_VERSION),
  gatewayId: z.uuid(),
  rooms: z.array(ZLiveRoom),
});
export type LiveWatch = z.infer<typeof ZLiveWatch>;
