-- DropIndex
DROP INDEX "TelemetrySample_gpuId_at_idx";
