-- Compact event rows (lib/ingest/event-rows.ts, lib/db/event-layout.ts): what needs only the event in
-- one `rec` value, times as differences, the uuid as 16 bytes, `data` as flags; `events` becomes a view
-- with the old columns. devices lose last_user_id (its amplitude_id's user_id) and their rowid;
-- insert_ids become dedupe_ids keyed by a hash, filled from insert_ids at start (lib/db/dedupe-key.ts),
-- which hashes in JavaScript.
CREATE TABLE `event_rows` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`server_upload_time` integer NOT NULL,
	`amplitude_id` integer NOT NULL,
	`user_id` text,
	`device_id` text,
	`received_ago` integer DEFAULT 0 NOT NULL,
	`user_created` integer,
	`flags` integer DEFAULT 0 NOT NULL,
	`merged_amplitude_id` integer,
	`user_properties` text NOT NULL,
	`group_properties` text,
	`event_properties` blob NOT NULL,
	`uuid` blob NOT NULL,
	`rec` text NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `event_rows` SELECT
	`id`, `project_id`, `server_upload_time`, `amplitude_id`, `user_id`, `device_id`,
	`server_upload_time` - `server_received_time`,
	`event_time` - `user_creation_time`,
	(CASE WHEN json_extract(`data`, '$.first_event') THEN 1 ELSE 0 END)
		| (CASE WHEN json_extract(`data`, '$.user_properties_updated') THEN 2 ELSE 0 END)
		| ((CASE json_extract(`data`, '$.path') WHEN '/2/httpapi' THEN 0 WHEN '/batch' THEN 1 WHEN '/' THEN 2 WHEN '/httpapi' THEN 3 WHEN '/identify' THEN 4 WHEN '/groupidentify' THEN 5 ELSE 0 END) << 2)
		| ((CASE `paying` WHEN 1 THEN 2 WHEN 0 THEN 1 ELSE 0 END) << 5)
		| ((CASE `is_attribution_event` WHEN 1 THEN 2 WHEN 0 THEN 1 ELSE 0 END) << 7),
	json_extract(`data`, '$.merged_amplitude_id'),
	`user_properties`,
	nullif(`group_properties`, '{}'),
	`event_properties`,
	coalesce(unhex(replace(`uuid`, '-', '')), randomblob(16)),
	-- trailing nulls dropped: a present value ends in a quote, a brace or a digit, never in these characters
	rtrim(json_quote(`event_type`) || char(1) || `session_id` || char(1) || (`client_event_time` - `server_received_time`) || char(1) || (`event_time` - `server_received_time`) || char(1) || coalesce(`client_upload_time` - `server_received_time`, 'null') || char(1) || json_quote(`insert_id`) || char(1) || coalesce(nullif(`event_id`, `id`), 'null') || char(1) || coalesce(nullif(`groups`, '{}'), 'null') || char(1) || json_quote(`ip_address`) || char(1) || json_quote(`platform`) || char(1) || json_quote(`os_name`) || char(1) || json_quote(`os_version`) || char(1) || json_quote(`device_model`) || char(1) || json_quote(`language`) || char(1) || json_quote(`version_name`) || char(1) || json_quote(`library`) || char(1) || json_quote(`country`) || char(1) || json_quote(`region`) || char(1) || json_quote(`city`) || char(1) || json_quote(`device_manufacturer`) || char(1) || json_quote(`device_brand`) || char(1) || json_quote(`device_type`) || char(1) || json_quote(`device_family`) || char(1) || json_quote(`device_carrier`) || char(1) || json_quote(`dma`) || char(1) || json_quote(`start_version`) || char(1) || json_quote(`location_lat`) || char(1) || json_quote(`location_lng`) || char(1) || json_quote(`idfa`) || char(1) || json_quote(`adid`) || char(1) || json_quote(`amplitude_attribution_ids`), char(1) || 'nul')
FROM `events`;
--> statement-breakpoint
DROP TABLE `events`;
--> statement-breakpoint
CREATE INDEX `event_rows_project_hour` ON `event_rows` (`project_id`,`server_upload_time`,`id`);
--> statement-breakpoint
CREATE VIEW `events` AS SELECT
	e.`id` AS `id`,
	e.`project_id` AS `project_id`,
	coalesce(json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[6]'), e.`id`) AS `event_id`,
	lower(substr(hex(e.`uuid`), 1, 8) || '-' || substr(hex(e.`uuid`), 9, 4) || '-' || substr(hex(e.`uuid`), 13, 4) || '-' || substr(hex(e.`uuid`), 17, 4) || '-' || substr(hex(e.`uuid`), 21, 12)) AS `uuid`,
	json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[0]') AS `event_type`,
	CASE WHEN substr(json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[0]'), 1, 1) = '$' THEN json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[0]') END AS `amplitude_event_type`,
	e.`amplitude_id` AS `amplitude_id`,
	e.`user_id` AS `user_id`,
	e.`device_id` AS `device_id`,
	json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[1]') AS `session_id`,
	json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[5]') AS `insert_id`,
	(e.`server_upload_time` - e.`received_ago`) AS `server_received_time`,
	e.`server_upload_time` AS `server_upload_time`,
	e.`server_upload_time` AS `processed_time`,
	(e.`server_upload_time` - e.`received_ago`) + json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[4]') AS `client_upload_time`,
	(e.`server_upload_time` - e.`received_ago`) + json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[2]') AS `client_event_time`,
	(e.`server_upload_time` - e.`received_ago`) + json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[3]') AS `event_time`,
	(e.`server_upload_time` - e.`received_ago`) + json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[3]') - e.`user_created` AS `user_creation_time`,
	json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[8]') AS `ip_address`,
	json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[9]') AS `platform`,
	json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[10]') AS `os_name`,
	json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[11]') AS `os_version`,
	json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[12]') AS `device_model`,
	json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[13]') AS `language`,
	json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[14]') AS `version_name`,
	json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[15]') AS `library`,
	json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[16]') AS `country`,
	json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[17]') AS `region`,
	json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[18]') AS `city`,
	json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[19]') AS `device_manufacturer`,
	json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[20]') AS `device_brand`,
	json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[21]') AS `device_type`,
	json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[22]') AS `device_family`,
	json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[23]') AS `device_carrier`,
	json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[24]') AS `dma`,
	json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[25]') AS `start_version`,
	cast(json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[26]') AS real) AS `location_lat`,
	cast(json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[27]') AS real) AS `location_lng`,
	json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[28]') AS `idfa`,
	json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[29]') AS `adid`,
	json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[30]') AS `amplitude_attribution_ids`,
	CASE (e.`flags` >> 5) & 3 WHEN 2 THEN 1 WHEN 1 THEN 0 END AS `paying`,
	CASE (e.`flags` >> 7) & 3 WHEN 2 THEN 1 WHEN 1 THEN 0 END AS `is_attribution_event`,
	e.`event_properties` AS `event_properties`,
	e.`user_properties` AS `user_properties`,
	coalesce(json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[7]'), '{}') AS `groups`,
	coalesce(e.`group_properties`, '{}') AS `group_properties`,
	'{"path":' || json_quote(CASE (e.`flags` >> 2) & 7 WHEN 0 THEN '/2/httpapi' WHEN 1 THEN '/batch' WHEN 2 THEN '/' WHEN 3 THEN '/httpapi' WHEN 4 THEN '/identify' WHEN 5 THEN '/groupidentify' END)
		|| CASE WHEN e.`flags` & 1 THEN ',"first_event":true' ELSE '' END
		|| CASE WHEN e.`flags` & 2 THEN ',"user_properties_updated":true' ELSE '' END
		|| CASE WHEN e.`merged_amplitude_id` IS NOT NULL THEN ',"merged_amplitude_id":' || e.`merged_amplitude_id` ELSE '' END
		|| ',"group_first_event":{},"group_ids":{}}' AS `data`
FROM `event_rows` e;
--> statement-breakpoint
CREATE TABLE `devices_compact` (
	`project_id` integer NOT NULL,
	`device_id` text NOT NULL,
	`amplitude_id` integer NOT NULL,
	PRIMARY KEY(`project_id`, `device_id`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `devices_compact` SELECT `project_id`, `device_id`, `amplitude_id` FROM `devices`;
--> statement-breakpoint
DROP TABLE `devices`;
--> statement-breakpoint
ALTER TABLE `devices_compact` RENAME TO `devices`;
--> statement-breakpoint
CREATE TABLE `dedupe_ids` (
	`project_id` integer NOT NULL,
	`key` blob NOT NULL,
	`seen_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `key`)
) WITHOUT ROWID;
