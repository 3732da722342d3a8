/**
 * What the gateway refuses before anything is opened, reserved or sent: a
 * body over the prompt bound, a missing or odd model name, and tool
 * definitions that are not the provider's shape. Messages are fixed
 * strings naming the rule, never the input.
 */
import { AppError } from '../../../base/errors.js';
import type { Operation } from '../providers/types.js';

/** Longest model name accepted (provider model ids are far shorter). */
export const MAX_MODEL_LENGTH = 128;
/** Most tools one request may define. */
export const MAX_TOOLS = 128;

const MODEL = /^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/;
const TOOL_NAME = /^[A-Za-z0-9_-]{1,128}$/;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The model the body names, checked. */
export function requestModel(body: Readonly<Record<string, unknown>>): string {
  const model = body['model'];
  if (typeof model !== 'string' || model.length === 0 || model.length > MAX_MODEL_LENGTH) {
    throw new AppError(
      'llm_bad_request',
      `model must be a model name of 1 to ${MAX_MODEL_LENGTH} characters`,
    );
  }
  if (!MODEL.test(model)) {
    throw new AppError(
      'llm_bad_request',
      'model must be a model name (letters, digits, . _ - : / @)',
    );
  }
  return model;
}

/** The body's size in JSON bytes, refused past `maxBytes`. */
export function checkSize(body: Readonly<Record<string, unknown>>, maxBytes: number): number {
  const bytes = Buffer.byteLength(JSON.stringify(body), 'utf8');
  if (bytes > maxBytes) {
    throw new AppError(
      'llm_prompt_too_large',
      `The request is ${bytes} bytes; the gateway forwards at most ${maxBytes}`,
      { details: { bytes, max_bytes: maxBytes } },
    );
  }
  return bytes;
}

function toolProblem(operation: Operation, tool: unknown): string | undefined {
  if (!isObject(tool)) return 'each tool must be an object';
  switch (operation) {
    case 'anthropic.messages': {
      if (typeof tool['name'] !== 'string' || !TOOL_NAME.test(tool['name'])) {
        return 'each tool needs a name of 1 to 128 letters, digits, _ or -';
      }
      // A client tool declares an input schema; a server tool (web search, …) declares its type.
      if (tool['type'] === undefined || tool['type'] === 'custom') {
        const schema = tool['input_schema'];
        if (!isObject(schema) || schema['type'] !== 'object') {
          return 'each client tool needs input_schema, a JSON Schema of type object';
        }
      } else if (typeof tool['type'] !== 'string') return 'a tool type must be a string';
      return undefined;
    }
    case 'openai.chat_completions':
    case 'openai.responses': {
      if (typeof tool['type'] !== 'string') return 'each tool needs a type';
      if (tool['type'] !== 'function') return undefined;
      const fn = operation === 'openai.chat_completions' ? tool['function'] : tool;
      if (
        !isObject(fn) ||
        typeof fn['name'] !== 'string' ||
        !/^[A-Za-z0-9_-]{1,64}$/.test(fn['name'])
      ) {
        return 'each function tool needs a name of 1 to 64 letters, digits, _ or -';
      }
      const parameters = fn['parameters'];
      if (parameters !== undefined && parameters !== null && !isObject(parameters)) {
        return 'function parameters must be a JSON Schema object';
      }
      return undefined;
    }
    case 'openai.embeddings':
      return 'embeddings take no tools';
  }
}

/** Tool definitions in the operation's shape, or `llm_tools_invalid`. */
export function checkTools(operation: Operation, body: Readonly<Record<string, unknown>>): void {
  const tools = body['tools'];
  if (tools === undefined) return;
  if (!Array.isArray(tools)) throw new AppError('llm_tools_invalid', 'tools must be an array');
  if (tools.length > MAX_TOOLS) {
    throw new AppError('llm_tools_invalid', `At most ${MAX_TOOLS} tools per request`);
  }
  for (const [index, tool] of tools.entries()) {
    const problem = toolProblem(operation, tool);
    if (problem !== undefined) {
      throw new AppError('llm_tools_invalid', `tools[${index}]: ${problem}`);
    }
  }
}
