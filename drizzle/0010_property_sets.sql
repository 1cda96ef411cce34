CREATE TABLE `property_sets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`json` text NOT NULL,
	`last_used` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `property_sets_last_used` ON `property_sets` (`project_id`,`last_used`);--> statement-breakpoint
ALTER TABLE `amplitude_users` ADD `props_set` integer;--> statement-breakpoint
CREATE INDEX `amplitude_users_props_set` ON `amplitude_users` (`props_set`) WHERE props_set is not null;--> statement-breakpoint
ALTER TABLE `event_rows` ADD `user_props_set` integer;--> statement-breakpoint
ALTER TABLE `event_rows` ADD `group_sets` text;--> statement-breakpoint
ALTER TABLE `groups` ADD `props_set` integer;--> statement-breakpoint
CREATE INDEX `groups_props_set` ON `groups` (`props_set`) WHERE props_set is not null;--> statement-breakpoint
DROP VIEW `events`;--> statement-breakpoint
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
	iif(e.`user_props_set` IS NULL, e.`user_properties`, (SELECT p.`json` FROM `property_sets` p WHERE p.`id` = e.`user_props_set`)) AS `user_properties`,
	coalesce(json_extract('[' || replace(e.`rec`, char(1), ',') || ']', '$[7]'), '{}') AS `groups`,
	coalesce(iif(e.`group_sets` IS NULL, e.`group_properties`, (SELECT json_group_object(t, json(o)) FROM (SELECT g.value ->> 0 AS t, json_group_object(g.value ->> 1, json(p.`json`)) AS o FROM json_each(e.`group_sets`) g JOIN `property_sets` p ON p.`id` = g.value ->> 2 GROUP BY 1 ORDER BY min(g.key)))), '{}') AS `group_properties`,
	'{"path":' || json_quote(CASE (e.`flags` >> 2) & 7 WHEN 0 THEN '/2/httpapi' WHEN 1 THEN '/batch' WHEN 2 THEN '/' WHEN 3 THEN '/httpapi' WHEN 4 THEN '/identify' WHEN 5 THEN '/groupidentify' END)
		|| CASE WHEN e.`flags` & 1 THEN ',"first_event":true' ELSE '' END
		|| CASE WHEN e.`flags` & 2 THEN ',"user_properties_updated":true' ELSE '' END
		|| CASE WHEN e.`merged_amplitude_id` IS NOT NULL THEN ',"merged_amplitude_id":' || e.`merged_amplitude_id` ELSE '' END
		|| ',"group_first_event":{},"group_ids":{}}' AS `data`
FROM `event_rows` e;
