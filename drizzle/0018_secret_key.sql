ALTER TABLE `projects` ADD `secret_key_hash` text;--> statement-breakpoint
ALTER TABLE `projects` ADD `secret_key_created_at` integer;