ALTER TABLE `destinations` ADD `write_manifest` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `exported_files` ADD `sha256` text;