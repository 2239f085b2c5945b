-- A yes/no field's answer is recorded as 'Yes' or 'No', and an instruction matches the value
-- as recorded: instructions saved before as typed ('yes', 'NO', 'y', 'true', '0') are put in
-- that form, as `sync map` saves them now.
UPDATE sync_instructions
SET value = CASE WHEN lower(value) IN ('yes', 'y', 'true', '1') THEN 'Yes' ELSE 'No' END
WHERE lower(value) IN ('yes', 'y', 'true', '1', 'no', 'n', 'false', '0')
  AND field_id IN (SELECT id FROM custom_fields WHERE kind = 'yesno');
