import type { Namespace } from "socket.io";
import { findSessionUser, type Db } from "@rigshift/db";
import { browserToGateway, handler } from "@rigshift/protocol";
import type { Log } from "./log";

export const SESSION_COOKIE = "rs_session";

const cookieValue = (header: string | undefined, name: string) => {
  for (const part of (header ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
};

/**
 * /live: browsers, authenticated by the dashboard's session cookie. A browser chooses its
 * rooms with `subscribe`; every role may watch the fleet.
 */
export const attachLiveNamespace = ({ nsp, db, log, now }: { nsp: Namespace; db: Db; log: Log; now: () => Date }) => {
  nsp.use(async (socket, next) => {
    try {
      const token = cookieValue(socket.handshake.headers.cookie, SESSION_COOKIE);
      const user = token ? await findSessionUser(db, token, now()) : null;
      if (!user) return next(new Error("UNAUTHENTICATED: sign in to the dashboard first"));
      socket.data.user = user;
      next();
    } catch (err) {
      log.error({ err }, "live auth failed");
      next(new Error("UNAVAILABLE: could not check the session"));
    }
  });

  nsp.on("connection", (socket) => {
    socket.on(
      "subscribe",
      handler(
        browserToGateway,
        "subscribe",
        async ({ rooms }) => {
          for (const room of socket.rooms) if (room !== socket.id && !rooms.includes(room)) await socket.leave(room);
          await socket.join(rooms);
        },
        { log },
      ),
    );
  });
};
