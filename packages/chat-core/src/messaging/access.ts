/**
 * Who may see what in messaging: the checks every operation shares. Each answers the contract's
 * error for an outsider (NOT_FOUND for what they cannot see, NOT_GROUP_MEMBER for a group they
 * are not in) and hands back what it read, so callers need no second lookup.
 */
import type { EngineContext } from '../context.js';
import type { GroupMemberRecord, GroupRecord, MessageRecord, UserRecord } from '../domain/records.js';
import { ChatError } from '../errors.js';
import { isStaff } from '../groups/roles.js';
import { parseConversationId } from './conversation-ids.js';

/** A party's standing in a conversation. */
export type Party =
  | { type: 'private'; conversationId: string; peerId: string }
  | { type: 'group'; conversationId: string; group: GroupRecord; member: GroupMemberRecord };

/** The group, unless unknown or dissolved (NOT_FOUND), and the caller's membership (NOT_GROUP_MEMBER). */
export async function requireGroupMember(
  ctx: EngineContext,
  userId: string,
  groupId: string,
): Promise<{ group: GroupRecord; member: GroupMemberRecord }> {
  const [group, member] = await Promise.all([
    ctx.store.groups.get(groupId),
    ctx.store.groups.getMember(groupId, userId),
  ]);
  if (!group || group.dissolvedAt !== null) throw new ChatError('NOT_FOUND', 'No such group');
  if (!member) throw new ChatError('NOT_GROUP_MEMBER');
  return { group, member };
}

/**
 * The user `peerId` as someone `userId` may talk to directly (private message, typing): NOT_FOUND
 * when unknown, BLOCKED across a block either way, NOT_FRIENDS under the friends-only policy.
 * Two store calls, whatever the size of either side's history or friend list.
 */
export async function requirePrivatePeer(
  ctx: Pick<EngineContext, 'store' | 'config'>,
  userId: string,
  peerId: string,
): Promise<UserRecord> {
  const [peer, relation] = await Promise.all([
    ctx.store.users.getById(peerId),
    ctx.store.social.getRelation(userId, peerId),
  ]);
  if (!peer) throw new ChatError('NOT_FOUND', 'No such user');
  if (relation.aBlocksB || relation.bBlocksA) throw new ChatError('BLOCKED');
  if (ctx.config.privateMessagePolicy === 'friends' && !relation.friendship) {
    throw new ChatError('NOT_FRIENDS');
  }
  return peer;
}

/** The caller's standing in a conversation given by id; NOT_FOUND when they are no party to it. */
export async function requireConversationParty(
  ctx: EngineContext,
  userId: string,
  conversationId: string,
): Promise<Party> {
  const parsed = parseConversationId(conversationId);
  if (!parsed) throw new ChatError('NOT_FOUND', 'No such conversation');
  if (parsed.type === 'group') {
    const { group, member } = await requireGroupMember(ctx, userId, parsed.groupId);
    return { type: 'group', conversationId, group, member };
  }
  const [a, b] = parsed.userIds;
  if (a === b || (userId !== a && userId !== b)) throw new ChatError('NOT_FOUND', 'No such conversation');
  return { type: 'private', conversationId, peerId: userId === a ? b : a };
}

/** The message and the caller's standing in its conversation; NOT_FOUND when they cannot see it. */
export async function requireMessageParty(
  ctx: EngineContext,
  userId: string,
  messageId: string,
): Promise<{ message: MessageRecord; party: Party }> {
  const message = await ctx.store.messages.getMessage(messageId);
  if (!message) throw new ChatError('NOT_FOUND', 'No such message');
  if (message.type === 'group' && message.groupId !== null) {
    const { group, member } = await requireGroupMember(ctx, userId, message.groupId);
    return { message, party: { type: 'group', conversationId: message.conversationId, group, member } };
  }
  const peerId = userId === message.senderId ? message.receiverId : message.senderId;
  if (peerId === null || (userId !== message.senderId && userId !== message.receiverId)) {
    throw new ChatError('NOT_FOUND', 'No such message');
  }
  return { message, party: { type: 'private', conversationId: message.conversationId, peerId } };
}

/** Whether a member may moderate (recall others' messages, see readers, talk during mute-all). */
export function isModerator(member: GroupMemberRecord): boolean {
  return isStaff(member.role);
}
