-- CreateTable
CREATE TABLE "RollupCoverage" (
    "unit" TEXT NOT NULL,
    "from" TIMESTAMPTZ(3) NOT NULL,
    "to" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "RollupCoverage_pkey" PRIMARY KEY ("unit")
);
