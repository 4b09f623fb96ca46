// Bundles the agent into dist/rigshift-agent.mjs: one ESM file that runs with plain `node` on a rig
// that has Node and nothing else (no node_modules, no npm install). `npm run build` runs this.
import { chmod, mkdir } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const HERE = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_OUTFILE = join(HERE, "dist", "rigshift-agent.mjs");

// pino, zod's CJS users and ws are CommonJS: esbuild turns their `require("node:…")` calls into a
// shim that throws "Dynamic require … is not supported" in an ESM file unless `require` exists.
const BANNER = [
  "#!/usr/bin/env node",
  'import { createRequire as __rigshiftCreateRequire } from "node:module";',
  "const require = __rigshiftCreateRequire(import.meta.url);",
].join("\n");

/** Build the single-file agent; resolves with the output path and its size. */
export const buildAgent = async ({ outfile = DEFAULT_OUTFILE, minify = true } = {}) => {
  await mkdir(dirname(outfile), { recursive: true });
  const result = await build({
    entryPoints: [join(HERE, "src", "main.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    minify,
    // Keep names: stack traces and `err.name` in the logs stay readable.
    keepNames: true,
    sourcemap: false,
    legalComments: "none",
    banner: { js: BANNER },
    // ws (under socket.io-client) tries these optional native speed-ups in a try/catch and works
    // without them; left out, its require fails at run time and ws falls back to plain JS.
    external: ["bufferutil", "utf-8-validate"],
    logLevel: "warning",
    metafile: true,
  });
  await chmod(outfile, 0o755);
  const bytes = Object.values(result.metafile.outputs)[0]?.bytes ?? 0;
  return { outfile, bytes };
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { outfile, bytes } = await buildAgent({ outfile: process.argv[2] ? resolve(process.argv[2]) : DEFAULT_OUTFILE });
  process.stdout.write(`built ${relative(process.cwd(), outfile)} (${(bytes / 1024).toFixed(0)} KiB)\n`);
}
