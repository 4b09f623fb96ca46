import type { Redis } from "ioredis";
import { COMMAND_DISPATCH_CHANNEL, ZCommandDispatch } from "@rigshift/protocol";
import type { Log } from "./log";

/**
 * The scheduler publishes `{commandId, rigIds}` when a command waits for rigs; every gateway
 * hears it and delivers to the rigs connected to it. Returns a function that unsubscribes.
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
  onDispatch: (commandId: string, rigIds: string[]) => Promise<void>;
}) => {
  const channel = `${prefix}:${COMMAND_DISPATCH_CHANNEL}`;
  redis.on("message", (from: string, text: string) => {
    if (from !== channel) return;
    let parsed;
    try {
      parsed = ZCommandDispatch.safeParse(JSON.parse(text));
    } catch {
      parsed = null;
    }
    if (!parsed?.success) {
      log.warn({ channel }, "ignored a malformed command dispatch");
      return;
    }
    const { commandId, rigIds } = parsed.data;
    onDispatch(commandId, rigIds).catch((err) => log.error({ err, commandId }, "command dispatch failed"));
  });
  await redis.subscribe(channel);
  return async () => {
    await redis.unsubscribe(channel);
  };
};
