-- CreateEnum
CREATE TYPE "EnergySourceKind" AS ENUM ('TARIFF', 'TRACE');

-- CreateEnum
CREATE TYPE "MarketSourceKind" AS ENUM ('COIN', 'FX', 'ENERGY');

-- AlterTable
ALTER TABLE "AiWorkload" ADD COLUMN     "cancelledAt" TIMESTAMPTZ(3),
ADD COLUMN     "externalId" TEXT,
ADD COLUMN     "finishedAt" TIMESTAMPTZ(3),
ADD COLUMN     "placedAt" TIMESTAMPTZ(3),
ADD COLUMN     "placedGpuIds" UUID[] DEFAULT ARRAY[]::UUID[],
ADD COLUMN     "sourceId" UUID,
ADD COLUMN     "startedAt" TIMESTAMPTZ(3),
ADD COLUMN     "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- AlterTable
ALTER TABLE "Gpu" ADD COLUMN     "maintenance" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "maintenanceNote" TEXT,
ADD COLUMN     "pinTarget" JSONB,
ADD COLUMN     "pinUntil" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "Site" ADD COLUMN     "curtailAfterWindows" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "curtailImmediatePerMwh" DECIMAL(20,8),
ADD COLUMN     "curtailStrikePerMwh" DECIMAL(20,8),
ADD COLUMN     "energySource" "EnergySourceKind" NOT NULL DEFAULT 'TARIFF',
ADD COLUMN     "plannerPolicy" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "resumeAfterWindows" INTEGER NOT NULL DEFAULT 1;

-- CreateTable
CREATE TABLE "EnergyPrice" (
    "id" BIGSERIAL NOT NULL,
    "siteId" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "perMwh" DECIMAL(20,8) NOT NULL,
    "currency" VARCHAR(3) NOT NULL,
    "source" TEXT NOT NULL,

    CONSTRAINT "EnergyPrice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MarketSource" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "MarketSourceKind" NOT NULL,
    "url" TEXT NOT NULL,
    "mapping" JSONB NOT NULL,
    "symbol" TEXT,
    "algorithm" TEXT,
    "siteId" UUID,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "lastPolledAt" TIMESTAMPTZ(3),
    "lastOkAt" TIMESTAMPTZ(3),
    "lastError" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MarketSource_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WorkloadSource" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "adapter" TEXT NOT NULL DEFAULT 'json-feed',
    "url" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "lastPolledAt" TIMESTAMPTZ(3),
    "lastOkAt" TIMESTAMPTZ(3),
    "lastError" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WorkloadSource_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Plan" (
    "id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "durationMs" INTEGER NOT NULL,
    "gpuCount" INTEGER NOT NULL,
    "commandCount" INTEGER NOT NULL,
    "placements" JSONB NOT NULL DEFAULT '[]',
    "skipped" JSONB NOT NULL DEFAULT '[]',

    CONSTRAINT "Plan_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PlanDecision" (
    "planId" UUID NOT NULL,
    "gpuId" UUID NOT NULL,
    "current" JSONB NOT NULL,
    "target" JSONB NOT NULL,
    "changed" BOOLEAN NOT NULL,
    "binding" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "hashCoin" TEXT,
    "hashUsdPerHour" DECIMAL(20,8),
    "aiWorkloadId" UUID,
    "aiUsdPerHour" DECIMAL(20,8),
    "idleUsdPerHour" DECIMAL(20,8) NOT NULL,
    "commandId" UUID,

    CONSTRAINT "PlanDecision_pkey" PRIMARY KEY ("planId","gpuId")
);

-- CreateTable
CREATE TABLE "PlannerState" (
    "id" TEXT NOT NULL,
    "memory" JSONB NOT NULL DEFAULT '{}',
    "curtailment" JSONB NOT NULL DEFAULT '{}',
    "gpuSince" JSONB NOT NULL DEFAULT '{}',
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "PlannerState_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "EnergyPrice_siteId_at_idx" ON "EnergyPrice"("siteId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "EnergyPrice_siteId_at_source_key" ON "EnergyPrice"("siteId", "at", "source");

-- CreateIndex
CREATE UNIQUE INDEX "MarketSource_name_key" ON "MarketSource"("name");

-- CreateIndex
CREATE UNIQUE INDEX "WorkloadSource_name_key" ON "WorkloadSource"("name");

-- CreateIndex
CREATE INDEX "Plan_at_idx" ON "Plan"("at");

-- CreateIndex
CREATE INDEX "PlanDecision_gpuId_idx" ON "PlanDecision"("gpuId");

-- CreateIndex
CREATE INDEX "AiWorkload_status_idx" ON "AiWorkload"("status");

-- CreateIndex
CREATE UNIQUE INDEX "AiWorkload_sourceId_externalId_key" ON "AiWorkload"("sourceId", "externalId");

-- AddForeignKey
ALTER TABLE "AiWorkload" ADD CONSTRAINT "AiWorkload_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "WorkloadSource"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EnergyPrice" ADD CONSTRAINT "EnergyPrice_siteId_fkey" FOREIGN KEY ("siteId") REFERENCES "Site"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MarketSource" ADD CONSTRAINT "MarketSource_siteId_fkey" FOREIGN KEY ("siteId") REFERENCES "Site"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PlanDecision" ADD CONSTRAINT "PlanDecision_planId_fkey" FOREIGN KEY ("planId") REFERENCES "Plan"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PlanDecision" ADD CONSTRAINT "PlanDecision_gpuId_fkey" FOREIGN KEY ("gpuId") REFERENCES "Gpu"("id") ON DELETE CASCADE ON UPDATE CASCADE;
