-- Calls that came through the gateway: the public id of the key the client presented (never its
-- secret) and the wire the client spoke (openai-chat, openai-responses, anthropic, gemini). Empty
-- for ensemble's own calls and for every row from before this column.
ALTER TABLE model_calls ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE model_calls ADD COLUMN client_wire TEXT NOT NULL DEFAULT '';
CREATE INDEX model_calls_key_id ON model_calls (key_id);
