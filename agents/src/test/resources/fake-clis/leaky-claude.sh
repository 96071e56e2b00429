#!/bin/sh
# A claude that repeats its key in every kind of event: ensemble must mask it everywhere.
k="$ANTHROPIC_API_KEY"
echo "{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"leak-1\"}"
echo "{\"type\":\"assistant\",\"session_id\":\"leak-1\",\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"my key is $k\"},{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"Bash\",\"input\":{\"command\":\"echo $k\"}}]}}"
echo "{\"type\":\"user\",\"session_id\":\"leak-1\",\"message\":{\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t1\",\"content\":\"$k\"}]}}"
echo "raw line with $k"
echo "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"session_id\":\"leak-1\",\"result\":\"done, key $k\",\"total_cost_usd\":0.01,\"usage\":{\"input_tokens\":10,\"output_tokens\":2}}"
echo "stderr has $k too" >&2
exit 4
