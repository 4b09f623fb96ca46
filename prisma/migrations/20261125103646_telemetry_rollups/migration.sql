-- CreateTable
CREATE TABLE "TelemetryMinute" (
    "gpuId" UUID NOT NULL,
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "rigId" UUID NOT NULL,
    "samples" INTEGER NOT NULL,
    "hashrateHsMin" DOUBLE PRECISION,
    "hashrateHsMax" DOUBLE PRECISION,
    "hashrateHsAvg" DOUBLE PRECISION,
    "tempCMin" DOUBLE PRECISION,
    "tempCMax" DOUBLE PRECISION,
    "tempCAvg" DOUBLE PRECISION,
    "powerWMin" DOUBLE PRECISION,
    "powerWMax" DOUBLE PRECISION,
    "powerWAvg" DOUBLE PRECISION,
    "fanPctMin" DOUBLE PRECISION,
    "fanPctMax" DOUBLE PRECISION,
    "fanPctAvg" DOUBLE PRECISION,
    "utilPctMin" DOUBLE PRECISION,
    "utilPctMax" DOUBLE PRECISION,
    "utilPctAvg" DOUBLE PRECISION,
    "modeSeconds" JSONB NOT NULL,
    "hashes" DOUBLE PRECISION NOT NULL,
    "energyWh" DOUBLE PRECISION NOT NULL,
    "foldedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TelemetryMinute_pkey" PRIMARY KEY ("gpuId","bucket")
);

-- CreateTable
CREATE TABLE "TelemetryHour" (
    "gpuId" UUID NOT NULL,
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "rigId" UUID NOT NULL,
    "samples" INTEGER NOT NULL,
    "hashrateHsMin" DOUBLE PRECISION,
    "hashrateHsMax" DOUBLE PRECISION,
    "hashrateHsAvg" DOUBLE PRECISION,
    "tempCMin" DOUBLE PRECISION,
    "tempCMax" DOUBLE PRECISION,
    "tempCAvg" DOUBLE PRECISION,
    "powerWMin" DOUBLE PRECISION,
    "powerWMax" DOUBLE PRECISION,
    "powerWAvg" DOUBLE PRECISION,
    "fanPctMin" DOUBLE PRECISION,
    "fanPctMax" DOUBLE PRECISION,
    "fanPctAvg" DOUBLE PRECISION,
    "utilPctMin" DOUBLE PRECISION,
    "utilPctMax" DOUBLE PRECISION,
    "utilPctAvg" DOUBLE PRECISION,
    "modeSeconds" JSONB NOT NULL,
    "hashes" DOUBLE PRECISION NOT NULL,
    "energyWh" DOUBLE PRECISION NOT NULL,
    "foldedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TelemetryHour_pkey" PRIMARY KEY ("gpuId","bucket")
);

-- CreateIndex
CREATE INDEX "TelemetryMinute_bucket_idx" ON "TelemetryMinute"("bucket");

-- CreateIndex
CREATE INDEX "TelemetryHour_bucket_idx" ON "TelemetryHour"("bucket");
