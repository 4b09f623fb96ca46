import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { SEND_FAILURES } from "./command-delivery";

/**
 * The gateway's Prometheus metrics, on a registry of its own (tests run several gateways in one
 * process). Served as text at GET /metrics.
 */
export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;

export const createGatewayMetrics = ({ connectedAgents, pendingRows }: { connectedAgents: () => number; pendingRows: () => number }) => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "rigshift_gateway_" });
  const metrics = {
    registry,
    telemetryMessages: new Counter({ name: "rigshift_gateway_telemetry_messages_total", help: "Telemetry messages stored and acked", registers: [registry] }),
    telemetryRows: new Counter({ name: "rigshift_gateway_telemetry_rows_total", help: "GPU samples written to the database", registers: [registry] }),
    batchRows: new Histogram({
      name: "rigshift_gateway_telemetry_batch_rows",
      help: "GPU samples per database write",
      buckets: [1, 10, 50, 100, 500, 1000, 2000, 5000, 10000],
      registers: [registry],
    }),
    batchSeconds: new Histogram({
      name: "rigshift_gateway_telemetry_batch_seconds",
      help: "Time to write one batch of samples",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    failedBatches: new Counter({ name: "rigshift_gateway_telemetry_failed_batches_total", help: "Batches the database refused (agents resend)", registers: [registry] }),
    commandSendFailures: new Counter({
      name: "rigshift_gateway_command_send_failures_total",
      help: "Commands sent to a rig that did not become DISPATCHED: unacked (no ack in time, or the rig went), malformed ack, refused by the agent",
      labelNames: ["reason"] as const,
      registers: [registry],
    }),
    commandDeliverySeconds: new Histogram({
      name: "rigshift_gateway_command_delivery_seconds",
      help: "A command's way through this gateway: lookup (reading a rig's open commands) and ack (sent until the agent acks)",
      labelNames: ["phase"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    rejected: new Counter({
      name: "rigshift_gateway_rejected_messages_total",
      help: "Agent messages and connections refused, by event and reason",
      labelNames: ["event", "reason"] as const,
      registers: [registry],
    }),
  };
  new Gauge({ name: "rigshift_gateway_connected_agents", help: "Rigs connected to this gateway", registers: [registry], collect() { this.set(connectedAgents()); } });
  new Gauge({ name: "rigshift_gateway_telemetry_pending_rows", help: "Samples accepted but not yet written (the write queue)", registers: [registry], collect() { this.set(pendingRows()); } });
  // Every reason from the start, at 0: a rate() over a series that appears only with its first failure misses that failure.
  for (const reason of SEND_FAILURES) metrics.commandSendFailures.inc({ reason }, 0);
  return metrics;
};
