-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('ADMIN', 'OPERATOR', 'FINANCE', 'VIEWER');

-- CreateEnum
CREATE TYPE "GpuVendor" AS ENUM ('NVIDIA', 'AMD');

-- CreateEnum
CREATE TYPE "GpuMode" AS ENUM ('OFFLINE', 'IDLE', 'HASHING', 'AI', 'DRAINING_HASHING', 'DRAINING_AI', 'STARTING_HASHING', 'STARTING_AI');

-- CreateEnum
CREATE TYPE "CommandType" AS ENUM ('SWITCH');

-- CreateEnum
CREATE TYPE "CommandStatus" AS ENUM ('QUEUED', 'DISPATCHED', 'RUNNING', 'DONE', 'FAILED', 'EXPIRED');

-- CreateEnum
CREATE TYPE "CommandSource" AS ENUM ('USER', 'PLANNER', 'SYSTEM');

-- CreateEnum
CREATE TYPE "WorkloadStatus" AS ENUM ('PENDING', 'PLACED', 'RUNNING', 'DONE', 'CANCELLED');

-- CreateEnum
CREATE TYPE "LedgerKind" AS ENUM ('HASHING_REVENUE', 'AI_REVENUE', 'ENERGY_COST');

-- CreateEnum
CREATE TYPE "QuoteKind" AS ENUM ('COIN', 'FX');

-- CreateEnum
CREATE TYPE "ActorType" AS ENUM ('USER', 'TOKEN', 'RIG', 'SYSTEM');

-- CreateTable
CREATE TABLE "User" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "disabledAt" TIMESTAMPTZ(3),

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Session" (
    "id" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "userId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "userId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMPTZ(3),
    "expiresAt" TIMESTAMPTZ(3),
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Site" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "timezone" TEXT NOT NULL,
    "currency" VARCHAR(3) NOT NULL,
    "powerCapKw" DECIMAL(12,3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Site_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Tariff" (
    "id" UUID NOT NULL,
    "siteId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "basePerKwh" DECIMAL(12,6) NOT NULL,
    "validFrom" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Tariff_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TariffWindow" (
    "id" UUID NOT NULL,
    "tariffId" UUID NOT NULL,
    "days" TEXT NOT NULL,
    "startMinute" INTEGER NOT NULL,
    "endMinute" INTEGER NOT NULL,
    "perKwh" DECIMAL(12,6) NOT NULL,

    CONSTRAINT "TariffWindow_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Rig" (
    "id" UUID NOT NULL,
    "siteId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "enrollmentTokenHash" TEXT,
    "enrolledAt" TIMESTAMPTZ(3),
    "tokenHash" TEXT,
    "agentVersion" TEXT,
    "hostname" TEXT,
    "lastSeenAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Rig_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Gpu" (
    "id" UUID NOT NULL,
    "rigId" UUID NOT NULL,
    "index" INTEGER NOT NULL,
    "uuid" TEXT,
    "pciBusId" TEXT,
    "vendor" "GpuVendor" NOT NULL,
    "model" TEXT NOT NULL,
    "vramMb" INTEGER NOT NULL,
    "currentMode" "GpuMode" NOT NULL DEFAULT 'OFFLINE',
    "desiredMode" "GpuMode" NOT NULL DEFAULT 'IDLE',
    "minerProfileId" UUID,
    "workloadId" UUID,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Gpu_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MinerProfile" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "coin" TEXT NOT NULL,
    "algorithm" TEXT NOT NULL,
    "miner" TEXT NOT NULL,
    "poolUrl" TEXT NOT NULL,
    "wallet" TEXT NOT NULL,
    "worker" TEXT NOT NULL,
    "extraArgs" TEXT[],
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MinerProfile_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AiWorkload" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "customer" TEXT NOT NULL,
    "gpusNeeded" INTEGER NOT NULL,
    "minVramMb" INTEGER NOT NULL,
    "sameRig" BOOLEAN NOT NULL DEFAULT false,
    "expectedHours" DECIMAL(10,2),
    "usdPerGpuHour" DECIMAL(20,8) NOT NULL,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "earliestStart" TIMESTAMPTZ(3),
    "deadline" TIMESTAMPTZ(3),
    "checkpointGraceS" INTEGER NOT NULL DEFAULT 60,
    "image" TEXT,
    "command" TEXT,
    "args" TEXT[],
    "env" JSONB NOT NULL DEFAULT '{}',
    "status" "WorkloadStatus" NOT NULL DEFAULT 'PENDING',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AiWorkload_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Command" (
    "id" UUID NOT NULL,
    "type" "CommandType" NOT NULL,
    "mode" "GpuMode",
    "status" "CommandStatus" NOT NULL DEFAULT 'QUEUED',
    "source" "CommandSource" NOT NULL,
    "createdById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "finishedAt" TIMESTAMPTZ(3),
    "error" TEXT,

    CONSTRAINT "Command_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CommandGpu" (
    "commandId" UUID NOT NULL,
    "gpuId" UUID NOT NULL,
    "rigId" UUID NOT NULL,
    "status" "CommandStatus" NOT NULL DEFAULT 'QUEUED',
    "step" "GpuMode",
    "error" TEXT,
    "minerProfileId" UUID,
    "workloadId" UUID,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "CommandGpu_pkey" PRIMARY KEY ("commandId","gpuId")
);

-- CreateTable
CREATE TABLE "CommandEvent" (
    "id" BIGSERIAL NOT NULL,
    "commandId" UUID NOT NULL,
    "gpuId" UUID,
    "status" "CommandStatus" NOT NULL,
    "step" "GpuMode",
    "message" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CommandEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
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

    CONSTRAINT "TelemetrySample_pkey" PRIMARY KEY ("rigId","seq","gpuIndex")
);

-- CreateTable
CREATE TABLE "MarketQuote" (
    "id" BIGSERIAL NOT NULL,
    "kind" "QuoteKind" NOT NULL,
    "symbol" TEXT NOT NULL,
    "algorithm" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "priceUsd" DECIMAL(30,12) NOT NULL,
    "usdPerHsDay" DECIMAL(38,24),
    "source" TEXT NOT NULL,

    CONSTRAINT "MarketQuote_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LedgerEntry" (
    "id" BIGSERIAL NOT NULL,
    "hourStart" TIMESTAMPTZ(3) NOT NULL,
    "kind" "LedgerKind" NOT NULL,
    "siteId" UUID NOT NULL,
    "rigId" UUID NOT NULL,
    "gpuId" UUID NOT NULL,
    "minutes" DECIMAL(10,4) NOT NULL,
    "quantity" DECIMAL(38,8) NOT NULL,
    "coin" TEXT,
    "workloadId" UUID,
    "amount" DECIMAL(20,8) NOT NULL,
    "currency" VARCHAR(3) NOT NULL,
    "amountUsd" DECIMAL(20,8) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LedgerEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorType" "ActorType" NOT NULL,
    "actorId" TEXT,
    "action" TEXT NOT NULL,
    "targetType" TEXT,
    "targetId" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "Session_tokenHash_key" ON "Session"("tokenHash");

-- CreateIndex
CREATE INDEX "Session_userId_idx" ON "Session"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- CreateIndex
CREATE INDEX "ApiToken_userId_idx" ON "ApiToken"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "Site_name_key" ON "Site"("name");

-- CreateIndex
CREATE INDEX "Tariff_siteId_validFrom_idx" ON "Tariff"("siteId", "validFrom");

-- CreateIndex
CREATE INDEX "TariffWindow_tariffId_idx" ON "TariffWindow"("tariffId");

-- CreateIndex
CREATE UNIQUE INDEX "Rig_enrollmentTokenHash_key" ON "Rig"("enrollmentTokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "Rig_tokenHash_key" ON "Rig"("tokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "Rig_siteId_name_key" ON "Rig"("siteId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Gpu_uuid_key" ON "Gpu"("uuid");

-- CreateIndex
CREATE UNIQUE INDEX "Gpu_rigId_index_key" ON "Gpu"("rigId", "index");

-- CreateIndex
CREATE UNIQUE INDEX "MinerProfile_name_key" ON "MinerProfile"("name");

-- CreateIndex
CREATE INDEX "Command_status_expiresAt_idx" ON "Command"("status", "expiresAt");

-- CreateIndex
CREATE INDEX "CommandGpu_rigId_status_idx" ON "CommandGpu"("rigId", "status");

-- CreateIndex
CREATE INDEX "CommandEvent_commandId_at_idx" ON "CommandEvent"("commandId", "at");

-- CreateIndex
CREATE INDEX "TelemetrySample_at_idx" ON "TelemetrySample" USING BRIN ("at");

-- CreateIndex
CREATE INDEX "TelemetrySample_gpuId_at_idx" ON "TelemetrySample"("gpuId", "at");

-- CreateIndex
CREATE INDEX "MarketQuote_kind_symbol_at_idx" ON "MarketQuote"("kind", "symbol", "at");

-- CreateIndex
CREATE UNIQUE INDEX "MarketQuote_kind_symbol_at_source_key" ON "MarketQuote"("kind", "symbol", "at", "source");

-- CreateIndex
CREATE INDEX "LedgerEntry_hourStart_siteId_idx" ON "LedgerEntry"("hourStart", "siteId");

-- CreateIndex
CREATE UNIQUE INDEX "LedgerEntry_gpuId_hourStart_kind_key" ON "LedgerEntry"("gpuId", "hourStart", "kind");

-- CreateIndex
CREATE INDEX "AuditLog_at_idx" ON "AuditLog"("at");

-- CreateIndex
CREATE INDEX "AuditLog_targetType_targetId_idx" ON "AuditLog"("targetType", "targetId");

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Tariff" ADD CONSTRAINT "Tariff_siteId_fkey" FOREIGN KEY ("siteId") REFERENCES "Site"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TariffWindow" ADD CONSTRAINT "TariffWindow_tariffId_fkey" FOREIGN KEY ("tariffId") REFERENCES "Tariff"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Rig" ADD CONSTRAINT "Rig_siteId_fkey" FOREIGN KEY ("siteId") REFERENCES "Site"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Gpu" ADD CONSTRAINT "Gpu_rigId_fkey" FOREIGN KEY ("rigId") REFERENCES "Rig"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Gpu" ADD CONSTRAINT "Gpu_minerProfileId_fkey" FOREIGN KEY ("minerProfileId") REFERENCES "MinerProfile"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Gpu" ADD CONSTRAINT "Gpu_workloadId_fkey" FOREIGN KEY ("workloadId") REFERENCES "AiWorkload"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Command" ADD CONSTRAINT "Command_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CommandGpu" ADD CONSTRAINT "CommandGpu_commandId_fkey" FOREIGN KEY ("commandId") REFERENCES "Command"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CommandGpu" ADD CONSTRAINT "CommandGpu_gpuId_fkey" FOREIGN KEY ("gpuId") REFERENCES "Gpu"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CommandGpu" ADD CONSTRAINT "CommandGpu_rigId_fkey" FOREIGN KEY ("rigId") REFERENCES "Rig"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CommandGpu" ADD CONSTRAINT "CommandGpu_minerProfileId_fkey" FOREIGN KEY ("minerProfileId") REFERENCES "MinerProfile"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CommandGpu" ADD CONSTRAINT "CommandGpu_workloadId_fkey" FOREIGN KEY ("workloadId") REFERENCES "AiWorkload"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CommandEvent" ADD CONSTRAINT "CommandEvent_commandId_fkey" FOREIGN KEY ("commandId") REFERENCES "Command"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LedgerEntry" ADD CONSTRAINT "LedgerEntry_siteId_fkey" FOREIGN KEY ("siteId") REFERENCES "Site"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LedgerEntry" ADD CONSTRAINT "LedgerEntry_rigId_fkey" FOREIGN KEY ("rigId") REFERENCES "Rig"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LedgerEntry" ADD CONSTRAINT "LedgerEntry_gpuId_fkey" FOREIGN KEY ("gpuId") REFERENCES "Gpu"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LedgerEntry" ADD CONSTRAINT "LedgerEntry_workloadId_fkey" FOREIGN KEY ("workloadId") REFERENCES "AiWorkload"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Ledger entries are immutable books: a correction is a new entry, never an edit.
CREATE FUNCTION "ledger_entry_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'LedgerEntry rows are immutable (% refused)', TG_OP USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER "LedgerEntry_immutable" BEFORE UPDATE OR DELETE ON "LedgerEntry"
  FOR EACH ROW EXECUTE FUNCTION "ledger_entry_immutable"();
CREATE TRIGGER "LedgerEntry_no_truncate" BEFORE TRUNCATE ON "LedgerEntry"
  FOR EACH STATEMENT EXECUTE FUNCTION "ledger_entry_immutable"();
