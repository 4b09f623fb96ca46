import { readFileSync } from "node:fs";
import path from "node:path";

/** The real miner captures in shared/ (see FORMATS.md, SOURCES.md there); read in place, never copied. */
export const RIG_FIXTURES = path.resolve(import.meta.dirname, "../../../../../../shared/fixtures/rig");

export const fixtureText = (name: string): string => readFileSync(path.join(RIG_FIXTURES, name), "utf8");

export const fixtureJson = (name: string): unknown => JSON.parse(fixtureText(name));
