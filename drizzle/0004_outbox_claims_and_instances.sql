CREATE TABLE `instances` (
	`id` text PRIMARY KEY NOT NULL,
	`started_at` integer NOT NULL,
	`seen_at` integer NOT NULL,
	`last_tick_at` integer
);
--> statement-breakpoint
ALTER TABLE `outbox` ADD `claimed_until` integer;