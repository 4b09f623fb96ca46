-- CreateTable
CREATE TABLE "TelemetryLate" (
    "id" BIGSERIAL NOT NULL,
    "rigId" UUID NOT NULL,
    "from" TIMESTAMPTZ(3) NOT NULL,
    "to" TIMESTAMPTZ(3) NOT NULL,
    "markedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TelemetryLate_pkey" PRIMARY KEY ("id")
);
