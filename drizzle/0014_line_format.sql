ALTER TABLE `destinations` ADD `line_format` text DEFAULT 'current' NOT NULL;--> statement-breakpoint
-- connections made before there was a choice keep the layout their readers' tables were built on
UPDATE `destinations` SET `line_format` = 'documented';
