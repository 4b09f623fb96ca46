/**
 * Test helpers: fake nvidia-smi / rocm-smi executables (sh scripts in a temp dir) that replay the
 * real captures in ../shared/fixtures/rig where they lie, hang, fail or print garbage, and record
 * their argv. Only tests import this file.
 */
import { chmod, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const FIXTURES = resolve(import.meta.dirname, "../../../../../shared/fixtures/rig");
export const fixture = (name: string) => join(FIXTURES, name);
export const readFixture = (name: string) => readFile(fixture(name), "utf8");

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export type FakeToolDir = {
  dir: string;
  /** Write an executable sh script whose body is `body`; returns its path. */
  script: (name: string, body: string) => Promise<string>;
  /** A tool that appends its argv (one line per call) to `<name>.argv` and then runs `body`. */
  recording: (name: string, body: string) => Promise<string>;
  argvOf: (name: string) => Promise<string[][]>;
};

export const createFakeToolDir = async (): Promise<FakeToolDir> => {
  const dir = await mkdtemp(join(tmpdir(), "rigshift-gpu-tools-"));
  const script = async (name: string, body: string) => {
    const path = join(dir, name);
    // Tests run the CLI with a PATH holding only fake tools; the scripts still need cat and sleep.
    await writeFile(path, `#!/bin/sh\nPATH=/usr/bin:/bin:$PATH\n${body}\n`);
    await chmod(path, 0o755);
    return path;
  };
  return {
    dir,
    script,
    recording: (name, body) => script(name, `printf '%s\\t' "$@" >> ${quote(join(dir, `${name}.argv`))}; echo >> ${quote(join(dir, `${name}.argv`))}\n${body}`),
    argvOf: async (name) => {
      const text = await readFile(join(dir, `${name}.argv`), "utf8").catch(() => "");
      return text
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => line.replace(/\t$/, "").split("\t"));
    },
  };
};

/** sh that prints a fixture file as the real tool would. */
export const catFixture = (name: string) => `cat ${quote(fixture(name))}`;
export const shQuote = quote;
