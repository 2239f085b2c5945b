-- A yes/no field's answer is recorded as 'Yes' or 'No', and an instruction matches the value
-- as recorded: instructions saved before as typed ('yes', 'NO', 'y', 'true', '0') are put in
-- that form, as `sync map` saves them now. Where two spellings of one answer were mapped on a
-- field ('y' and 'yes'), the newest instruction is kept (one instruction per field and value).
DELETE FROM sync_instructions
WHERE id IN (
    SELECT i.id FROM sync_instructions AS i
    JOIN custom_fields AS f ON f.id = i.field_id AND f.kind = 'yesno'
    WHERE lower(i.value) IN ('yes', 'y', 'true', '1', 'no', 'n', 'false', '0')
      AND EXISTS (
        SELECT 1 FROM sync_instructions AS later
        WHERE later.field_id = i.field_id AND later.id > i.id
          AND (lower(later.value) IN ('yes', 'y', 'true', '1'))
            = (lower(i.value) IN ('yes', 'y', 'true', '1'))
          AND lower(later.value) IN ('yes', 'y', 'true', '1', 'no', 'n', 'false', '0')
      )
);
UPDATE sync_instructions
SET value = CASE WHEN lower(value) IN ('yes', 'y', 'true', '1') THEN 'Yes' ELSE 'No' END
WHERE lower(value) IN ('yes', 'y', 'true', '1', 'no', 'n', 'false', '0')
  AND field_id IN (SELECT id FROM custom_fields WHERE kind = 'yesno');
