import { useState } from "react";
import { Link } from "react-router";
import { type CreateSocket, useNotificationStream } from "@/api/notification-socket";
import {
  useMarkAllRead,
  useMarkRead,
  useNotifications,
  useUnreadCount,
  type NotificationOut,
} from "@/api/notifications";
import { appLink } from "@/lib/app-link";
import { ErrorState, Spinner } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";
import { formatRelativeTime } from "@/lib/format";
import { cn } from "@/lib/utils";

const LATEST = 5;

function unreadLabel(count: number): string {
  return count === 0 ? "Notifications" : `Notifications, ${count} unread`;
}

function BellIcon() {
  return (
    <svg viewBox="0 0 24 24" aria-hidden="true" className="size-5">
      <path
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
        strokeLinecap="round"
        strokeLinejoin="round"
        d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9M10.3 21a1.94 1.94 0 0 0 3.4 0"
      />
    </svg>
  );
}

function LatestItem({ item, onOpen }: { item: NotificationOut; onOpen: () => void }) {
  const markRead = useMarkRead();
  const to = appLink(item.link);
  const open = () => {
    if (!item.is_read) markRead.mutate(item.id);
    onOpen();
  };
  const body = (
    <>
      <span className="flex items-center gap-2 font-medium">
        {!item.is_read && (
          <span className="size-2 shrink-0 rounded-full bg-primary" aria-hidden="true" />
        )}
        {item.title}
        {!item.is_read && <span className="sr-only"> (unread)</span>}
      </span>
      <span className="line-clamp-2 text-muted-foreground">{item.content}</span>
      <time dateTime={item.created_at} className="text-xs text-muted-foreground">
        {formatRelativeTime(item.created_at)}
      </time>
    </>
  );
  const className = cn(
    "flex flex-col gap-0.5 px-4 py-3 text-left text-sm",
    !item.is_read && "bg-accent/40",
  );
  return (
    <li>
      {to ? (
        <Link to={to} onClick={open} className={cn(className, "hover:bg-accent")}>
          {body}
        </Link>
      ) : (
        <div className={className}>{body}</div>
      )}
    </li>
  );
}

function Latest({ onNavigate }: { onNavigate: () => void }) {
  const list = useNotifications({ limit: LATEST });
  const markAll = useMarkAllRead();
  const items = list.data?.pages[0]?.items ?? [];
  const anyUnread = items.some((item) => !item.is_read);
  return (
    <div className="flex flex-col">
      <div className="flex items-center justify-between gap-2 border-b px-4 py-2">
        <h2 className="text-sm font-semibold">Notifications</h2>
        <Button
          variant="ghost"
          size="sm"
          disabled={!anyUnread || markAll.isPending}
          onClick={() => markAll.mutate()}
        >
          Mark all read
        </Button>
      </div>
      {list.isPending ? (
        <div className="flex justify-center p-6" role="status">
          <Spinner />
          <span className="sr-only">Loading notifications</span>
        </div>
      ) : list.isError ? (
        <ErrorState
          error={list.error}
          title="Could not load notifications"
          onRetry={() => void list.refetch()}
          className="m-3 border-none p-3"
        />
      ) : items.length === 0 ? (
        <p className="p-6 text-center text-sm text-muted-foreground">You are all caught up.</p>
      ) : (
        <ul className="max-h-96 divide-y overflow-y-auto">
          {items.map((item) => (
            <LatestItem key={item.id} item={item} onOpen={onNavigate} />
          ))}
        </ul>
      )}
      <Link
        to="/notifications"
        onClick={onNavigate}
        className="border-t px-4 py-2 text-center text-sm font-medium text-primary hover:underline"
      >
        See all notifications
      </Link>
    </div>
  );
}

/** The header's bell: the unread count, kept live over the notifications socket, and the
 * latest few in a popover. `createSocket`/`backoff` are for tests. */
export function NotificationBell({
  createSocket,
  backoff,
}: {
  createSocket?: CreateSocket;
  backoff?: (attempt: number) => number;
}) {
  const [open, setOpen] = useState(false);
  const [announcement, setAnnouncement] = useState("");
  const count = useUnreadCount();
  useNotificationStream({
    enabled: true,
    createSocket,
    backoff,
    onNotification: (notification) => setAnnouncement(`New notification: ${notification.title}`),
  });
  const unread = count.data ?? 0;

  return (
    <>
      <Popover open={open} onOpenChange={setOpen}>
        <PopoverTrigger asChild>
          <Button variant="ghost" size="icon" className="relative" aria-label={unreadLabel(unread)}>
            <BellIcon />
            {unread > 0 && (
              <span
                aria-hidden="true"
                className="absolute top-1 right-1 flex h-4 min-w-4 items-center justify-center rounded-full bg-destructive px-1 text-[0.625rem] leading-none font-semibold text-destructive-foreground"
              >
                {unread > 99 ? "99+" : unread}
              </span>
            )}
          </Button>
        </PopoverTrigger>
        <PopoverContent align="end" className="w-80 p-0" aria-label="Latest notifications">
          <Latest onNavigate={() => setOpen(false)} />
        </PopoverContent>
      </Popover>
      <span role="status" className="sr-only">
        {announcement}
      </span>
    </>
  );
}

export default NotificationBell;
