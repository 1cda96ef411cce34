CREATE TABLE `kms_migrations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`old_destination_id` integer,
	`new_destination_id` integer,
	`old_summary` text NOT NULL,
	`policy_backup` text,
	`ticked` text DEFAULT '[]' NOT NULL,
	`state` text DEFAULT 'open' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`old_destination_id`) REFERENCES `destinations`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`new_destination_id`) REFERENCES `destinations`(`id`) ON UPDATE no action ON DELETE set null
);
