/** Where to go after logging in: only a path on this site (never `//evil.example` or a URL). */
export function safeNext(next: string | null | undefined, fallback = "/"): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) {
    return fallback;
  }
  if (
    next === "/login" ||
    next.startsWith("/login?") ||
    next === "/signup" ||
    next.startsWith("/signup?")
  )
    return fallback;
  return next;
}

export function loginPath(next: string): string {
  return `/login?next=${encodeURIComponent(next)}`;
}
