-- CreateTable
CREATE TABLE "TelemetryGap" (
    "rigId" UUID NOT NULL,
    "fromSeq" BIGINT NOT NULL,
    "toSeq" BIGINT NOT NULL,
    "from" TIMESTAMPTZ(3) NOT NULL,
    "to" TIMESTAMPTZ(3) NOT NULL,
    "dropped" INTEGER NOT NULL,
    "reportedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TelemetryGap_pkey" PRIMARY KEY ("rigId","fromSeq")
);

-- CreateIndex
CREATE INDEX "TelemetryGap_rigId_from_idx" ON "TelemetryGap"("rigId", "from");
