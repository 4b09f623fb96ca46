"use client";

import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { io, type Socket } from "socket.io-client";
import {
  browserToGateway,
  type CommandLive,
  type CommandView,
  type EventsOf,
  gatewayToBrowser,
  type GpuLive,
  type GpuView,
  isTerminalCommandStatus,
  PROTOCOL_VERSION,
} from "@rigshift/protocol";
import { commandKeys, fleetKeys } from "../lib/query";

/** Where the browser finds the gateway: an explicit URL, or this page's host on the gateway port. */
export type GatewayTarget = { url: string | null; port: number };
export type LiveState = "connecting" | "live" | "offline";

const gatewayBaseUrl = ({ url, port }: GatewayTarget) =>
  (url ?? `${window.location.protocol}//${window.location.hostname}:${port}`).replace(/\/+$/, "");

const mergeLive = (gpu: GpuView, live: GpuLive): GpuView => ({
  ...gpu,
  mode: live.mode,
  hashrateHs: live.hashrateHs,
  tempC: live.tempC,
  powerW: live.powerW,
  fanPct: live.fanPct,
  utilPct: live.utilPct,
  vramUsedMb: live.vramUsedMb,
  coin: live.coin,
  lastSeenAt: live.at,
});

const applyGpus = (qc: QueryClient, batch: GpuLive[]) => {
  const byId = new Map(batch.map((g) => [g.gpuId, g]));
  qc.setQueryData<GpuView[]>(fleetKeys.gpus(), (old) => old?.map((g) => (byId.has(g.id) ? mergeLive(g, byId.get(g.id)!) : g)));
  for (const live of batch) qc.setQueryData<GpuView>(fleetKeys.gpu(live.gpuId), (old) => (old ? mergeLive(old, live) : old));
};

const applyCommand = (qc: QueryClient, c: CommandLive) => {
  qc.setQueryData<CommandView>(commandKeys.detail(c.commandId), (old) => {
    if (!old) return old;
    // The poll may already hold a later status than a push that was in flight: never go back to open.
    if (isTerminalCommandStatus(old.status) && !isTerminalCommandStatus(c.status)) return old;
    return {
      ...old,
      status: c.status,
      gpus: old.gpus.map((p) => (p.gpuId === c.gpuId ? { ...p, step: c.step ?? p.step } : p)),
    };
  });
  // The agent's step is the GPU's mode now (the database records the same).
  if (c.gpuId && c.step) {
    const step = c.step;
    qc.setQueryData<GpuView[]>(fleetKeys.gpus(), (old) => old?.map((g) => (g.id === c.gpuId ? { ...g, mode: step } : g)));
  }
  if (isTerminalCommandStatus(c.status)) void qc.invalidateQueries({ queryKey: fleetKeys.all });
};

/**
 * Follow /live rooms (`fleet`, `gpu:<id>`…) and write what arrives into the react-query cache.
 * The gateway reads the same `rs_session` cookie as the API (cookies are not port-scoped).
 */
export const useLive = (gateway: GatewayTarget, rooms: string[]): LiveState => {
  const qc = useQueryClient();
  const [state, setState] = useState<LiveState>("connecting");
  const roomsKey = rooms.join(",");

  useEffect(() => {
    const subscribed = roomsKey.split(",").filter(Boolean);
    const socket: Socket<EventsOf<typeof gatewayToBrowser>, EventsOf<typeof browserToGateway>> = io(`${gatewayBaseUrl(gateway)}/live`, {
      withCredentials: true,
      // WebSocket from the start, no long-polling: polling's requests must all reach the same
      // gateway process, which a gateway of several workers (GATEWAY_WORKERS) does not promise.
      transports: ["websocket"],
    });
    // Re-subscribe on every (re)connect: a new connection starts in no rooms.
    socket.on("connect", () => {
      setState("live");
      socket.emit("subscribe", { v: PROTOCOL_VERSION, rooms: subscribed });
    });
    socket.on("disconnect", () => setState("offline"));
    socket.on("connect_error", () => setState("offline"));
    socket.on("gpus", (raw) => {
      const parsed = gatewayToBrowser.gpus.message.safeParse(raw);
      if (parsed.success) applyGpus(qc, parsed.data.gpus);
    });
    socket.on("command", (raw) => {
      const parsed = gatewayToBrowser.command.message.safeParse(raw);
      if (parsed.success) applyCommand(qc, parsed.data);
    });
    return () => {
      socket.disconnect();
    };
  }, [gateway.url, gateway.port, roomsKey, qc]); // eslint-disable-line react-hooks/exhaustive-deps

  return state;
};
