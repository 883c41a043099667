/** Shared steps of the groups, invites and presence scenarios. */
import { expect } from 'vitest';
import type { GroupView } from '../../domain/views.js';
import type { ErrorCode } from '../../errors.js';
import type { ControlEventMap } from '../../events.js';
import type { CreateGroupInput } from '../../groups/group-service.js';
import { groupConversationId } from '../../messaging/conversation-ids.js';
import type { ScenarioContext, TestUser } from '../fixtures.js';

import { expectRefusal } from './refusals.js';

/** The scenarios' name for {@link expectRefusal}. */
export const expectCode = expectRefusal;

/** Creates a group owned by `owner` with `members` (befriended first when they are not yet). */
export async function groupOf(
  ctx: ScenarioContext,
  owner: TestUser,
  members: TestUser[] = [],
  input: Partial<CreateGroupInput> = {},
): Promise<GroupView> {
  for (const member of members) {
    const relation = await ctx.store.social.getRelation(owner.id, member.id);
    if (!relation.friendship) await ctx.befriend(owner, member);
  }
  const { group } = await ctx.engine.groups.create(owner.id, {
    name: 'Hikers',
    memberIds: members.map((m) => m.id),
    ...input,
  });
  return group;
}

/** The group's whole history as stored, ascending by seq. */
export async function historyOf(ctx: ScenarioContext, groupId: string) {
  const { items } = await ctx.store.messages.listMessages(groupConversationId(groupId), { limit: 100 });
  return items;
}

/** Texts of the group's `system` messages, in order. */
export async function systemTexts(ctx: ScenarioContext, groupId: string): Promise<string[]> {
  return (await historyOf(ctx, groupId)).filter((m) => m.contentType === 'system').map((m) => m.content);
}

/** Everything a refused group operation must leave as it was. */
export async function groupState(ctx: ScenarioContext, groupId: string) {
  const [group, members, history, requests] = await Promise.all([
    ctx.store.groups.get(groupId),
    ctx.store.groups.listMembers(groupId, { limit: 100 }),
    historyOf(ctx, groupId),
    ctx.store.groups.listPendingJoinRequests(groupId, { limit: 100 }),
  ]);
  return {
    group,
    members: members.items,
    seqs: history.map((m) => m.seq),
    requests: requests.items.map((r) => r.id),
  };
}

/**
 * Runs each operation in turn, each of which must be refused with `code`, and checks that it
 * changed nothing: the group, its members and roles, its history, its join requests, and no event
 * or signal went out. Every operation is judged on its own against the state just before it;
 * answers the last one's error.
 */
export async function expectRefused(
  ctx: ScenarioContext,
  groupId: string,
  code: ErrorCode,
  ...operations: [() => Promise<unknown>, ...Array<() => Promise<unknown>>]
): Promise<{ code: string; details?: Record<string, unknown> }> {
  let error: { code: string; details?: Record<string, unknown> } | undefined;
  for (const operation of operations) {
    const before = await groupState(ctx, groupId);
    const events = ctx.events.length;
    const signals = recordSignals(ctx);
    error = await expectCode(operation(), code);
    signals.stop();
    expect(await groupState(ctx, groupId)).toEqual(before);
    expect(ctx.events.slice(events).map((e) => e.name)).toEqual([]);
    expect(signals.list).toEqual([]);
  }
  return error!;
}

export type RecordedSignal = {
  [K in keyof ControlEventMap]: { name: K; payload: ControlEventMap[K] };
}[keyof ControlEventMap];

/** Records the engine's control signals until `stop()`. */
export function recordSignals(ctx: ScenarioContext): { list: RecordedSignal[]; stop: () => void } {
  const list: RecordedSignal[] = [];
  const added = (payload: ControlEventMap['membership_added']) =>
    list.push({ name: 'membership_added', payload });
  const removed = (payload: ControlEventMap['membership_removed']) =>
    list.push({ name: 'membership_removed', payload });
  ctx.engine.control.on('membership_added', added);
  ctx.engine.control.on('membership_removed', removed);
  return {
    list,
    stop: () => {
      ctx.engine.control.off('membership_added', added);
      ctx.engine.control.off('membership_removed', removed);
    },
  };
}

/** Index of the first recorded event of `name` since `from`, or -1. */
export function eventIndex(ctx: ScenarioContext, name: string, from = 0): number {
  return ctx.events.findIndex((e, i) => i >= from && e.name === name);
}
