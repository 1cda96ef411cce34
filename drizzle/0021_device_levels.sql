CREATE TABLE `device_levels` (
	`level` integer PRIMARY KEY NOT NULL,
	`keys` integer DEFAULT 0 NOT NULL,
	`after_project` integer DEFAULT -1 NOT NULL,
	`after_key` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE `devices_l0` (
	`project_id` integer NOT NULL,
	`device_id` text NOT NULL,
	`amplitude_id` integer NOT NULL,
	PRIMARY KEY(`project_id`, `device_id`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `devices_l1` (
	`project_id` integer NOT NULL,
	`device_id` text NOT NULL,
	`amplitude_id` integer NOT NULL,
	PRIMARY KEY(`project_id`, `device_id`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `devices_l2` (
	`project_id` integer NOT NULL,
	`device_id` text NOT NULL,
	`amplitude_id` integer NOT NULL,
	PRIMARY KEY(`project_id`, `device_id`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `device_levels` (`level`, `keys`) VALUES (0, 0), (1, 0), (2, 0);
