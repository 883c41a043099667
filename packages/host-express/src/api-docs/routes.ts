/**
 * What every REST route takes and answers, by the engine's own schemas: the source of the
 * OpenAPI document. A test walks the host's Express router and checks that this table and the
 * mounted routes are the same set, so a route cannot be added without being described here.
 */
import {
  announcementViewSchema,
  authResultSchema,
  conversationViewSchema,
  friendRequestViewSchema,
  friendViewSchema,
  groupCardSchema,
  groupMemberViewSchema,
  groupViewSchema,
  inviteRedemptionSchema,
  inviteViewSchema,
  joinRequestViewSchema,
  messageCursorPageSchema,
  messagePageSchema,
  messageViewSchema,
  operationSchemas,
  paginatedSchema,
  privateUserSchema,
  publicUserSchema,
  qrCodeViewSchema,
  sessionViewSchema,
} from '@parley/chat-core';
import { z } from 'zod';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One answer of a route: a JSON schema, HTML, plain text, or no body (204). */
export interface ResponseDoc {
  description: string;
  json?: z.ZodType;
  html?: true;
  text?: string;
}

/** One REST route. `path` is the Express pattern (`/api/groups/:id`). */
export interface RouteDoc {
  method: HttpMethod;
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  /** Needs `Authorization: Bearer <token>`. */
  auth: boolean;
  /** Per-IP rate limited (may answer 429). */
  limited?: boolean;
  /** The JSON body's schema (input side). */
  body?: z.ZodType;
  /** An object schema whose properties are the query parameters. */
  query?: z.ZodType;
  responses: Record<number, ResponseDoc>;
}

const ok = (description: string, json?: z.ZodType): ResponseDoc =>
  json ? { description, json } : { description };
const none = (description: string): ResponseDoc => ({ description });
const empty = z.object({});

/** The REST routes of a host whose engine has this config (limits follow it). */
export function restRoutes(config: { groupMaxMembers: number }, extra: readonly RouteDoc[] = []): RouteDoc[] {
  const s = operationSchemas(config);
  const r = (
    method: HttpMethod,
    path: string,
    operationId: string,
    tag: string,
    summary: string,
    rest: Partial<RouteDoc> & Pick<RouteDoc, 'responses'>,
  ): RouteDoc => ({ method, path, operationId, tag, summary, auth: true, ...rest });

  return [
    // --- auth
    r('post', '/api/auth/register', 'register', 'auth', 'Create an account; sends a verification email', {
      auth: false,
      limited: true,
      body: s.register,
      responses: { 201: ok('The account and a token', authResultSchema) },
    }),
    r(
      'post',
      '/api/auth/verify-email',
      'verifyEmail',
      'auth',
      'Verify the email with a code or a link token',
      {
        auth: false,
        limited: true,
        body: s.verifyEmail,
        responses: { 200: ok('The verified account', z.object({ user: privateUserSchema })) },
      },
    ),
    r(
      'get',
      '/verify-email',
      'verifyEmailLink',
      'auth',
      'The link of the verification email (an HTML page)',
      {
        auth: false,
        limited: true,
        query: z.object({ token: z.string() }),
        responses: {
          200: { description: 'Verified', html: true },
          400: { description: 'Link not valid', html: true },
        },
      },
    ),
    r(
      'post',
      '/api/auth/resend-verification',
      'resendVerification',
      'auth',
      'Send the verification email again',
      {
        auth: false,
        limited: true,
        body: s.emailOnly,
        responses: { 202: ok('Accepted, whatever the email', empty) },
      },
    ),
    r('post', '/api/auth/login', 'login', 'auth', 'Log in', {
      auth: false,
      limited: true,
      body: s.login,
      responses: { 200: ok('A token and the account', authResultSchema) },
    }),
    r('post', '/api/auth/logout', 'logout', 'auth', 'Revoke this token and disconnect its sockets', {
      responses: { 204: none('Logged out') },
    }),
    r('post', '/api/auth/logout-all', 'logoutAll', 'auth', 'Revoke every token of the user', {
      responses: { 204: none('Logged out everywhere') },
    }),
    r('get', '/api/auth/sessions', 'listSessions', 'auth', 'My signed-in devices', {
      responses: {
        200: ok(
          'Live sessions, most recently seen first',
          z.object({ sessions: z.array(sessionViewSchema) }),
        ),
      },
    }),
    r(
      'delete',
      '/api/auth/sessions/:id',
      'endSession',
      'auth',
      'End a session: revoke its token, close its sockets',
      {
        responses: { 204: none('Ended'), 404: none('Not one of my sessions') },
      },
    ),
    r('post', '/api/auth/password/forgot', 'forgotPassword', 'auth', 'Send a password reset code', {
      auth: false,
      limited: true,
      body: s.emailOnly,
      responses: { 202: ok('Accepted, whatever the email', empty) },
    }),
    r('post', '/api/auth/password/reset', 'resetPassword', 'auth', 'Set a new password with a reset code', {
      auth: false,
      limited: true,
      body: s.resetPassword,
      responses: { 200: ok('Reset; every older token is revoked', empty) },
    }),
    // --- users
    r('get', '/api/users/me', 'getMe', 'users', 'My account', {
      responses: { 200: ok('The private view', z.object({ user: privateUserSchema })) },
    }),
    r('put', '/api/users/me', 'updateMe', 'users', 'Update my profile; friends get user_updated', {
      body: s.updateProfile,
      responses: { 200: ok('The private view', z.object({ user: privateUserSchema })) },
    }),
    r(
      'put',
      '/api/users/me/password',
      'changePassword',
      'users',
      'Change my password; older tokens are revoked',
      {
        limited: true,
        body: s.changePassword,
        responses: { 200: ok('A fresh token', z.object({ token: z.string() })) },
      },
    ),
    r('put', '/api/users/me/settings', 'updateSettings', 'users', 'Privacy and notification settings', {
      body: s.updateSettings,
      responses: { 200: ok('The private view with the new settings', z.object({ user: privateUserSchema })) },
    }),
    r(
      'post',
      '/api/users/me/push-subscriptions',
      'addPushSubscription',
      'push',
      "Store this browser's Web Push subscription",
      {
        body: s.pushSubscription,
        responses: { 201: ok('Stored (the same endpoint again keeps its id)', z.object({ id: z.string() })) },
      },
    ),
    r(
      'delete',
      '/api/users/me/push-subscriptions/:id',
      'removePushSubscription',
      'push',
      'Stop pushing to a browser',
      {
        responses: { 204: none('Removed'), 404: none('Not one of my subscriptions') },
      },
    ),
    r(
      'get',
      '/api/push/config',
      'pushConfig',
      'push',
      'Whether push is on, and the VAPID key to subscribe with',
      {
        responses: {
          200: ok(
            'Push settings of this server',
            z.object({ enabled: z.boolean(), publicKey: z.string().nullable() }),
          ),
        },
      },
    ),
    r('get', '/api/users/search', 'searchUsers', 'users', 'Exact email match or nickname prefix', {
      query: s.searchUsers,
      responses: { 200: ok('Matching users', paginatedSchema('users', publicUserSchema)) },
    }),
    r('get', '/api/users/:id', 'getUser', 'users', 'A public profile', {
      responses: { 200: ok('The public profile', z.object({ user: publicUserSchema })) },
    }),
    // --- QR codes and invites
    r('get', '/api/users/me/qrcode', 'getMyQrCode', 'invites', 'My personal QR code (add me as a friend)', {
      query: s.qrFormat,
      responses: { 200: ok('The QR code', qrCodeViewSchema) },
    }),
    r(
      'post',
      '/api/users/me/qrcode/rotate',
      'rotateMyQrCode',
      'invites',
      'A new personal token; the old one expires',
      {
        query: s.qrFormat,
        responses: { 200: ok('The new QR code', qrCodeViewSchema) },
      },
    ),
    r('get', '/api/groups/:id/qrcode', 'getGroupQrCode', 'invites', "A group's QR code (owner, admins)", {
      query: s.qrFormat,
      responses: { 200: ok('The QR code', qrCodeViewSchema) },
    }),
    r('get', '/api/invites/:token', 'resolveInvite', 'invites', 'What an invite token points at', {
      responses: { 200: ok('The invite', inviteViewSchema) },
    }),
    r('post', '/api/invites/:token/redeem', 'redeemInvite', 'invites', 'Redeem an invite token', {
      responses: { 200: ok('The outcome', inviteRedemptionSchema) },
    }),
    // --- friends
    r('get', '/api/friends', 'listFriends', 'friends', 'My friends, oldest friendship first', {
      query: s.page,
      responses: { 200: ok('A page of friends', paginatedSchema('friends', friendViewSchema)) },
    }),
    r(
      'post',
      '/api/friends/add',
      'addFriend',
      'friends',
      'Send a friend request; the target gets friend_request',
      {
        body: s.sendFriendRequest,
        responses: {
          201: ok(
            'The request (and the friendship, when they had asked first)',
            z.object({ request: friendRequestViewSchema, friend: friendViewSchema.optional() }),
          ),
        },
      },
    ),
    r(
      'get',
      '/api/friends/requests',
      'listFriendRequests',
      'friends',
      'Pending friend requests, newest first',
      {
        query: s.listFriendRequests,
        responses: { 200: ok('A page of requests', paginatedSchema('requests', friendRequestViewSchema)) },
      },
    ),
    r(
      'post',
      '/api/friends/requests/:id/accept',
      'acceptFriendRequest',
      'friends',
      'Accept a friend request',
      {
        responses: { 200: ok('The new friend', z.object({ friend: friendViewSchema })) },
      },
    ),
    r(
      'post',
      '/api/friends/requests/:id/reject',
      'rejectFriendRequest',
      'friends',
      'Reject a friend request',
      {
        responses: { 204: none('Rejected') },
      },
    ),
    r('delete', '/api/friends/:userId', 'removeFriend', 'friends', 'Stop being friends', {
      responses: { 204: none('Removed') },
    }),
    // --- blacklist
    r('get', '/api/blacklist', 'listBlocked', 'blacklist', 'Users I blocked', {
      query: s.page,
      responses: { 200: ok('A page of users', paginatedSchema('users', publicUserSchema)) },
    }),
    r('post', '/api/blacklist', 'blockUser', 'blacklist', 'Block a user', {
      body: s.targetUser,
      responses: { 201: ok('Blocked', z.object({ userId: z.string() })) },
    }),
    r('delete', '/api/blacklist/:userId', 'unblockUser', 'blacklist', 'Unblock a user', {
      responses: { 204: none('Unblocked') },
    }),
    // --- conversations and messages
    r('get', '/api/conversations', 'listConversations', 'messages', 'My conversations, newest first', {
      responses: { 200: ok('Every conversation', z.array(conversationViewSchema)) },
    }),
    r('post', '/api/conversations/:id/read', 'markRead', 'messages', 'Read everything up to seq', {
      body: s.markRead.omit({ conversationId: true }),
      responses: { 204: none('Marked read') },
    }),
    r(
      'get',
      '/api/messages/private/:friendId',
      'privateHistory',
      'messages',
      'Private history, ascending by seq',
      {
        query: s.history,
        responses: { 200: ok('A page of messages', messagePageSchema) },
      },
    ),
    r('get', '/api/messages/group/:groupId', 'groupHistory', 'messages', 'Group history, ascending by seq', {
      query: s.history,
      responses: { 200: ok('A page of messages', messagePageSchema) },
    }),
    r(
      'post',
      '/api/messages/private/:friendId',
      'sendPrivate',
      'messages',
      'Send a private message (REST fallback of private_message)',
      {
        body: s.sendPrivate.omit({ receiverId: true }),
        responses: { 201: ok('The message', z.object({ message: messageViewSchema })) },
      },
    ),
    r(
      'post',
      '/api/messages/group/:groupId',
      'sendGroup',
      'messages',
      'Send a group message (REST fallback of group_message)',
      {
        body: s.sendGroup.omit({ groupId: true }),
        responses: { 201: ok('The message', z.object({ message: messageViewSchema })) },
      },
    ),
    r('post', '/api/messages/:id/recall', 'recallMessage', 'messages', 'Recall a message', {
      responses: { 200: ok('The tombstone', z.object({ message: messageViewSchema })) },
    }),
    r(
      'delete',
      '/api/messages/:id',
      'deleteMessageForMe',
      'messages',
      "Hide a message from the caller's history",
      {
        responses: { 204: none('Hidden') },
      },
    ),
    r(
      'get',
      '/api/messages/:id/readers',
      'messageReaders',
      'messages',
      "A group message's readers (sender or admins)",
      {
        query: s.readers,
        responses: { 200: ok('A page of readers', paginatedSchema('readers', publicUserSchema)) },
      },
    ),
    r(
      'get',
      '/api/messages/search',
      'searchMessages',
      'messages',
      'Search what the caller may read, newest first',
      {
        query: s.searchMessages,
        responses: { 200: ok('A page of matching messages', messageCursorPageSchema) },
      },
    ),
    r(
      'patch',
      '/api/messages/:id',
      'editMessage',
      'messages',
      'Edit a text message (the sender, within the edit window)',
      {
        body: s.editMessage,
        responses: { 200: ok('The edited message', z.object({ message: messageViewSchema })) },
      },
    ),
    r('post', '/api/messages/:id/reactions', 'addReaction', 'messages', 'React to a message with one emoji', {
      body: s.addReaction,
      responses: { 200: ok('The message with its reactions', z.object({ message: messageViewSchema })) },
    }),
    r(
      'delete',
      '/api/messages/:id/reactions/:emoji',
      'removeReaction',
      'messages',
      "Remove the caller's reaction",
      {
        responses: { 204: none('Removed') },
      },
    ),
    r('get', '/api/messages/:id/thread', 'messageThread', 'messages', 'The replies to a message, ascending', {
      query: s.thread,
      responses: { 200: ok('A page of replies', messageCursorPageSchema) },
    }),
    r(
      'get',
      '/api/conversations/:id/pins',
      'listPins',
      'messages',
      'Pinned messages, most recently pinned first',
      {
        responses: { 200: ok('The pinned messages', z.object({ messages: z.array(messageViewSchema) })) },
      },
    ),
    r(
      'post',
      '/api/conversations/:id/pins',
      'pinMessage',
      'messages',
      'Pin a message (either party; group owner and admins)',
      {
        body: s.pin,
        responses: { 201: ok('The pinned message', z.object({ message: messageViewSchema })) },
      },
    ),
    r('delete', '/api/conversations/:id/pins/:messageId', 'unpinMessage', 'messages', 'Unpin a message', {
      responses: { 204: none('Unpinned') },
    }),
    // --- groups
    r('post', '/api/groups', 'createGroup', 'groups', 'Create a group', {
      body: s.createGroup,
      responses: { 201: ok('The group', z.object({ group: groupViewSchema })) },
    }),
    r('get', '/api/groups', 'listMyGroups', 'groups', 'My groups', {
      query: s.page,
      responses: { 200: ok('A page of groups', paginatedSchema('groups', groupViewSchema)) },
    }),
    r(
      'get',
      '/api/groups/:id',
      'getGroup',
      'groups',
      'A group: everything for members, the public card for others',
      {
        responses: { 200: ok('The group', z.object({ group: z.union([groupViewSchema, groupCardSchema]) })) },
      },
    ),
    r('patch', '/api/groups/:id', 'updateGroup', 'groups', 'Change a group (owner, admins)', {
      body: s.updateGroup,
      responses: { 200: ok('The group', z.object({ group: groupViewSchema })) },
    }),
    r('delete', '/api/groups/:id', 'dissolveGroup', 'groups', 'Dissolve a group (owner)', {
      responses: { 204: none('Dissolved') },
    }),
    r('get', '/api/groups/:id/members', 'listGroupMembers', 'groups', "A group's members", {
      query: s.page,
      responses: { 200: ok('A page of members', paginatedSchema('members', groupMemberViewSchema)) },
    }),
    r('post', '/api/groups/:id/members', 'addGroupMembers', 'groups', 'Add members', {
      body: s.addMembers,
      responses: { 200: ok('The added members', z.object({ added: z.array(groupMemberViewSchema) })) },
    }),
    r('delete', '/api/groups/:id/members/:userId', 'kickGroupMember', 'groups', 'Kick a member', {
      responses: { 204: none('Kicked') },
    }),
    r('post', '/api/groups/:id/join', 'joinGroup', 'groups', 'Join (open) or ask to join (approval)', {
      body: s.joinGroup,
      responses: {
        200: ok('Joined', z.object({ joined: z.literal(true), group: groupViewSchema })),
        202: ok(
          'A join request was filed',
          z.object({ joined: z.literal(false), request: joinRequestViewSchema }),
        ),
      },
    }),
    r(
      'get',
      '/api/groups/:id/join-requests',
      'listJoinRequests',
      'groups',
      'Pending join requests (owner, admins)',
      {
        query: s.page,
        responses: { 200: ok('A page of requests', paginatedSchema('requests', joinRequestViewSchema)) },
      },
    ),
    r(
      'post',
      '/api/groups/:id/join-requests/:rid/approve',
      'approveJoinRequest',
      'groups',
      'Approve a join request',
      {
        responses: { 200: ok('The new member', z.object({ member: groupMemberViewSchema })) },
      },
    ),
    r(
      'post',
      '/api/groups/:id/join-requests/:rid/reject',
      'rejectJoinRequest',
      'groups',
      'Reject a join request',
      {
        responses: { 204: none('Rejected') },
      },
    ),
    r('post', '/api/groups/:id/leave', 'leaveGroup', 'groups', 'Leave a group (not the owner)', {
      responses: { 204: none('Left') },
    }),
    r('post', '/api/groups/:id/mutes', 'muteMember', 'groups', 'Mute a member', {
      body: s.mute,
      responses: { 200: ok('The muted member', z.object({ member: groupMemberViewSchema })) },
    }),
    r('delete', '/api/groups/:id/mutes/:userId', 'unmuteMember', 'groups', 'Unmute a member', {
      responses: { 204: none('Unmuted') },
    }),
    r(
      'put',
      '/api/groups/:id/announcement',
      'setAnnouncement',
      'groups',
      "Set the group's announcement ('' clears it)",
      {
        body: s.announcement,
        responses: {
          200: ok('The announcement', z.object({ announcement: announcementViewSchema.nullable() })),
        },
      },
    ),
    r('put', '/api/groups/:id/admins/:userId', 'promoteAdmin', 'groups', 'Make a member an admin (owner)', {
      responses: { 200: ok('The member', z.object({ member: groupMemberViewSchema })) },
    }),
    r(
      'delete',
      '/api/groups/:id/admins/:userId',
      'demoteAdmin',
      'groups',
      'Make an admin a plain member (owner)',
      {
        responses: { 200: ok('The member', z.object({ member: groupMemberViewSchema })) },
      },
    ),
    r(
      'post',
      '/api/groups/:id/transfer',
      'transferGroup',
      'groups',
      'Hand the group to another member (owner)',
      {
        body: s.transfer,
        responses: { 200: ok('The group', z.object({ group: groupViewSchema })) },
      },
    ),
    // --- operations
    r('get', '/health', 'health', 'operations', 'Liveness and whether the store answers', {
      auth: false,
      responses: {
        200: ok('Up', healthSchema('ok', 'up')),
        503: ok('The store does not answer', healthSchema('degraded', 'down')),
      },
    }),
    r('get', '/openapi.json', 'openapi', 'operations', 'This document', {
      auth: false,
      responses: { 200: ok('OpenAPI 3.1', z.record(z.string(), z.unknown())) },
    }),
    r('get', '/asyncapi.json', 'asyncapi', 'operations', 'The Socket.IO events as AsyncAPI 3', {
      auth: false,
      responses: { 200: ok('AsyncAPI 3', z.record(z.string(), z.unknown())) },
    }),
    r('get', '/docs', 'docs', 'operations', 'The interactive API reference (HTML)', {
      auth: false,
      responses: { 200: { description: 'The reference', html: true } },
    }),
    r('get', '/docs/init.js', 'docsScript', 'operations', "The reference's start-up script", {
      auth: false,
      responses: { 200: { description: 'JavaScript', text: 'application/javascript' } },
    }),
    ...extra,
  ];
}

function healthSchema(status: string, store: string) {
  return z.object({
    status: z.literal(status),
    uptime: z.int().min(0),
    store: z.literal(store),
    storeKind: z.string(),
  });
}

/** `GET /metrics`, documented only where it is served (METRICS=true on the main port). */
export const metricsRoute: RouteDoc = {
  method: 'get',
  path: '/metrics',
  operationId: 'metrics',
  tag: 'operations',
  summary: 'Prometheus metrics (only with METRICS=true)',
  auth: false,
  responses: { 200: { description: 'Prometheus text format', text: 'text/plain; version=0.0.4' } },
};
