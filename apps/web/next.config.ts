import path from "node:path";
import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Workspace packages export TypeScript source with extensionless imports: Next compiles them.
  transpilePackages: ["@rigshift/protocol", "@rigshift/db", "@rigshift/config", "@rigshift/economics"],
  // Native addons, connection pools and worker-thread loggers stay plain Node requires at run time
  // instead of being bundled (argon2 ships a .node binary; pg and Prisma's runtime load files lazily).
  serverExternalPackages: ["@node-rs/argon2", "pg", "@prisma/client", "@prisma/adapter-pg", "@prisma/driver-adapter-utils", "bullmq", "ioredis", "pino", "prom-client"],
  // The monorepo root: the workspace packages live above apps/web.
  turbopack: { root: path.resolve(import.meta.dirname, "../..") },
  poweredByHeader: false,
};

export default nextConfig;
