import { useEffect, useState } from "react";
import { Link, useLocation, useParams, useSearchParams } from "react-router";
import { useAuth } from "@/auth/auth-context";
import { errorMessage } from "@/api/errors";
import {
  useChatStream,
  useInbox,
  useUnarchiveConversation,
  type ChatFrame,
  type ConversationOut,
} from "@/api/messages";
import { Avatar } from "@/components/avatar";
import { ConversationView } from "@/components/messages/conversation-view";
import { OnlineDot } from "@/components/messages/online-dot";
import { EmptyState, ErrorState } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { formatRelativeTime } from "@/lib/format";
import { cn } from "@/lib/utils";

const TYPING_MS = 4000;

function preview(conversation: ConversationOut, meId: string): string {
  const last = conversation.last_message;
  if (!last) return "No messages yet";
  if (last.deleted) return "Message deleted";
  const text = last.content ?? "Hidden message";
  return last.sender_id === meId ? `You: ${text}` : text;
}

function InboxItem({
  conversation,
  meId,
  active,
  search,
  onUnarchive,
}: {
  conversation: ConversationOut;
  meId: string;
  active: boolean;
  /** Kept on the link, so the list stays the one shown (the inbox or the archive). */
  search: string;
  /** In the archive: bring it back. */
  onUnarchive?: () => void;
}) {
  const other = conversation.participant;
  const unread = conversation.unread_count;
  const online = conversation.participant_presence.online;
  return (
    <li className="flex items-center gap-1">
      <Link
        to={`/messages/${conversation.id}${search}`}
        aria-current={active ? "page" : undefined}
        className={cn(
          "flex min-w-0 flex-1 items-center gap-3 rounded-lg p-3 hover:bg-accent focus-visible:bg-accent",
          active && "bg-accent",
        )}
      >
        <span className="relative shrink-0">
          <Avatar name={other.full_name} url={other.avatar_url} className="size-10 text-sm" />
          <OnlineDot online={online} />
        </span>
        <span className="min-w-0 flex-1">
          <span className="flex items-baseline justify-between gap-2">
            <span className={cn("truncate", unread > 0 ? "font-semibold" : "font-medium")}>
              {other.full_name}
              {online && <span className="sr-only"> (online)</span>}
            </span>
            <time
              dateTime={conversation.last_activity_at}
              className="shrink-0 text-xs text-muted-foreground"
            >
              {formatRelativeTime(conversation.last_activity_at)}
            </time>
          </span>
          <span className="flex items-center justify-between gap-2">
            <span className="truncate text-sm text-muted-foreground">
              {preview(conversation, meId)}
            </span>
            {unread > 0 && (
              <span className="shrink-0 rounded-full bg-primary px-2 text-xs font-medium text-primary-foreground">
                {unread}
                <span className="sr-only"> unread</span>
              </span>
            )}
          </span>
        </span>
      </Link>
      {onUnarchive && (
        <Button
          variant="ghost"
          size="sm"
          onClick={onUnarchive}
          aria-label={`Unarchive the conversation with ${other.full_name}`}
        >
          Unarchive
        </Button>
      )}
    </li>
  );
}

/** Which list the inbox shows: the conversations, or those I archived. */
function ListTabs({ archived }: { archived: boolean }) {
  const { pathname } = useLocation();
  const tab = (active: boolean) =>
    cn(
      "flex-1 rounded-md px-3 py-1.5 text-center text-sm font-medium",
      active ? "bg-accent" : "text-muted-foreground hover:bg-accent/60",
    );
  return (
    <div className="mb-2 flex gap-1 rounded-lg border p-1">
      <Link to={pathname} aria-current={archived ? undefined : "page"} className={tab(!archived)}>
        Inbox
      </Link>
      <Link
        to={`${pathname}?view=archived`}
        aria-current={archived ? "page" : undefined}
        className={tab(archived)}
      >
        Archived
      </Link>
    </div>
  );
}

/** The inbox (or the archive, `?view=archived`) beside the open conversation (one at a time on
 * a phone); one chat socket for both. */
export function Component() {
  const { conversationId } = useParams();
  const [searchParams] = useSearchParams();
  const archived = searchParams.get("view") === "archived";
  const search = archived ? "?view=archived" : "";
  const { user } = useAuth();
  const meId = user?.id ?? "";
  const inbox = useInbox({ archived });
  const unarchive = useUnarchiveConversation();
  const [typing, setTyping] = useState<Record<string, number>>({});
  const [now, setNow] = useState(() => Date.now());

  const stream = useChatStream({
    onFrame: (frame: ChatFrame) => {
      if (frame.type === "typing") {
        setTyping((current) => ({
          ...current,
          [frame.data.conversation_id]: Date.now() + TYPING_MS,
        }));
        setNow(Date.now());
      } else if (frame.type === "message" && frame.data.sender_id !== meId) {
        setTyping((current) => ({ ...current, [frame.data.conversation_id]: 0 }));
      }
    },
  });

  // The typing indicator goes away by itself.
  const typingUntil = conversationId ? (typing[conversationId] ?? 0) : 0;
  useEffect(() => {
    if (typingUntil <= now) return;
    const timer = setTimeout(() => setNow(Date.now()), typingUntil - now + 50);
    return () => clearTimeout(timer);
  }, [typingUntil, now]);

  const conversations = inbox.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <div className="flex w-full flex-col gap-4">
      <title>Messages · ReelByte</title>
      <h1
        className={cn(
          "text-2xl font-bold tracking-tight",
          conversationId && "sr-only md:not-sr-only",
        )}
      >
        Messages
      </h1>
      <div className="flex h-[calc(100dvh-12rem)] min-h-[28rem] overflow-hidden rounded-xl border">
        <nav
          aria-label="Conversations"
          className={cn(
            "w-full shrink-0 overflow-y-auto border-r p-2 md:w-80",
            conversationId && "hidden md:block",
          )}
        >
          <ListTabs archived={archived} />
          {unarchive.error && (
            <p role="alert" className="p-2 text-sm text-destructive">
              {errorMessage(unarchive.error)}
            </p>
          )}
          {inbox.isPending ? (
            <div className="flex flex-col gap-2 p-2">
              {[0, 1, 2].map((index) => (
                <Skeleton key={index} className="h-14 w-full" />
              ))}
            </div>
          ) : inbox.isError ? (
            <ErrorState
              error={inbox.error}
              title="Could not load your messages"
              onRetry={() => void inbox.refetch()}
            />
          ) : conversations.length === 0 ? (
            archived ? (
              <EmptyState title="No archived conversations">
                Conversations you archive wait here until you bring them back or a new message
                arrives.
              </EmptyState>
            ) : (
              <EmptyState title="No conversations yet">
                Message a creator from their profile or an order to start one.
              </EmptyState>
            )
          ) : (
            <>
              <ul className="flex flex-col gap-1">
                {conversations.map((conversation) => (
                  <InboxItem
                    key={conversation.id}
                    conversation={conversation}
                    meId={meId}
                    active={conversation.id === conversationId}
                    search={search}
                    onUnarchive={archived ? () => unarchive.mutate(conversation.id) : undefined}
                  />
                ))}
              </ul>
              {inbox.hasNextPage && (
                <div className="flex justify-center p-2">
                  <Button
                    variant="outline"
                    size="sm"
                    disabled={inbox.isFetchingNextPage}
                    onClick={() => void inbox.fetchNextPage()}
                  >
                    {inbox.isFetchingNextPage ? "Loading…" : "Show more"}
                  </Button>
                </div>
              )}
            </>
          )}
        </nav>
        <div className={cn("min-w-0 flex-1 flex-col", conversationId ? "flex" : "hidden md:flex")}>
          {conversationId ? (
            <ConversationView
              key={conversationId}
              conversationId={conversationId}
              meId={meId}
              stream={stream}
              typing={typingUntil > now}
            />
          ) : (
            <div className="flex flex-1 items-center justify-center p-8 text-sm text-muted-foreground">
              Choose a conversation.
            </div>
          )}
        </div>
      </div>
    </div>
  );
}
