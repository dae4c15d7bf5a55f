/** The sample's HTTP API, as the page calls it. */

/** Asks for a demo token (POST /auth/demo-login). */
export async function demoLogin(userId: string): Promise<string> {
  const body = await post<{ token: string }>('/auth/demo-login', { userId });
  return body.token;
}

/** Sends a notification to `userId` (POST /notifications). */
export async function notify(
  token: string,
  input: { userId: string; title: string; body: string },
): Promise<string> {
  return (await post<{ id: string }>('/notifications', input, token)).id;
}

/** Sends an announcement to everyone (POST /announcements). */
export async function announce(token: string, title: string): Promise<string> {
  return (await post<{ id: string }>('/announcements', { title }, token)).id;
}

async function post<T>(path: string, body: unknown, token?: string): Promise<T> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body) });
  const answer = (await response.json().catch(() => ({}))) as { message?: string | string[] };
  if (!response.ok) {
    const message = Array.isArray(answer.message) ? answer.message.join('; ') : answer.message;
    throw new Error(message ?? `HTTP ${response.status}`);
  }
  return answer as T;
}
