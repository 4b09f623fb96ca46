import { DEFAULT_PIN_HOURS, getCommandView, readSwitchTargets, writeSwitchCommand } from "@rigshift/db";
import { API_COMMAND_FIRST_CHECK_MS, commandDeliveryJob, DomainError, ZCreateCommandBody } from "@rigshift/protocol";
import { auditActor, authorize } from "../auth";
import type { ApiDeps } from "../deps";
import { json, parseBody, parseIdParam, route } from "../http";
import { auditEntryActor } from "./planning-access";

/** Manual switches: the row (audited, in packages/db), the delivery job the scheduler runs, and a first dispatch to the gateways. */
export const commandRoutes = (deps: ApiDeps) => ({
  /**
   * POST /api/v1/commands — 202 {id}; the command then moves QUEUED → … → DONE/FAILED/EXPIRED.
   * `pinUntil` (default now + 4 h, null for none) pins the GPUs there against the planner.
   */
  createCommand: route(deps, async (request) => {
    const now = deps.now();
    // The caller's session and the GPUs are read at the same time: a switch reaches its rigs one
    // round trip sooner. Nothing is written, and no error but the caller's own is answered, until
    // the caller is known and allowed.
    const authorized = authorize(deps, request, "commands:create");
    const read = (async () => {
      const body = await parseBody(request, ZCreateCommandBody);
      // A manual switch pins its GPUs (default 4 h) so the next plan does not switch them straight back.
      const pinUntil = body.pinUntil === undefined ? new Date(now.getTime() + DEFAULT_PIN_HOURS * 3_600_000) : body.pinUntil === null ? null : new Date(body.pinUntil);
      if (pinUntil && pinUntil <= now) throw new DomainError("INVALID_INPUT", "pinUntil: must be in the future", { in: "body" });
      return { body, pinUntil, targets: await readSwitchTargets(deps.db, { gpuIds: body.gpuIds, mode: body.mode }) };
    })();
    read.catch(() => {}); // awaited below, once the caller is known
    const caller = await authorized;
    const { body, pinUntil, targets } = await read;
    const { id, rigIds, commands, expiresAt } = await writeSwitchCommand(deps.db, targets, {
      ttlS: body.ttlS,
      source: "USER",
      userId: caller.userId,
      actor: auditActor(caller),
      pinUntil,
      now,
    });
    // The rigs can have it now: the first dispatch goes out alongside the job rather than after it,
    // carrying each rig's message so its gateway need not read the command back. The job first looks
    // a moment later and repeats the dispatch until the rigs have it, so a lost one only costs time.
    const job = commandDeliveryJob(id, { delayMs: API_COMMAND_FIRST_CHECK_MS });
    const dispatched = deps.dispatchCommand({ commandId: id, rigIds, commands }).then(
      () => true,
      (err: unknown) => {
        deps.log.warn({ err, commandId: id }, "first dispatch not sent; the scheduler will send it");
        return false;
      },
    );
    try {
      // jobId = command id: a retried request or a second enqueuer cannot deliver it twice.
      await deps.commandQueue.add(job.name, job.data, job.opts);
    } catch (err) {
      // The row is written and audited; without its job it waits for the scheduler's sweep or expires.
      // The first dispatch may well have reached the rigs already: say so, so no one switches them twice.
      deps.log.error({ err, commandId: id }, "command queued in the database but not in Redis");
      const until = expiresAt.toISOString();
      const message = (await dispatched)
        ? `command saved and sent to its rigs once, but the delivery queue is unreachable: a rig that missed that send gets it from the scheduler's sweep (within a minute) or its next hello, and it expires at ${until}`
        : `command saved but neither the delivery queue nor the gateways are reachable: the scheduler's sweep sends it once Redis is back, and it expires at ${until}`;
      throw new DomainError("UNAVAILABLE", message, { commandId: id, expiresAt: until });
    } finally {
      await dispatched;
    }
    return json({ id }, 202, { location: `/api/v1/commands/${id}` });
  }),

  /** GET /api/v1/commands/{id} — status, per-GPU parts and history. */
  getCommand: route(deps, async (request, context) => {
    await authorize(deps, request, "fleet:read");
    const id = await parseIdParam(context);
    return json(await getCommandView(deps.db, id), 200, { "cache-control": "no-store" });
  }),
});
