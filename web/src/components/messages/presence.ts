import type { PresenceOut } from "@/api/messages";
import { formatRelativeTime } from "@/lib/format";

/** "Online", "Last seen 5 minutes ago", or null when the person was never seen (or a block
 * hides it). */
export function presenceText(
  presence: PresenceOut | undefined,
  now: number = Date.now(),
): string | null {
  if (!presence) return null;
  if (presence.online) return "Online";
  if (!presence.last_seen_at) return null;
  return `Last seen ${formatRelativeTime(presence.last_seen_at, now)}`;
}
