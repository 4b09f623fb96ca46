import type { z } from "zod";

/**
 * Bounds on the fields of objects in an array, checked by one zod refinement over the whole array.
 *
 * Why not `.min().max().int()` on each field: zod runs every field check through its check loop,
 * about 0.1 µs apiece, and a telemetry message of 8 GPUs carried about 100 of them: 11 of the
 * 13 µs its parse took, the largest single cost of a gateway storing 150,000 samples a second.
 * One refinement per message costs about what ten field checks did. It raises what zod's own
 * checks would, issue for issue (code, bound, path, message; `field-bounds.test.ts` holds it to
 * that), only after the type errors rather than among them.
 *
 * A value that is null, absent or not of the field's type passes here: the field's own schema
 * judges those.
 */
export class FieldBounds {
  /** The element being checked, for the issues' paths. */
  index = 0;

  constructor(private readonly ctx: z.core.$RefinementCtx<unknown>) {}

  /** A finite number in [min, max], as `z.number().min(min).max(max)`. */
  number(field: string, value: unknown, min: number, max: number) {
    if (typeof value !== "number" || !Number.isFinite(value)) return;
    if (value < min) this.ctx.addIssue({ code: "too_small", origin: "number", minimum: min, inclusive: true, input: value, path: [this.index, field], continue: true });
    if (value > max) this.ctx.addIssue({ code: "too_big", origin: "number", maximum: max, inclusive: true, input: value, path: [this.index, field], continue: true });
  }

  /** An integer in [min, max], as `z.number().int().min(min).max(max)`: zod's "safeint", whose fraction stops the field's other checks. */
  integer(field: string, value: unknown, min: number, max: number) {
    if (typeof value !== "number" || !Number.isFinite(value)) return;
    if (!Number.isInteger(value)) {
      this.ctx.addIssue({ code: "invalid_type", expected: "int", format: "safeint", input: value, path: [this.index, field], continue: true });
      return;
    }
    if (value > Number.MAX_SAFE_INTEGER) {
      this.ctx.addIssue({ code: "too_big", origin: "int", maximum: Number.MAX_SAFE_INTEGER, inclusive: true, input: value, path: [this.index, field], continue: true });
    } else if (value < Number.MIN_SAFE_INTEGER) {
      this.ctx.addIssue({ code: "too_small", origin: "int", minimum: Number.MIN_SAFE_INTEGER, inclusive: true, input: value, path: [this.index, field], continue: true });
    }
    this.number(field, value, min, max);
  }

  /** A string of at most `maxLength` characters, as `z.string().max(maxLength)`. */
  text(field: string, value: unknown, maxLength: number) {
    if (typeof value !== "string" || value.length <= maxLength) return;
    this.ctx.addIssue({ code: "too_big", origin: "string", maximum: maxLength, inclusive: true, input: value, path: [this.index, field], continue: true });
  }
}

/**
 * A refinement for an array of objects: `check` names each element's bounds, field by field.
 * (Fields are read by name in `check`, not from a table: a property read by a variable name costs
 * more than the rest of the check.) Attach it with EVEN_AFTER_TYPE_ERRORS.
 */
export const eachWithinBounds =
  <T extends object>(check: (item: T, bounds: FieldBounds) => void) =>
  (items: readonly T[], ctx: z.core.$RefinementCtx<T[]>) => {
    if (!Array.isArray(items)) return;
    const bounds = new FieldBounds(ctx as z.core.$RefinementCtx<unknown>);
    for (let i = 0; i < items.length; i++) {
      const item: unknown = items[i];
      if (typeof item !== "object" || item === null) continue;
      bounds.index = i;
      check(item as T, bounds);
    }
  };

/**
 * Refinement params that run a bounds check even when another field failed its type (zod skips a
 * refinement after such an issue by default), so one message names all its bad fields.
 */
export const EVEN_AFTER_TYPE_ERRORS = { when: () => true };
