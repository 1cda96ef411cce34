-- Sealed hours (lib/jobs/seal.ts): each closed hour's canonical files, built once and kept as history.
CREATE TABLE `sealed_chunks` (
	`part_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`data` blob NOT NULL,
	PRIMARY KEY(`part_id`, `seq`),
	FOREIGN KEY (`part_id`) REFERENCES `sealed_parts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `sealed_parts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`kind` text NOT NULL,
	`hour` integer NOT NULL,
	`generation` integer NOT NULL,
	`part` integer NOT NULL,
	`lines` integer NOT NULL,
	`raw_bytes` integer NOT NULL,
	`bytes` integer NOT NULL,
	`sha256` text NOT NULL,
	`location` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`project_id`,`kind`,`hour`) REFERENCES `seals`(`project_id`,`kind`,`hour`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sealed_parts_part` ON `sealed_parts` (`project_id`,`kind`,`hour`,`generation`,`part`);--> statement-breakpoint
CREATE TABLE `seals` (
	`project_id` integer NOT NULL,
	`kind` text NOT NULL,
	`hour` integer NOT NULL,
	`state` text NOT NULL,
	`generation` integer DEFAULT 1 NOT NULL,
	`part_bytes` integer NOT NULL,
	`parts` integer DEFAULT 0 NOT NULL,
	`lines` integer DEFAULT 0 NOT NULL,
	`raw_bytes` integer DEFAULT 0 NOT NULL,
	`bytes` integer DEFAULT 0 NOT NULL,
	`cursor_time` integer,
	`cursor_id` integer,
	`lease_owner` text,
	`lease_until` integer,
	`rows_deleted` integer DEFAULT false NOT NULL,
	`sealed_at` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `kind`, `hour`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
ALTER TABLE `export_jobs` ADD `seal_generation` integer;
--> statement-breakpoint
ALTER TABLE `projects` ADD `sealed_until` integer;