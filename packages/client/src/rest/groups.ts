/** REST: groups, members, join requests, mutes, roles and group QR codes (`/api/groups/*`). */
import type {
  AnnouncementView,
  CreateGroupInput,
  GroupCard,
  GroupMemberView,
  GroupView,
  JoinRequestView,
  JoinResult,
  QrCodeView,
  UpdateGroupInput,
} from '@parley/chat-core';
import { type HttpClient, segment } from './http.js';
import type { CursorPage, PageQuery } from './pages.js';

/** `/api/groups/*`. */
export interface GroupsApi {
  /** `POST /api/groups`: initial members must be the caller's friends. */
  create(input: CreateGroupInput): Promise<{ group: GroupView }>;
  /** `GET /api/groups`: the caller's groups. */
  list(page?: PageQuery): Promise<CursorPage<'groups', GroupView>>;
  /** `GET /api/groups/:id`: a Group for members, a GroupCard for others. */
  get(groupId: string): Promise<{ group: GroupView | GroupCard }>;
  /** `PATCH /api/groups/:id`: owner and admins. */
  update(groupId: string, input: UpdateGroupInput): Promise<{ group: GroupView }>;
  /** `DELETE /api/groups/:id`: the owner dissolves the group. */
  dissolve(groupId: string): Promise<void>;
  /** `GET /api/groups/:id/members`: owner, admins, then members. */
  members(groupId: string, page?: PageQuery): Promise<CursorPage<'members', GroupMemberView>>;
  /** `POST /api/groups/:id/members`. */
  addMembers(groupId: string, userIds: string[]): Promise<{ added: GroupMemberView[] }>;
  /** `DELETE /api/groups/:id/members/:userId`: kick. */
  kick(groupId: string, userId: string): Promise<void>;
  /** `POST /api/groups/:id/join`: joined (open) or a join request filed (approval). */
  join(groupId: string, message?: string): Promise<JoinResult>;
  /** `GET /api/groups/:id/join-requests`: owner and admins. */
  joinRequests(groupId: string, page?: PageQuery): Promise<CursorPage<'requests', JoinRequestView>>;
  /** `POST /api/groups/:id/join-requests/:rid/approve`. */
  approveJoin(groupId: string, requestId: string): Promise<{ member: GroupMemberView }>;
  /** `POST /api/groups/:id/join-requests/:rid/reject`. */
  rejectJoin(groupId: string, requestId: string): Promise<void>;
  /** `POST /api/groups/:id/leave`: members but the owner. */
  leave(groupId: string): Promise<void>;
  /** `POST /api/groups/:id/mutes`: the mute ends by itself. */
  mute(groupId: string, userId: string, durationSeconds: number): Promise<{ member: GroupMemberView }>;
  /** `DELETE /api/groups/:id/mutes/:userId`. */
  unmute(groupId: string, userId: string): Promise<void>;
  /** `PUT /api/groups/:id/announcement`: `''` clears it. */
  setAnnouncement(groupId: string, text: string): Promise<{ announcement: AnnouncementView | null }>;
  /** `PUT /api/groups/:id/admins/:userId`: the owner promotes. */
  promote(groupId: string, userId: string): Promise<{ member: GroupMemberView }>;
  /** `DELETE /api/groups/:id/admins/:userId`: the owner demotes. */
  demote(groupId: string, userId: string): Promise<{ member: GroupMemberView }>;
  /** `POST /api/groups/:id/transfer`: the old owner becomes an admin. */
  transfer(groupId: string, userId: string): Promise<{ group: GroupView }>;
  /** `GET /api/groups/:id/qrcode`: owner and admins; expires. */
  qrCode(groupId: string, format?: 'png' | 'svg'): Promise<QrCodeView>;
}

/** Creates the {@link GroupsApi} over `http`. */
export function groupsApi(http: HttpClient): GroupsApi {
  const g = (id: string) => `/api/groups/${segment(id)}`;
  return {
    create: (input) => http.request('POST', '/api/groups', { body: input }),
    list: (page = {}) => http.request('GET', '/api/groups', { query: { ...page } }),
    get: (id) => http.request('GET', g(id)),
    update: (id, input) => http.request('PATCH', g(id), { body: input }),
    dissolve: (id) => http.request('DELETE', g(id)),
    members: (id, page = {}) => http.request('GET', `${g(id)}/members`, { query: { ...page } }),
    addMembers: (id, userIds) => http.request('POST', `${g(id)}/members`, { body: { userIds } }),
    kick: (id, userId) => http.request('DELETE', `${g(id)}/members/${segment(userId)}`),
    join: (id, message) =>
      http.request('POST', `${g(id)}/join`, { body: message === undefined ? {} : { message } }),
    joinRequests: (id, page = {}) => http.request('GET', `${g(id)}/join-requests`, { query: { ...page } }),
    approveJoin: (id, rid) => http.request('POST', `${g(id)}/join-requests/${segment(rid)}/approve`),
    rejectJoin: (id, rid) => http.request('POST', `${g(id)}/join-requests/${segment(rid)}/reject`),
    leave: (id) => http.request('POST', `${g(id)}/leave`),
    mute: (id, userId, durationSeconds) =>
      http.request('POST', `${g(id)}/mutes`, { body: { userId, durationSeconds } }),
    unmute: (id, userId) => http.request('DELETE', `${g(id)}/mutes/${segment(userId)}`),
    setAnnouncement: (id, text) => http.request('PUT', `${g(id)}/announcement`, { body: { text } }),
    promote: (id, userId) => http.request('PUT', `${g(id)}/admins/${segment(userId)}`),
    demote: (id, userId) => http.request('DELETE', `${g(id)}/admins/${segment(userId)}`),
    transfer: (id, userId) => http.request('POST', `${g(id)}/transfer`, { body: { userId } }),
    qrCode: (id, format) => http.request('GET', `${g(id)}/qrcode`, { query: { format } }),
  };
}
