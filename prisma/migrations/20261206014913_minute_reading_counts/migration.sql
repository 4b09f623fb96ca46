-- Per-reading sample counts on minutes, so hours can be summed from them with exact averages.
-- AlterTable
ALTER TABLE "TelemetryMinute" ADD COLUMN     "fanPctCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "hashrateHsCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "powerWCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "tempCCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "utilPctCount" INTEGER NOT NULL DEFAULT 0;

-- Minutes folded before these columns: every sample of the bucket is taken to have had the reading
-- its average shows (the fold cannot tell any more). A re-fold writes the true counts.
UPDATE "TelemetryMinute" SET
    "hashrateHsCount" = CASE WHEN "hashrateHsAvg" IS NULL THEN 0 ELSE "samples" END,
    "tempCCount" = CASE WHEN "tempCAvg" IS NULL THEN 0 ELSE "samples" END,
    "powerWCount" = CASE WHEN "powerWAvg" IS NULL THEN 0 ELSE "samples" END,
    "fanPctCount" = CASE WHEN "fanPctAvg" IS NULL THEN 0 ELSE "samples" END,
    "utilPctCount" = CASE WHEN "utilPctAvg" IS NULL THEN 0 ELSE "samples" END;
