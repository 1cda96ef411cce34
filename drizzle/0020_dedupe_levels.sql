CREATE TABLE `dedupe_l0` (
	`project_id` integer NOT NULL,
	`key` blob NOT NULL,
	`seen_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `key`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `dedupe_l1` (
	`project_id` integer NOT NULL,
	`key` blob NOT NULL,
	`seen_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `key`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `dedupe_l2` (
	`project_id` integer NOT NULL,
	`key` blob NOT NULL,
	`seen_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `key`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `dedupe_levels` (
	`level` integer PRIMARY KEY NOT NULL,
	`keys` integer DEFAULT 0 NOT NULL,
	`after_project` integer DEFAULT -1 NOT NULL,
	`after_key` blob DEFAULT x'' NOT NULL
);
--> statement-breakpoint
INSERT INTO `dedupe_levels` (`level`, `keys`) VALUES (0, 0), (1, 0), (2, 0);
