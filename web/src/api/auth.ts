import { request } from './client';
import { getList, id, send } from './resources';
import type { ApiToken, CreatedApiToken, Role, User } from './types';

export const login = (username: string, password: string) =>
  request<{ user: User }>('/api/auth/login', { method: 'POST', body: { username, password } });

export const logout = () => request<void>('/api/auth/logout', { method: 'POST' });

export const fetchMe = () => request<{ user: User }>('/api/auth/me');

export const changePassword = (currentPassword: string, newPassword: string) =>
  request<{ user: User }>('/api/auth/password', {
    method: 'POST',
    body: { currentPassword, newPassword },
  });

export const listUsers = () => getList<User>('/api/users', 'users');

export const createUser = (body: { username: string; password: string; role: Role }) =>
  send<User>('POST', '/api/users', body);

export const updateUser = (userId: string, body: { role?: Role; password?: string }) =>
  send<User>('PATCH', `/api/users/${id(userId)}`, body);

export const deleteUser = (userId: string) =>
  request<void>(`/api/users/${id(userId)}`, { method: 'DELETE' });

export const listTokens = () => getList<ApiToken>('/api/tokens', 'tokens');

export const createToken = (body: { name: string; expiresInDays?: number }) =>
  request<CreatedApiToken>('/api/tokens', { method: 'POST', body });

export const deleteToken = (tokenId: string) =>
  request<void>(`/api/tokens/${id(tokenId)}`, { method: 'DELETE' });
