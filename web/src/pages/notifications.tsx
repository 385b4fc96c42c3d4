import { useId, useState } from "react";
import { Link } from "react-router";
import { errorMessage } from "@/api/errors";
import {
  useDeleteNotification,
  useMarkAllRead,
  useMarkRead,
  useNotifications,
  useUnreadCount,
  type NotificationOut,
} from "@/api/notifications";
import { appLink } from "@/lib/app-link";
import { EmptyState, ErrorState, Spinner } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { Switch } from "@/components/ui/switch";
import { formatDateTime, formatRelativeTime } from "@/lib/format";
import { cn } from "@/lib/utils";

const PAGE_SIZE = 20;

function NotificationItem({ item }: { item: NotificationOut }) {
  const markRead = useMarkRead();
  const remove = useDeleteNotification();
  const to = appLink(item.link);
  const failure = markRead.error ?? remove.error;
  return (
    <li
      className={cn(
        "flex flex-col gap-3 p-4 sm:flex-row sm:items-start",
        !item.is_read && "bg-accent/40",
        remove.isPending && "opacity-60",
      )}
    >
      <div className="flex min-w-0 flex-1 flex-col gap-1">
        <p className="flex items-center gap-2 font-medium">
          {!item.is_read && (
            <span className="size-2 shrink-0 rounded-full bg-primary" aria-hidden="true" />
          )}
          {to ? (
            <Link
              to={to}
              onClick={() => !item.is_read && markRead.mutate(item.id)}
              className="hover:underline"
            >
              {item.title}
            </Link>
          ) : (
            <span>{item.title}</span>
          )}
          {!item.is_read && <span className="sr-only"> (unread)</span>}
        </p>
        <p className="text-sm whitespace-pre-line text-muted-foreground">{item.content}</p>
        <time
          dateTime={item.created_at}
          title={formatDateTime(item.created_at)}
          className="text-xs text-muted-foreground"
        >
          {formatRelativeTime(item.created_at)}
        </time>
        {failure && (
          <p role="alert" className="text-sm text-destructive">
            {errorMessage(failure)}
          </p>
        )}
      </div>
      <div className="flex shrink-0 gap-2">
        {!item.is_read && (
          <Button
            variant="outline"
            size="sm"
            disabled={markRead.isPending}
            aria-label={`Mark “${item.title}” read`}
            onClick={() => markRead.mutate(item.id)}
          >
            Mark read
          </Button>
        )}
        <Button
          variant="ghost"
          size="sm"
          disabled={remove.isPending}
          aria-label={`Delete “${item.title}”`}
          onClick={() => remove.mutate(item.id)}
        >
          Delete
        </Button>
      </div>
    </li>
  );
}

/** All my notifications, newest first, read and unread; older ones page in by cursor. */
export function Component() {
  const [unreadOnly, setUnreadOnly] = useState(false);
  const switchId = useId();
  const list = useNotifications({ limit: PAGE_SIZE, unreadOnly });
  const unread = useUnreadCount();
  const markAll = useMarkAllRead();
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <div className="mx-auto flex w-full max-w-3xl flex-col gap-6">
      <title>Notifications · ReelByte</title>
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div className="flex flex-col gap-1">
          <h1 className="text-2xl font-bold tracking-tight">Notifications</h1>
          {unread.data !== undefined && (
            <p className="text-sm text-muted-foreground" role="status">
              {unread.data === 0 ? "No unread notifications" : `${unread.data} unread`}
            </p>
          )}
        </div>
        <div className="flex flex-wrap items-center gap-4">
          <div className="flex items-center gap-2">
            <Switch id={switchId} checked={unreadOnly} onCheckedChange={setUnreadOnly} />
            <Label htmlFor={switchId}>Unread only</Label>
          </div>
          <Button
            variant="outline"
            disabled={markAll.isPending || unread.data === 0}
            onClick={() => markAll.mutate()}
          >
            {markAll.isPending && <Spinner className="size-4" />}
            Mark all read
          </Button>
        </div>
      </div>
      {markAll.isError && (
        <p role="alert" className="text-sm text-destructive">
          {errorMessage(markAll.error)}
        </p>
      )}

      {list.isPending ? (
        <div
          className="flex flex-col gap-3"
          role="status"
          aria-busy="true"
          aria-label="Loading notifications"
        >
          {Array.from({ length: 4 }, (_, index) => (
            <Skeleton key={index} className="h-20 w-full" />
          ))}
        </div>
      ) : !list.data ? (
        <ErrorState
          error={list.error}
          title="Could not load your notifications"
          onRetry={() => void list.refetch()}
        />
      ) : items.length === 0 ? (
        <EmptyState title={unreadOnly ? "Nothing unread" : "No notifications yet"}>
          Orders, messages, proposals and reviews will show up here.
        </EmptyState>
      ) : (
        <>
          <ul className="flex flex-col divide-y overflow-hidden rounded-xl border">
            {items.map((item) => (
              <NotificationItem key={item.id} item={item} />
            ))}
          </ul>
          {list.isFetchNextPageError && (
            <ErrorState error={list.error} title="Could not load older notifications" />
          )}
          {list.hasNextPage && (
            <Button
              variant="outline"
              className="self-center"
              disabled={list.isFetchingNextPage}
              onClick={() => void list.fetchNextPage()}
            >
              {list.isFetchingNextPage && <Spinner className="size-4" />}
              Show older notifications
            </Button>
          )}
        </>
      )}
    </div>
  );
}
Component.displayName = "NotificationsPage";
