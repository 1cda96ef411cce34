ALTER TABLE `destinations` ADD `integrity_checked_at` integer;--> statement-breakpoint
ALTER TABLE `export_jobs` ADD `repaired_at` integer;--> statement-breakpoint
ALTER TABLE `export_jobs` ADD `integrity_issue` text;