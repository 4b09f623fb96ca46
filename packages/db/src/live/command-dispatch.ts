import type { Redis } from "ioredis";
import { COMMAND_DISPATCH_CHANNEL, type CommandDispatch } from "@rigshift/protocol";

/**
 * Tell every gateway that a command waits for these rigs; each delivers it to the ones it holds
 * (apps/gateway/src/dispatch-subscriber.ts). The scheduler's `commands` job sends it until the
 * rigs have their parts; the API also sends it once as soon as the job is queued, with each rig's
 * message, so a switch an operator asks for waits neither for the scheduler nor for a query.
 */
export const createCommandDispatcher = ({ redis, prefix }: { redis: Redis; prefix: string }) =>
  async (dispatch: CommandDispatch): Promise<void> => {
    await redis.publish(`${prefix}:${COMMAND_DISPATCH_CHANNEL}`, JSON.stringify(dispatch));
  };
export type CommandDispatcher = ReturnType<typeof createCommandDispatcher>;
