import { useEffect, useRef } from "react";

/** A token from an e-mailed link as the API takes it (16 to 128 characters); anything else
 * cannot be a link of ours, so it is not sent. */
export function validToken(token: string | null): token is string {
  return token !== null && token.length >= 16 && token.length <= 128;
}

/** Send a link's token to the API once, when the page opens with a valid one. A link works
 * once: never send it twice (React runs effects twice in development). */
export function useFollowLinkOnce(token: string | null, follow: (token: string) => void) {
  const sent = useRef<string | null>(null);
  useEffect(() => {
    if (!validToken(token) || sent.current === token) return;
    sent.current = token;
    follow(token);
  }, [token, follow]);
}
