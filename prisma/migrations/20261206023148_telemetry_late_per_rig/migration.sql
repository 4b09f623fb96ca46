-- Late marks become one row per rig, widened by each late batch, instead of a row per batch: a fleet
-- whose clocks lag the gateway's would otherwise add a row per rig and batch faster than the minute
-- job folds them. Marks already there merge into their rig's span.
CREATE TEMP TABLE "TelemetryLate_merged" AS
SELECT "rigId", min("from") AS "from", max("to") AS "to", min("markedAt") AS "markedAt"
FROM "TelemetryLate" GROUP BY "rigId";

DELETE FROM "TelemetryLate";

-- AlterTable
ALTER TABLE "TelemetryLate" DROP CONSTRAINT "TelemetryLate_pkey",
DROP COLUMN "id",
ADD CONSTRAINT "TelemetryLate_pkey" PRIMARY KEY ("rigId");

INSERT INTO "TelemetryLate" ("rigId", "from", "to", "markedAt")
SELECT "rigId", "from", "to", "markedAt" FROM "TelemetryLate_merged";

DROP TABLE "TelemetryLate_merged";
