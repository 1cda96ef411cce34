ALTER TABLE `export_jobs` DROP COLUMN `cursor_time`;--> statement-breakpoint
ALTER TABLE `export_jobs` DROP COLUMN `cursor_id`;