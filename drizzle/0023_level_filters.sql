CREATE TABLE `level_filters` (
	`book` text PRIMARY KEY NOT NULL,
	`token` integer NOT NULL,
	`keys` integer NOT NULL,
	`bits` blob NOT NULL
);
