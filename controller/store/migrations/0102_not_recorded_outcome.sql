-- The automatic outcome of a conversation whose report never came ("Not Recorded") is one
-- of the Call Outcome field's options, so CRM sync instructions can map it.
UPDATE custom_fields
SET options = json_insert(options, '$[#]', 'Not Recorded')
WHERE name = 'Call Outcome' AND builtin = 1
  AND NOT EXISTS (SELECT 1 FROM json_each(custom_fields.options) WHERE value = 'Not Recorded');
