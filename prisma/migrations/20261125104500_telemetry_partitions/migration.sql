-- TelemetrySample becomes a table partitioned by day on "at", so retention drops whole days
-- instead of running a long DELETE. Prisma cannot declare partitioning: this is written by hand,
-- and the parent matches schema.prisma (columns, key, indexes) so `db:diff` has nothing to add.
--
-- A partitioned table's primary key must include the partition column. Agents resend a message
-- identically (same "at"), so ("rigId", "seq", "gpuIndex", "at") still stores each sample once.
-- Day partitions are named "TelemetrySample_pYYYYMMDD" and are made ahead by the scheduler's
-- `telemetry-partitions` job; the default partition takes any row no day partition covers, so
-- an insert never fails for its date.

ALTER TABLE "TelemetrySample" RENAME TO "TelemetrySample_unpartitioned";
ALTER TABLE "TelemetrySample_unpartitioned" RENAME CONSTRAINT "TelemetrySample_pkey" TO "TelemetrySample_unpartitioned_pkey";
ALTER INDEX "TelemetrySample_at_idx" RENAME TO "TelemetrySample_unpartitioned_at_idx";
ALTER INDEX "TelemetrySample_gpuId_at_idx" RENAME TO "TelemetrySample_unpartitioned_gpuId_at_idx";

CREATE TABLE "TelemetrySample" (
    "rigId" UUID NOT NULL,
    "seq" BIGINT NOT NULL,
    "gpuIndex" INTEGER NOT NULL,
    "gpuId" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "mode" "GpuMode" NOT NULL,
    "coin" TEXT,
    "workloadId" UUID,
    "hashrateHs" DOUBLE PRECISION,
    "tempC" DOUBLE PRECISION,
    "powerW" DOUBLE PRECISION,
    "fanPct" DOUBLE PRECISION,
    "utilPct" DOUBLE PRECISION,
    "vramUsedMb" INTEGER,

    CONSTRAINT "TelemetrySample_pkey" PRIMARY KEY ("rigId","seq","gpuIndex","at")
) PARTITION BY RANGE ("at");

CREATE INDEX "TelemetrySample_at_idx" ON "TelemetrySample" USING BRIN ("at");
CREATE INDEX "TelemetrySample_gpuId_at_idx" ON "TelemetrySample"("gpuId", "at");

CREATE TABLE "TelemetrySample_default" PARTITION OF "TelemetrySample" DEFAULT;

INSERT INTO "TelemetrySample" SELECT
    "rigId", "seq", "gpuIndex", "gpuId", "at", "mode", "coin", "workloadId",
    "hashrateHs", "tempC", "powerW", "fanPct", "utilPct", "vramUsedMb"
FROM "TelemetrySample_unpartitioned";

DROP TABLE "TelemetrySample_unpartitioned";
