CREATE TABLE `alarms` (
	`destination_id` integer PRIMARY KEY NOT NULL,
	`job_id` integer,
	`permission` text,
	`message` text NOT NULL,
	`raised_at` integer NOT NULL,
	FOREIGN KEY (`destination_id`) REFERENCES `destinations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `amplitude_users` (
	`amplitude_id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`user_id` text,
	`created_time` integer NOT NULL,
	`user_properties` text DEFAULT '{}' NOT NULL,
	`merged_into` integer,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `amplitude_users_user` ON `amplitude_users` (`project_id`,`user_id`);--> statement-breakpoint
CREATE TABLE `backfills` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`destination_id` integer NOT NULL,
	`requested_by` integer,
	`from_hour` integer NOT NULL,
	`to_hour` integer NOT NULL,
	`next_hour` integer NOT NULL,
	`state` text DEFAULT 'running' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`destination_id`) REFERENCES `destinations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`requested_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE TABLE `destinations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`project_id` integer NOT NULL,
	`created_by` integer,
	`name` text DEFAULT 'Amazon S3' NOT NULL,
	`export_events` integer DEFAULT true NOT NULL,
	`export_merged` integer DEFAULT false NOT NULL,
	`aws_account_id` text,
	`bucket` text NOT NULL,
	`region` text DEFAULT 'us-east-1' NOT NULL,
	`prefix` text DEFAULT '' NOT NULL,
	`endpoint` text DEFAULT '' NOT NULL,
	`force_path_style` integer DEFAULT false NOT NULL,
	`kms_key_arn` text,
	`role_arn` text,
	`access_key_id` text,
	`secret_access_key_enc` text,
	`enabled` integer DEFAULT true NOT NULL,
	`disabled_at` integer,
	`start_hour` integer NOT NULL,
	`planned_until` integer NOT NULL,
	`verified_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `destinations_project` ON `destinations` (`project_id`);--> statement-breakpoint
CREATE INDEX `destinations_bucket` ON `destinations` (`endpoint`,`bucket`);--> statement-breakpoint
CREATE TABLE `devices` (
	`project_id` integer NOT NULL,
	`device_id` text NOT NULL,
	`amplitude_id` integer NOT NULL,
	`last_user_id` text,
	PRIMARY KEY(`project_id`, `device_id`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`event_id` integer NOT NULL,
	`uuid` text NOT NULL,
	`event_type` text NOT NULL,
	`amplitude_event_type` text,
	`amplitude_id` integer NOT NULL,
	`user_id` text,
	`device_id` text,
	`session_id` integer DEFAULT -1 NOT NULL,
	`insert_id` text,
	`server_received_time` integer NOT NULL,
	`server_upload_time` integer NOT NULL,
	`processed_time` integer NOT NULL,
	`client_upload_time` integer,
	`client_event_time` integer NOT NULL,
	`event_time` integer NOT NULL,
	`user_creation_time` integer,
	`version_name` text,
	`start_version` text,
	`platform` text,
	`os_name` text,
	`os_version` text,
	`device_brand` text,
	`device_manufacturer` text,
	`device_model` text,
	`device_family` text,
	`device_type` text,
	`device_carrier` text,
	`country` text,
	`region` text,
	`city` text,
	`dma` text,
	`language` text,
	`location_lat` real,
	`location_lng` real,
	`ip_address` text,
	`library` text,
	`idfa` text,
	`adid` text,
	`paying` integer,
	`is_attribution_event` integer,
	`amplitude_attribution_ids` text,
	`event_properties` text DEFAULT '{}' NOT NULL,
	`user_properties` text DEFAULT '{}' NOT NULL,
	`groups` text DEFAULT '{}' NOT NULL,
	`group_properties` text DEFAULT '{}' NOT NULL,
	`data` text DEFAULT '{}' NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `events_project_hour` ON `events` (`project_id`,`server_upload_time`,`id`);--> statement-breakpoint
CREATE TABLE `export_jobs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`destination_id` integer NOT NULL,
	`kind` text NOT NULL,
	`hour` integer NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`origin` text DEFAULT 'hourly' NOT NULL,
	`backfill_id` integer,
	`due_at` integer NOT NULL,
	`lease_owner` text,
	`lease_until` integer,
	`tries` integer DEFAULT 0 NOT NULL,
	`parts_done` integer DEFAULT 0 NOT NULL,
	`cursor_time` integer,
	`cursor_id` integer,
	`events` integer DEFAULT 0 NOT NULL,
	`bytes` integer DEFAULT 0 NOT NULL,
	`raw_bytes` integer DEFAULT 0 NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	`duration_ms` integer,
	`error_kind` text,
	`error_permission` text,
	`error_message` text,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`destination_id`) REFERENCES `destinations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `export_jobs_unique` ON `export_jobs` (`destination_id`,`kind`,`hour`);--> statement-breakpoint
CREATE INDEX `export_jobs_due` ON `export_jobs` (`state`,`due_at`);--> statement-breakpoint
CREATE TABLE `exported_files` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`job_id` integer NOT NULL,
	`part` integer NOT NULL,
	`key` text NOT NULL,
	`events` integer NOT NULL,
	`bytes` integer NOT NULL,
	`raw_bytes` integer NOT NULL,
	`etag` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`job_id`) REFERENCES `export_jobs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `exported_files_part` ON `exported_files` (`job_id`,`part`);--> statement-breakpoint
CREATE TABLE `groups` (
	`project_id` integer NOT NULL,
	`group_type` text NOT NULL,
	`group_name` text NOT NULL,
	`properties` text DEFAULT '{}' NOT NULL,
	PRIMARY KEY(`project_id`, `group_type`, `group_name`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `insert_ids` (
	`project_id` integer NOT NULL,
	`id_key` text NOT NULL,
	`insert_id` text NOT NULL,
	`seen_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `id_key`, `insert_id`)
);
--> statement-breakpoint
CREATE TABLE `invitations` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`org_id` integer NOT NULL,
	`email` text NOT NULL,
	`role` text NOT NULL,
	`invited_by` integer,
	`expires_at` integer NOT NULL,
	`accepted_at` integer,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`invited_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE TABLE `merges` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`scope` integer NOT NULL,
	`merge_time` integer NOT NULL,
	`merge_server_time` integer NOT NULL,
	`amplitude_id` integer NOT NULL,
	`merged_amplitude_id` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `merges_project_hour` ON `merges` (`project_id`,`merge_server_time`,`id`);--> statement-breakpoint
CREATE TABLE `organizations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`destination_id` integer,
	`job_id` integer,
	`recipients` text NOT NULL,
	`subject` text NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL,
	`sent_at` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `outbox_unsent` ON `outbox` (`sent_at`);--> statement-breakpoint
CREATE TABLE `projects` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`name` text NOT NULL,
	`is_portfolio` integer DEFAULT false NOT NULL,
	`api_key` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `projects_api_key` ON `projects` (`api_key`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id_hash` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_user` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`email` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`password_hash` text,
	`role` text DEFAULT 'member' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email` ON `users` (`email`);