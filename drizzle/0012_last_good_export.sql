ALTER TABLE `export_jobs` ADD `good_events` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `export_jobs` ADD `good_bytes` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `export_jobs` ADD `good_parts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- what done hours left in the bucket is what they count now; an hour being exported again keeps what its run counted so far (the earlier counts are gone)
UPDATE `export_jobs` SET `good_events` = `events`, `good_bytes` = `bytes`, `good_parts` = `parts_done` WHERE `finished_at` IS NOT NULL;
