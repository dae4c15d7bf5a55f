/** The sample's HTTP API, called from outside the page (another service, or curl). */
export class SampleApi {
  constructor(private readonly base: string) {}

  async login(userId: string): Promise<string> {
    const response = await this.post('auth/demo-login', { userId });
    return ((await response.json()) as { token: string }).token;
  }

  /** POSTs a notification; resolves with its id once the server answered 201. */
  async notify(token: string, userId: string, title: string, body = ''): Promise<string> {
    const response = await this.post('notifications', { userId, title, body }, token);
    if (response.status !== 201)
      throw new Error(`POST /notifications: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { id: string }).id;
  }

  async announce(token: string, title: string): Promise<string> {
    const response = await this.post('announcements', { title }, token);
    if (response.status !== 201) throw new Error(`POST /announcements: ${response.status}`);
    return ((await response.json()) as { id: string }).id;
  }

  post(path: string, body: unknown, token?: string): Promise<Response> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    return fetch(new URL(path, this.base), { method: 'POST', headers, body: JSON.stringify(body) });
  }
}
