import { ZCommandAck, ZCommandProgress, ZCommandProgressAck, ZSwitchCommand } from "./messages/command";
import { ZHello, ZHelloAck } from "./messages/inventory";
import { ZCommandLive, ZGpuLiveBatch, ZLiveSubscribe } from "./messages/live";
import { ZTelemetry, ZTelemetryAck } from "./messages/telemetry";

/** Everything an agent may send on /agent, and what the gateway acks with. */
export const agentToGateway = {
  hello: { message: ZHello, ack: ZHelloAck },
  telemetry: { message: ZTelemetry, ack: ZTelemetryAck },
  commandProgress: { message: ZCommandProgress, ack: ZCommandProgressAck },
} as const;

/** Everything the gateway sends an agent. */
export const gatewayToAgent = {
  command: { message: ZSwitchCommand, ack: ZCommandAck },
} as const;

/** Browser → gateway on /live. */
export const browserToGateway = {
  subscribe: { message: ZLiveSubscribe },
} as const;

/** Gateway → browser on /live; no acks, at most one update a second per room. */
export const gatewayToBrowser = {
  gpus: { message: ZGpuLiveBatch },
  command: { message: ZCommandLive },
} as const;
