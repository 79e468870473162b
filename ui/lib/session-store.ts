// The browser's session: the access token lives here, in memory only - never in localStorage,
// sessionStorage or a readable cookie. The refresh token is an HttpOnly cookie the page cannot see;
// a reload restores the session by refreshing with it.
type Refresh = () => Promise<{ accessToken: string; expiresIn: number } | null>;
type Listener = () => void;

const EARLY_SECONDS = 60; // refresh this long before the access token runs out

class SessionStore {
  private token: string | null = null;
  private expiresAt = 0;
  private pending: Promise<string | null> | null = null;
  private listeners = new Set<Listener>();

  signedIn(accessToken: string, expiresIn: number): void {
    this.token = accessToken;
    this.expiresAt = Date.now() + (expiresIn - EARLY_SECONDS) * 1000;
  }

  clear(): void {
    this.token = null;
    this.expiresAt = 0;
  }

  /** The API refused the token: forget it and tell whoever listens (the app sends the user to sign in). */
  expired(): void {
    this.clear();
    this.listeners.forEach((listener) => listener());
  }

  onExpired(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get hasToken(): boolean {
    return this.token !== null;
  }

  /** The access token, refreshed first when it is about to run out; one refresh at a time. */
  async freshAccessToken(refresh: Refresh): Promise<string | null> {
    if (this.token && Date.now() < this.expiresAt) return this.token;
    if (!this.token) return null;
    this.pending ??= refresh()
      .then((fresh) => {
        if (!fresh) {
          this.clear();
          return null;
        }
        this.signedIn(fresh.accessToken, fresh.expiresIn);
        return fresh.accessToken;
      })
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }
}

export const session = new SessionStore();
