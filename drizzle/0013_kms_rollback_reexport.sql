ALTER TABLE `kms_migrations` ADD `reencrypted_from` integer;--> statement-breakpoint
ALTER TABLE `kms_migrations` ADD `reencrypted_to` integer;--> statement-breakpoint
ALTER TABLE `kms_migrations` ADD `reexport_backfill_id` integer;