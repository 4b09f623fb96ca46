import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./paths";

/**
 * `npm start` and `npm test` generate the Prisma client themselves (steps.ts), and a fresh checkout
 * has none before that: an entry script that loads it through a static import crashes before it can
 * make it (ERR_MODULE_NOT_FOUND for packages/db/src/generated). Checked by walking the static,
 * non-type imports from each entry through the repo's own files and workspace packages.
 */

const workspaces = new Map(
  ["apps", "packages"].flatMap((dir) =>
    readdirSync(path.join(repoRoot, dir)).flatMap((name) => {
      const file = path.join(repoRoot, dir, name, "package.json");
      if (!existsSync(file)) return [];
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name: string; exports?: Record<string, string> };
      return [[pkg.name, { dir: path.dirname(file), exports: pkg.exports ?? {} }] as const];
    }),
  ),
);

const asFile = (base: string) =>
  [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts")].find((f) => existsSync(f) && f.match(/\.tsx?$/));

/** The file a specifier loads at run time, or null for an outside package or a file that does not exist (yet). */
const resolveImport = (from: string, specifier: string): string | null => {
  if (specifier.startsWith(".")) return asFile(path.resolve(path.dirname(from), specifier)) ?? path.resolve(path.dirname(from), specifier);
  const [scope, name, ...rest] = specifier.split("/");
  const ws = workspaces.get(`${scope}/${name}`);
  if (!ws) return null;
  const target = ws.exports[rest.length ? `./${rest.join("/")}` : "."];
  return target ? path.resolve(ws.dir, target) : null;
};

/** Specifiers of the imports and re-exports that stay in the emitted JavaScript. */
const runtimeImports = (file: string) => {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest);
  const out: string[] = [];
  for (const node of source.statements) {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        clause?.isTypeOnly ||
        (clause && !clause.name && clause.namedBindings && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0 &&
          clause.namedBindings.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) out.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && !node.isTypeOnly) {
      out.push(node.moduleSpecifier.text);
    }
  }
  return out;
};

/** Every repo file the entry loads before its first line runs, as a chain from the entry for each. */
const staticGraph = (entry: string) => {
  const via = new Map<string, string[]>([[entry, [entry]]]);
  const queue = [entry];
  while (queue.length) {
    const file = queue.shift()!;
    if (!existsSync(file)) continue;
    for (const specifier of runtimeImports(file)) {
      const next = resolveImport(file, specifier);
      if (next === null || via.has(next)) continue;
      via.set(next, [...via.get(file)!, next]);
      queue.push(next);
    }
  }
  return via;
};

const GENERATED = path.join(repoRoot, "packages/db/src/generated");
const chainToGenerated = (entry: string) => {
  const hit = [...staticGraph(path.join(repoRoot, entry)).entries()].find(([file]) => file.startsWith(GENERATED));
  return hit ? hit[1].map((f) => path.relative(repoRoot, f)).join(" → ") : null;
};

describe("npm start and npm test on a fresh checkout", () => {
  it.each(["scripts/stack/start.ts", "scripts/stack/test.ts"])("%s does not load the Prisma client before generating it", (entry) => {
    expect(chainToGenerated(entry)).toBeNull();
  });

  it("finds the client behind a module that does load it (the walk would see a regression)", () => {
    expect(chainToGenerated("tooling/stack/seed-database.ts")).toMatch(/^tooling\/stack\/seed-database\.ts → packages\/db\/src\/index\.ts → .*packages\/db\/src\/generated\/prisma\/client/);
  });
});
