import type { Redis } from "ioredis";
import { COMMAND_DISPATCH_CHANNEL, type CommandDispatch, describeZodError, ZCommandDispatch } from "@rigshift/protocol";
import type { Log } from "./log";

/**
 * The scheduler publishes `{commandId, rigIds}` when a command waits for rigs (the API's first one
 * also carries each rig's message); every gateway hears it and delivers to the rigs connected to
 * it. Returns a function that unsubscribes.
 */
export const subscribeCommandDispatch = async ({
  redis,
  prefix,
  log,
  onDispatch,
}: {
  redis: Redis;
  prefix: string;
  log: Log;
  onDispatch: (dispatch: CommandDispatch) => Promise<void>;
}) => {
  const channel = `${prefix}:${COMMAND_DISPATCH_CHANNEL}`;
  redis.on("message", (from: string, text: string) => {
    if (from !== channel) return;
    let parsed;
    try {
      parsed = ZCommandDispatch.safeParse(JSON.parse(text));
    } catch {
      return log.warn({ channel, reason: "not JSON" }, "ignored a malformed command dispatch");
    }
    if (!parsed.success) return log.warn({ channel, reason: describeZodError(parsed.error) }, "ignored a malformed command dispatch");
    const dispatch = parsed.data;
    onDispatch(dispatch).catch((err) => log.error({ err, commandId: dispatch.commandId }, "command dispatch failed"));
  });
  await redis.subscribe(channel);
  return async () => {
    await redis.unsubscribe(channel);
  };
};
