-- Rollups are derived from the raw samples: the old rows (one per GPU and bucket, with no coin or
-- workload) cannot be split into the new rows, so they go, and the rollup job folds again what
-- raw retention still holds (a backfill job: {"unit":"minute"|"hour","from":…,"to":…}).
TRUNCATE "TelemetryMinute", "TelemetryHour";

-- AlterTable
ALTER TABLE "TelemetryHour" DROP CONSTRAINT "TelemetryHour_pkey",
DROP COLUMN "modeSeconds",
ADD COLUMN     "coin" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "firstAt" TIMESTAMPTZ(3) NOT NULL,
ADD COLUMN     "mode" "GpuMode" NOT NULL,
ADD COLUMN     "seconds" DECIMAL(12,3) NOT NULL,
ADD COLUMN     "workloadId" TEXT NOT NULL DEFAULT '',
ALTER COLUMN "hashes" SET DATA TYPE DECIMAL(38,12),
ALTER COLUMN "energyWh" SET DATA TYPE DECIMAL(30,15),
ADD CONSTRAINT "TelemetryHour_pkey" PRIMARY KEY ("gpuId", "bucket", "mode", "coin", "workloadId");

-- AlterTable
ALTER TABLE "TelemetryMinute" DROP CONSTRAINT "TelemetryMinute_pkey",
DROP COLUMN "modeSeconds",
ADD COLUMN     "coin" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "firstAt" TIMESTAMPTZ(3) NOT NULL,
ADD COLUMN     "mode" "GpuMode" NOT NULL,
ADD COLUMN     "seconds" DECIMAL(12,3) NOT NULL,
ADD COLUMN     "workloadId" TEXT NOT NULL DEFAULT '',
ALTER COLUMN "hashes" SET DATA TYPE DECIMAL(38,12),
ALTER COLUMN "energyWh" SET DATA TYPE DECIMAL(30,15),
ADD CONSTRAINT "TelemetryMinute_pkey" PRIMARY KEY ("gpuId", "bucket", "mode", "coin", "workloadId");
