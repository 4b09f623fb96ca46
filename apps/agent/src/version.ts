/** Sent in enroll and hello so the control plane can tell which agents need an upgrade. Keep in step with package.json. */
export const AGENT_VERSION = "0.1.0";
