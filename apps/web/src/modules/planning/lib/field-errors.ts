/**
 * The API names bad input as "path: message; path: message" (describeZodError). Split it so a
 * form can show each message under its field; what names no known field stays a form-level error.
 */
export type FieldErrors = { fields: Record<string, string>; form: string | null };

export const splitFieldErrors = (message: string, knownFields: readonly string[]): FieldErrors => {
  const fields: Record<string, string> = {};
  const rest: string[] = [];
  for (const part of message.split("; ")) {
    const match = /^([A-Za-z0-9_.]+): (.+)$/.exec(part);
    // "policy.minGainPct" belongs to the field "policy.minGainPct", or else to its first segment.
    const path = match?.[1];
    const field = path && (knownFields.includes(path) ? path : knownFields.find((f) => path.startsWith(`${f}.`) || f === path.split(".")[0]));
    if (match && field) fields[field] = fields[field] ? `${fields[field]}; ${match[2]}` : match[2]!;
    else rest.push(part);
  }
  return { fields, form: rest.length ? rest.join("; ") : null };
};
