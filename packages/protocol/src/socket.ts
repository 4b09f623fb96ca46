import type { z } from "zod";
import { DomainError, describeZodError, isDomainError, type AckFailure } from "./errors";

type Entry = { message: z.ZodType; ack?: z.ZodType };
export type Catalog = Record<string, Entry>;

type AckOf<E extends Entry> = E["ack"] extends z.ZodType ? z.input<E["ack"]> : void;

/** socket.io event map derived from a catalog: each event is (message, ack?) => void. */
export type EventsOf<C extends Catalog> = {
  [K in keyof C & string]: C[K]["ack"] extends z.ZodType
    ? (message: z.input<C[K]["message"]>, ack: (response: AckOf<C[K]>) => void) => void
    : (message: z.input<C[K]["message"]>) => void;
};

export type HandlerLog = { warn: (obj: object, msg: string) => void; error: (obj: object, msg: string) => void };

const failure = (code: AckFailure["code"], message: string): AckFailure => ({ ok: false, code, message });

/**
 * Wrap a receiver so it only ever sees valid input: the message is parsed with its catalog
 * schema; an invalid one is acked `PROTOCOL_INVALID` with the reason, a DomainError becomes a
 * failed ack with its code, and anything else is logged and acked `INTERNAL`. The connection lives.
 */
export const handler = <C extends Catalog, K extends keyof C & string>(
  catalog: C,
  name: K,
  fn: (message: z.output<C[K]["message"]>) => Promise<AckOf<C[K]>> | AckOf<C[K]>,
  opts: { log: HandlerLog; onInvalid?: (reason: string) => void },
) => {
  const respond = async (message: z.output<C[K]["message"]>, reply: (r: unknown) => void): Promise<void> => {
    try {
      reply(await fn(message));
    } catch (err) {
      if (isDomainError(err)) {
        opts.log.warn({ event: name, code: err.code, reason: err.message }, "message refused");
        reply(failure(err.code, err.message));
        return;
      }
      opts.log.error({ event: name, err }, "message handler failed");
      reply(failure("INTERNAL", `${name}: internal error`));
    }
  };
  // Parsed here, outside the async part: the raw message is not kept alive while `fn` awaits
  // (a suspended async function holds its arguments), which under the gateway's load was a
  // copy of every message in flight for the garbage collector to move.
  return (raw: unknown, ack?: unknown): Promise<void> => {
    const reply = typeof ack === "function" ? (ack as (r: unknown) => void) : () => {};
    const parsed = catalog[name]!.message.safeParse(raw);
    if (!parsed.success) {
      const reason = describeZodError(parsed.error);
      opts.log.warn({ event: name, reason }, "message rejected");
      opts.onInvalid?.(reason);
      reply(failure("PROTOCOL_INVALID", `${name}: ${reason}`));
      return Promise.resolve();
    }
    return respond(parsed.data as z.output<C[K]["message"]>, reply);
  };
};

/** Parse a message from a catalog or throw INVALID_INPUT naming the fields. */
export const parseMessage = <C extends Catalog, K extends keyof C & string>(
  catalog: C,
  name: K,
  raw: unknown,
): z.output<C[K]["message"]> => {
  const parsed = catalog[name]!.message.safeParse(raw);
  if (!parsed.success) throw new DomainError("PROTOCOL_INVALID", `${name}: ${describeZodError(parsed.error)}`);
  return parsed.data as z.output<C[K]["message"]>;
};
