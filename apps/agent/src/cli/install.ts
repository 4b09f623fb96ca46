import { execFile } from "node:child_process";
import { constants, existsSync } from "node:fs";
import { access, chmod, chown, copyFile, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { hostname as osHostname } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ZAgentSpoolConfig } from "@rigshift/config";
import { AGENT_VERSION } from "../version";
import type { CliCommand } from "./args";
import { ConfigFileError, writeConfigFile } from "./config-file";
import { requestEnrollment } from "./enroll";

// Paths as the installed system sees them; under --root DIR they are written below DIR.
export const INSTALLED_CONFIG_PATH = "/etc/rigshift/agent.json";
export const INSTALLED_SPOOL_DIR = "/var/lib/rigshift/spool";
export const INSTALLED_BUNDLE_PATH = "/opt/rigshift/rigshift-agent.mjs";
export const UNIT_NAME = "rigshift-agent.service";
export const INSTALLED_UNIT_PATH = `/etc/systemd/system/${UNIT_NAME}`;
export const SERVICE_USER = "rigshift";
/** AMD: /dev/kfd and /dev/dri/renderD* belong to `render`, /dev/dri/card* to `video`. */
const GPU_GROUPS = ["video", "render"] as const;

export type InstallIo = {
  stdout: (text: string) => void;
  fetchFn?: typeof fetch;
  hostname?: string;
  /** The single-file agent to copy; default: the running bundle, else a built dist/ beside the source. */
  bundlePath?: string | null;
  /** Effective uid; default process.geteuid(). */
  uid?: number;
  /** Runs getent/useradd when installing into / as root; tests never get there. */
  exec?: (file: string, args: string[]) => Promise<void>;
};

/**
 * The bundle to install. Run as the bundle, `import.meta.url` is the bundle itself (esbuild keeps
 * it); run from source (`npm run agent`), it is this file, and a build may sit in apps/agent/dist.
 */
export const findAgentBundle = (): string | null => {
  const self = fileURLToPath(import.meta.url);
  if (self.endsWith(".mjs")) return self;
  const built = resolve(dirname(self), "../../dist/rigshift-agent.mjs");
  return existsSync(built) ? built : null;
};

/** Groups the target system has (from its /etc/group); null when it has no group file to read. */
const readGroups = async (root: string): Promise<Set<string> | null> => {
  const text = await readFile(join(root, "etc/group"), "utf8").catch(() => null);
  if (text === null) return null;
  return new Set(text.split("\n").map((line) => line.split(":")[0]!).filter((g) => g !== ""));
};

/** The systemd unit, with absolute paths as the installed system sees them. */
export const renderUnit = ({ gpuGroups }: { gpuGroups: readonly string[] }): string => {
  const groups =
    gpuGroups.length > 0
      ? `SupplementaryGroups=${gpuGroups.join(" ")}`
      : "# SupplementaryGroups=video render  (left out: this system has neither group; AMD GPUs need them)";
  return `# Written by \`rigshift-agent install\` (${AGENT_VERSION}); run install again to rewrite it.
[Unit]
Description=Rigshift rig agent (GPU telemetry, miners and AI workloads)
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
User=${SERVICE_USER}
Group=${SERVICE_USER}
Environment=RIGSHIFT_AGENT_CONFIG=${INSTALLED_CONFIG_PATH}
# The config holds the rig token (mode 0600): hand it to the service user before each start, so
# a config written by root (install, or an edit) stays readable by the agent. "+" runs this as root.
ExecStartPre=+/usr/bin/env chown ${SERVICE_USER}:${SERVICE_USER} ${INSTALLED_CONFIG_PATH}
ExecStart=/usr/bin/env node ${INSTALLED_BUNDLE_PATH} run --config ${INSTALLED_CONFIG_PATH}
Restart=always
RestartSec=5
# SIGTERM lets the agent stop its switches cleanly and flush the spool before systemd kills it.
KillSignal=SIGTERM
TimeoutStopSec=90

# GPU access. NVIDIA: /dev/nvidia* are world read/write by default, nothing to add. AMD: ROCm needs
# /dev/kfd and /dev/dri/renderD* (group render) and /dev/dri/card* (group video). PrivateDevices=
# and DevicePolicy= stay unset: either would hide the GPUs.
${groups}

# Hardening: the agent writes only its spool and status file under /var/lib/rigshift.
NoNewPrivileges=true
ProtectSystem=strict
ProtectHome=true
PrivateTmp=true
StateDirectory=rigshift
StateDirectoryMode=0750
ReadWritePaths=${INSTALLED_SPOOL_DIR}
ProtectKernelTunables=true
ProtectKernelModules=true
ProtectControlGroups=true
RestrictSUIDSGID=true
RestrictRealtime=true
LockPersonality=true
# Not MemoryDenyWriteExecute=: Node's JIT needs writable+executable memory.

[Install]
WantedBy=multi-user.target
`;
};

const writeFileAtomic = async (path: string, text: string, mode: number) => {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode });
  await chmod(tmp, mode);
  await rename(tmp, path);
};

const defaultExec = async (file: string, args: string[]) => {
  await promisify(execFile)(file, args, { timeout: 30_000 });
};

/** Create the system user the unit runs as, unless the system has it already. */
const ensureServiceUser = async (exec: NonNullable<InstallIo["exec"]>) => {
  const exists = await exec("getent", ["passwd", SERVICE_USER]).then(
    () => true,
    () => false,
  );
  if (exists) return false;
  await exec("useradd", ["--system", "--user-group", "--home-dir", "/var/lib/rigshift", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USER]);
  return true;
};

/**
 * `rigshift-agent install`: everything that can fail without side effects is checked before the
 * one-time token is spent; enrolment comes before the first file, so a refused token writes nothing.
 */
export const runInstallCommand = async (cmd: Extract<CliCommand, { command: "install" }>, io: InstallIo): Promise<void> => {
  const root = resolve(cmd.root);
  const onRoot = (path: string) => join(root, path);
  const intoLiveSystem = root === "/";
  const asRoot = (io.uid ?? process.geteuid?.() ?? -1) === 0;
  const exec = io.exec ?? defaultExec;
  if (intoLiveSystem && !asRoot) {
    throw new ConfigFileError("installing into / needs root: run it with sudo, or pass --root DIR to write the files below DIR");
  }
  try {
    await access(root, constants.W_OK);
  } catch {
    throw new ConfigFileError(`cannot write below ${root}: it does not exist or is not writable`);
  }
  const bundle = io.bundlePath === undefined ? findAgentBundle() : io.bundlePath;
  const { rigId, rigToken } = await requestEnrollment(
    cmd.server,
    { token: cmd.token, hostname: io.hostname ?? osHostname(), agentVersion: AGENT_VERSION },
    io.fetchFn,
  );
  // After enrolment, so a refused token leaves the system as it was.
  const createdUser = intoLiveSystem ? await ensureServiceUser(exec) : false;

  const configPath = onRoot(INSTALLED_CONFIG_PATH);
  const spoolDir = onRoot(INSTALLED_SPOOL_DIR);
  await writeConfigFile(configPath, {
    server: cmd.server,
    rigId,
    rigToken,
    intervalS: 5,
    simulate: cmd.simulate,
    // Written out in full so an operator sees (and can edit) the bounds in the file itself.
    spool: ZAgentSpoolConfig.parse({ dir: INSTALLED_SPOOL_DIR }),
  });
  await mkdir(spoolDir, { recursive: true, mode: 0o750 });
  await chmod(spoolDir, 0o750);
  if (intoLiveSystem) {
    // Unit's ExecStartPre and StateDirectory= fix these at each start too; doing it now means a
    // manual `sudo -u rigshift node … run` works straight away.
    const uid = Number(await promisify(execFile)("id", ["-u", SERVICE_USER]).then((r) => r.stdout.trim()));
    const gid = Number(await promisify(execFile)("id", ["-g", SERVICE_USER]).then((r) => r.stdout.trim()));
    for (const path of [configPath, dirname(spoolDir), spoolDir]) await chown(path, uid, gid);
  }

  const bundleTarget = onRoot(INSTALLED_BUNDLE_PATH);
  if (bundle) {
    await mkdir(dirname(bundleTarget), { recursive: true });
    const tmp = `${bundleTarget}.${process.pid}.tmp`;
    await copyFile(bundle, tmp);
    await chmod(tmp, 0o755);
    // Rename, not overwrite in place: a running agent keeps its old file open intact.
    await rename(tmp, bundleTarget);
  }

  const groups = await readGroups(root);
  const gpuGroups = groups === null ? [...GPU_GROUPS] : GPU_GROUPS.filter((g) => groups.has(g));
  await writeFileAtomic(onRoot(INSTALLED_UNIT_PATH), renderUnit({ gpuGroups }), 0o644);

  const lines = [
    `Enrolled rig ${rigId} with ${cmd.server}.`,
    `  config       ${configPath} (0600)`,
    `  spool        ${spoolDir}`,
    bundle
      ? `  agent        ${bundleTarget}`
      : `  agent        NOT copied: running from source and no build found. Run \`npm run build\` and copy apps/agent/dist/rigshift-agent.mjs to ${bundleTarget}`,
    `  systemd unit ${onRoot(INSTALLED_UNIT_PATH)}`,
  ];
  if (intoLiveSystem) {
    if (createdUser) lines.push(`Created system user ${SERVICE_USER}.`);
    lines.push("Start it now and at every boot with:", `  systemctl daemon-reload && systemctl enable --now ${UNIT_NAME}`);
  } else {
    lines.push(
      `On the system that boots from ${root}:`,
      `  useradd --system --user-group --home-dir /var/lib/rigshift --no-create-home --shell /usr/sbin/nologin ${SERVICE_USER}`,
      `  systemctl daemon-reload && systemctl enable --now ${UNIT_NAME}`,
    );
  }
  lines.push(`Check it with: node ${INSTALLED_BUNDLE_PATH} status`);
  io.stdout(`${lines.join("\n")}\n`);
};
