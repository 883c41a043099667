/**
 * The hot paths' hand-written parsers answer exactly what their schemas answer: the same output
 * to the key for valid input, the same VALIDATION_FAILED (code, message, fields) for the rest.
 */
import { describe, expect, it } from 'vitest';
import { ChatError } from '../src/errors.js';
import {
  messageIdSchema,
  parseMessageId,
  parseSendPrivate,
  sendPrivateSchema,
} from '../src/messaging/schemas.js';
import { parseInput } from '../src/util/validate.js';

const outcome = (run: () => unknown) => {
  try {
    return { ok: run() };
  } catch (error) {
    if (!(error instanceof ChatError)) throw error;
    return { code: error.code, message: error.message, details: error.details };
  }
};

const ids = [
  undefined,
  null,
  '',
  ' ',
  '  u1  ',
  'u1',
  'x'.repeat(128),
  'x'.repeat(129),
  ` ${'x'.repeat(128)} `,
  7,
  {},
  ['u1'],
];
const contents = [undefined, null, '', 'hello', 'cafe\u0301', '\uD800 lone', 'ok \uD83D\uDE00', 42];
const contentTypes = [undefined, null, 'text', 'image', 'custom', 'system', 'TEXT', '', 3];
const clientMsgIds = [undefined, null, '', 'c-1', 'x'.repeat(64), 'x'.repeat(65), 5];

describe('hand parsers against their schemas', () => {
  it('parseSendPrivate answers what sendPrivateSchema answers', () => {
    const inputs: unknown[] = [undefined, null, 'text', [], [1], 42];
    for (const receiverId of ids)
      for (const content of contents)
        for (const contentType of contentTypes) inputs.push({ receiverId, content, contentType });
    for (const clientMsgId of clientMsgIds)
      for (const replyTo of ids) inputs.push({ receiverId: 'u2', content: 'hi', clientMsgId, replyTo });
    inputs.push({ receiverId: 'u2', content: 'hi', extra: 'dropped', mentions: ['x'] });
    inputs.push({ receiverId: 'u2', content: 'hi', contentType: 'toString' });
    inputs.push({ receiverId: 'u2', content: 'hi', contentType: '__proto__' });
    for (const input of inputs) {
      expect(outcome(() => parseSendPrivate(input))).toStrictEqual(
        outcome(() => parseInput(sendPrivateSchema, input)),
      );
    }
  });

  it('parseMessageId answers what messageIdSchema answers', () => {
    for (const messageId of ids) {
      expect(outcome(() => parseMessageId(messageId))).toStrictEqual(
        outcome(() => parseInput(messageIdSchema, { messageId }).messageId),
      );
    }
  });
});
