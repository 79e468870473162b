import { describe, expect, it, vi } from "vitest";

async function freshStore() {
  vi.resetModules();
  return (await import("@/lib/session-store")).session;
}

describe("the in-memory session", () => {
  it("hands out the access token while it is fresh, without refreshing", async () => {
    const session = await freshStore();
    const refresh = vi.fn();
    session.signedIn("tok-1", 3600);
    expect(await session.freshAccessToken(refresh)).toBe("tok-1");
    expect(refresh).not.toHaveBeenCalled();
  });

  it("refreshes a token about to run out once, however many requests wait for it", async () => {
    const session = await freshStore();
    session.signedIn("old", 30); // within the early-refresh minute
    const refresh = vi.fn().mockResolvedValue({ accessToken: "new", expiresIn: 3600 });
    const tokens = await Promise.all([session.freshAccessToken(refresh), session.freshAccessToken(refresh)]);
    expect(tokens).toEqual(["new", "new"]);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it("forgets the token when the refresh is refused, and tells listeners when the API refuses it", async () => {
    const session = await freshStore();
    session.signedIn("old", 30);
    expect(await session.freshAccessToken(vi.fn().mockResolvedValue(null))).toBeNull();
    expect(session.hasToken).toBe(false);
    const listener = vi.fn();
    session.onExpired(listener);
    session.signedIn("again", 3600);
    session.expired();
    expect(listener).toHaveBeenCalledOnce();
    expect(session.hasToken).toBe(false);
  });

  it("keeps nothing in web storage", async () => {
    const session = await freshStore();
    session.signedIn("secret-token", 3600);
    expect(JSON.stringify({ ...localStorage })).not.toContain("secret-token");
    expect(JSON.stringify({ ...sessionStorage })).not.toContain("secret-token");
    expect(document.cookie).not.toContain("secret-token");
  });
});
