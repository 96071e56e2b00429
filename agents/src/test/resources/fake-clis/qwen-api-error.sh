#!/bin/sh
# Qwen Code's way of failing: a "successful" result whose text is an API error, and exit code 0.
echo '{"type":"system","subtype":"init","session_id":"9d1c1f4e-qwen","model":"scripted-coder"}'
echo '{"type":"result","subtype":"success","session_id":"9d1c1f4e-qwen","is_error":false,"num_turns":1,"result":"[API Error: 400 status code (no body)]","usage":{"input_tokens":0,"output_tokens":0}}'
exit 0
