// Drives the official OpenAI and Anthropic client libraries against a base URL and prints, as one
// JSON line, what each client saw: text, tool calls, usage, and the model header. Used by the
// gateway's client-library tests (GatewayClientLibrariesTest) with the libraries installed by
// .ci/install-gateway-clients.sh; NODE_PATH points at that install.
//
//   node clients.mjs <scenario> <baseUrl> <apiKey> <model>
//
// scenarios: openai-chat, openai-chat-stream-tool, openai-responses-stream, anthropic, anthropic-stream-tool
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const OpenAI = require("openai").default;
const Anthropic = require("@anthropic-ai/sdk").default;

const [scenario, baseURL, apiKey, model] = process.argv.slice(2);
const weather = {
  name: "get_weather",
  description: "Weather for a city",
  schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

async function openaiChat() {
  const client = new OpenAI({ baseURL: baseURL + "/v1", apiKey, maxRetries: 0 });
  const { data, response } = await client.chat.completions
    .create({ model, messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Say hello" }] })
    .withResponse();
  const choice = data.choices[0];
  return { text: choice.message.content, finish: choice.finish_reason, usage: data.usage,
           model: response.headers.get("x-ensemble-model") };
}

async function openaiChatStreamTool() {
  const client = new OpenAI({ baseURL: baseURL + "/v1", apiKey, maxRetries: 0 });
  const { data: stream, response } = await client.chat.completions.create({
    model, stream: true, stream_options: { include_usage: true },
    messages: [{ role: "user", content: "What is the weather in Paris?" }],
    tools: [{ type: "function", function: { name: weather.name, description: weather.description, parameters: weather.schema } }],
  }).withResponse();
  let text = "", finish = null, usage = null;
  const calls = {};
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      if (choice.delta?.content) text += choice.delta.content;
      for (const call of choice.delta?.tool_calls ?? []) {
        const c = (calls[call.index] ??= { id: "", name: "", arguments: "" });
        if (call.id) c.id = call.id;
        if (call.function?.name) c.name += call.function.name;
        if (call.function?.arguments) c.arguments += call.function.arguments;
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    }
  }
  return { text, finish, usage, toolCalls: Object.values(calls), model: response.headers.get("x-ensemble-model") };
}

async function openaiResponsesStream() {
  const client = new OpenAI({ baseURL: baseURL + "/v1", apiKey, maxRetries: 0 });
  const stream = await client.responses.create({
    model, stream: true, input: "What is the weather in Paris?",
    tools: [{ type: "function", name: weather.name, description: weather.description, parameters: weather.schema }],
  });
  let text = "", usage = null, status = null;
  const calls = [];
  for await (const event of stream) {
    if (event.type === "response.output_text.delta") text += event.delta;
    if (event.type === "response.output_item.done" && event.item.type === "function_call") {
      calls.push({ id: event.item.call_id, name: event.item.name, arguments: event.item.arguments });
    }
    if (event.type === "response.completed") { usage = event.response.usage; status = event.response.status; }
  }
  return { text, finish: status, usage, toolCalls: calls };
}

async function anthropicPlain() {
  const client = new Anthropic({ baseURL, apiKey, maxRetries: 0 });
  const { data, response } = await client.messages
    .create({ model, max_tokens: 256, system: "Be brief.", messages: [{ role: "user", content: "Say hello" }] })
    .withResponse();
  return { text: data.content.filter(b => b.type === "text").map(b => b.text).join(""), finish: data.stop_reason,
           usage: data.usage, model: response.headers.get("x-ensemble-model") };
}

async function anthropicStreamTool() {
  const client = new Anthropic({ baseURL, apiKey, maxRetries: 0 });
  const stream = client.messages.stream({
    model, max_tokens: 256, messages: [{ role: "user", content: "What is the weather in Paris?" }],
    tools: [{ name: weather.name, description: weather.description, input_schema: weather.schema }],
  });
  const message = await stream.finalMessage();
  return {
    text: message.content.filter(b => b.type === "text").map(b => b.text).join(""),
    finish: message.stop_reason, usage: message.usage,
    toolCalls: message.content.filter(b => b.type === "tool_use").map(b => ({ id: b.id, name: b.name, arguments: JSON.stringify(b.input) })),
  };
}

const scenarios = {
  "openai-chat": openaiChat, "openai-chat-stream-tool": openaiChatStreamTool,
  "openai-responses-stream": openaiResponsesStream, "anthropic": anthropicPlain, "anthropic-stream-tool": anthropicStreamTool,
};
try {
  if (!scenarios[scenario]) throw new Error("unknown scenario " + scenario);
  console.log(JSON.stringify({ ok: true, ...(await scenarios[scenario]()) }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, status: e.status ?? null, error: String(e.message ?? e), body: e.error ?? null }));
  process.exitCode = 1;
}
