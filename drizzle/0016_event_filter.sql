ALTER TABLE `destinations` ADD `event_filter` text;--> statement-breakpoint
ALTER TABLE `destinations` ADD `events_seal_kind` text DEFAULT 'events-current' NOT NULL;--> statement-breakpoint
ALTER TABLE `seals` ADD `event_filter` text;--> statement-breakpoint
-- connections that write the 2020 documented lines copy the 'events' seal (lib/db/seal-kinds.ts eventsSealKind)
UPDATE `destinations` SET `events_seal_kind` = 'events' WHERE `line_format` = 'documented';