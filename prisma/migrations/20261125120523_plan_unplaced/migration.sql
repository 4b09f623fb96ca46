-- AlterTable
ALTER TABLE "Plan" ADD COLUMN     "unplaced" JSONB NOT NULL DEFAULT '[]';
