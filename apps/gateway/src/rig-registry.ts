import type { Socket } from "socket.io";

/** The rig sockets connected to this gateway process, by rig id: where its commands go. */
export type RigConnection = {
  socket: Socket;
  rigId: string;
  siteId: string;
  /** Control-plane GPU id by the rig's GPU index, known after `hello`. */
  gpuIds: Map<number, string> | null;
  /** Last mode stored in each GPU's row, to write only changes. */
  modes: Map<number, string>;
  /** Time of the newest telemetry shown live: a replayed backlog must not overwrite it. */
  latestAt: number;
  lastTouchedAt: number;
};

export const createRigRegistry = () => {
  const byRig = new Map<string, RigConnection>();
  return {
    /** A rig that connects again replaces its older connection, which is closed. */
    add: (conn: RigConnection) => {
      const previous = byRig.get(conn.rigId);
      byRig.set(conn.rigId, conn);
      if (previous && previous.socket.id !== conn.socket.id) previous.socket.disconnect(true);
    },
    remove: (conn: RigConnection) => {
      if (byRig.get(conn.rigId)?.socket.id === conn.socket.id) byRig.delete(conn.rigId);
    },
    get: (rigId: string) => byRig.get(rigId),
    size: () => byRig.size,
  };
};
export type RigRegistry = ReturnType<typeof createRigRegistry>;
