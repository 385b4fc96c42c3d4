import {
  Fragment,
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
} from "react";
import { Link } from "react-router";
import { errorMessage } from "@/api/errors";
import {
  flattenMessages,
  useArchiveConversation,
  useBlock,
  useBlocked,
  useConversation,
  useMarkRead,
  useMessages,
  useReportUser,
  useSendMessage,
  useUnarchiveConversation,
  type ChatStream,
  type MessageOut,
} from "@/api/messages";
import { Avatar } from "@/components/avatar";
import { AttachButton, AttachmentStatus } from "@/components/messages/attachment-picker";
import { useMessageAttachment } from "@/components/messages/use-message-attachment";
import { MessageAttachment } from "@/components/messages/message-attachment";
import { OnlineDot } from "@/components/messages/online-dot";
import { presenceText } from "@/components/messages/presence";
import { LoadFailure, Spinner } from "@/components/states";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@/components/ui/dialog";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { formatDateTime } from "@/lib/format";
import { cn } from "@/lib/utils";

function newClientId(): string {
  return (
    globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`
  );
}

function Bubble({ message, mine }: { message: MessageOut; mine: boolean }) {
  return (
    <li className={cn("flex", mine ? "justify-end" : "justify-start")}>
      <div
        className={cn(
          "max-w-[80%] rounded-2xl px-3 py-2 text-sm",
          mine ? "bg-primary text-primary-foreground" : "bg-muted",
        )}
      >
        {message.deleted ? (
          <p className="italic">This message was deleted.</p>
        ) : message.content === null ? (
          <p className="italic">This message was hidden by the moderators.</p>
        ) : (
          <p className="break-words whitespace-pre-wrap">{message.content}</p>
        )}
        {message.attachment && (
          <div className="mt-1">
            <MessageAttachment file={message.attachment} mine={mine} />
          </div>
        )}
        {message.attachment_url && (
          <a
            href={message.attachment_url}
            target="_blank"
            rel="noreferrer noopener"
            className="underline"
          >
            Attachment
          </a>
        )}
        <time
          dateTime={message.created_at}
          className={cn(
            "mt-1 block text-xs",
            mine ? "text-primary-foreground" : "text-muted-foreground",
          )}
        >
          {formatDateTime(message.created_at)}
          {message.edited && " · edited"}
        </time>
      </div>
    </li>
  );
}

function ReportDialog({ userId, name }: { userId: string; name: string }) {
  const report = useReportUser();
  const [reason, setReason] = useState("");
  const id = useId();
  return (
    <Dialog onOpenChange={() => report.reset()}>
      <DialogTrigger asChild>
        <Button variant="outline" size="sm">
          Report
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Report {name}</DialogTitle>
          <DialogDescription>The moderators will look at this conversation.</DialogDescription>
        </DialogHeader>
        {report.isSuccess ? (
          <p role="status">Thank you. The moderators have your report.</p>
        ) : (
          <form
            className="flex flex-col gap-3"
            onSubmit={(event) => {
              event.preventDefault();
              report.mutate({ userId, reason: reason.trim() });
            }}
          >
            <Label htmlFor={id}>Reason</Label>
            <Textarea
              id={id}
              required
              maxLength={2000}
              value={reason}
              onChange={(event) => setReason(event.target.value)}
            />
            {report.error && (
              <p role="alert" className="text-sm text-destructive">
                {errorMessage(report.error)}
              </p>
            )}
            <DialogFooter>
              <DialogClose asChild>
                <Button type="button" variant="outline">
                  Cancel
                </Button>
              </DialogClose>
              <Button type="submit" disabled={report.isPending || !reason.trim()}>
                Send report
              </Button>
            </DialogFooter>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}

/** One conversation: its messages (older ones on demand), the composer with attachments,
 * receipts, typing, the other person's presence; block, report, archive. */
export function ConversationView({
  conversationId,
  meId,
  stream,
  typing,
}: {
  conversationId: string;
  meId: string;
  stream: { current: ChatStream | null };
  typing: boolean;
}) {
  const conversation = useConversation(conversationId);
  const messages = useMessages(conversationId);
  const send = useSendMessage(conversationId);
  const { mutate: markRead } = useMarkRead();
  const archive = useArchiveConversation();
  const unarchive = useUnarchiveConversation();
  const attaching = useMessageAttachment(conversationId);
  const blocked = useBlocked();
  const block = useBlock();
  const [draft, setDraft] = useState("");
  const listRef = useRef<HTMLDivElement>(null);
  const lastRead = useRef(0);
  const lastTyping = useRef(0);
  const composerId = useId();
  const items = flattenMessages(messages.data);
  const newestId = items.at(-1)?.id ?? 0;

  // Keep the newest message in view as messages arrive.
  useLayoutEffect(() => {
    const list = listRef.current;
    if (list) list.scrollTop = list.scrollHeight;
  }, [newestId]);

  // Mark read what is on screen: the newest message of the other person, once.
  const newestTheirs = items.findLast((item) => item.sender_id !== meId)?.id ?? 0;
  useEffect(() => {
    if (newestTheirs <= lastRead.current || document.visibilityState === "hidden") return;
    lastRead.current = newestTheirs;
    if (!stream.current?.send({ type: "read", data: { message_id: newestTheirs } })) {
      markRead(newestTheirs);
    }
  }, [newestTheirs, stream, markRead]);

  if (conversation.isPending || messages.isPending) {
    return (
      <div className="flex flex-1 items-center justify-center p-8">
        <Spinner />
      </div>
    );
  }
  if (conversation.isError || messages.isError) {
    return (
      <LoadFailure
        error={conversation.error ?? messages.error}
        onRetry={() => {
          void conversation.refetch();
          void messages.refetch();
        }}
        what="this conversation"
        notFound={{
          pageTitle: "Messages",
          title: "Conversation not found",
          children: <Link to="/messages">Back to your messages</Link>,
        }}
      />
    );
  }

  const other = conversation.data.participant;
  const isBlocked = blocked.data?.items.some((item) => item.user.id === other.id) ?? false;
  const readUpTo = conversation.data.participant_last_read_message_id ?? 0;
  const lastMine = items.findLast((item) => item.sender_id === meId);
  const seen = lastMine !== undefined && readUpTo >= lastMine.id;

  // Blocked either way, presence is not shared (the API says offline, never seen).
  const presence = isBlocked ? undefined : conversation.data.participant_presence;
  const online = presence?.online ?? false;
  const archived = conversation.data.archived;
  const file = attaching.readyUpload;
  const canSend = (Boolean(draft.trim()) || file !== null) && !attaching.busy && !isBlocked;

  const submit = () => {
    if (!canSend || send.isPending) return;
    // A message has text: a file sent alone goes under its name.
    const content = draft.trim() || (file?.filename ?? "");
    const body = {
      content,
      client_id: newClientId(),
      ...(file ? { attachment_upload_id: file.id } : {}),
    };
    send.mutate(body, {
      onSuccess: () => {
        setDraft("");
        attaching.sent();
      },
    });
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };

  return (
    <section
      aria-label={`Conversation with ${other.full_name}`}
      className="flex min-h-0 flex-1 flex-col"
    >
      <title>{`${other.full_name} · Messages · ReelByte`}</title>
      <div className="flex flex-wrap items-center gap-3 border-b p-3">
        <Button asChild variant="ghost" size="sm" className="md:hidden">
          <Link to="/messages">Back</Link>
        </Button>
        <span className="relative">
          <Avatar name={other.full_name} url={other.avatar_url} className="size-9 text-sm" />
          <OnlineDot online={online} />
        </span>
        <div className="min-w-0 flex-1">
          <h2 className="truncate font-semibold">{other.full_name}</h2>
          <p className="text-xs text-muted-foreground">
            {[`@${other.username}`, presenceText(presence)].filter(Boolean).join(" · ")}
          </p>
        </div>
        <div className="flex flex-wrap gap-2">
          <Button
            variant="outline"
            size="sm"
            disabled={block.isPending}
            onClick={() => block.mutate({ userId: other.id, block: !isBlocked })}
          >
            {isBlocked ? "Unblock" : "Block"}
          </Button>
          <ReportDialog userId={other.id} name={other.full_name} />
          {archived ? (
            <Button
              variant="outline"
              size="sm"
              disabled={unarchive.isPending}
              onClick={() => {
                archive.reset();
                unarchive.mutate(conversationId);
              }}
            >
              Unarchive
            </Button>
          ) : (
            <Button
              variant="outline"
              size="sm"
              disabled={archive.isPending}
              onClick={() => {
                unarchive.reset();
                archive.mutate(conversationId);
              }}
            >
              Archive
            </Button>
          )}
        </div>
        {(block.error ?? archive.error ?? unarchive.error) && (
          <p role="alert" className="w-full text-sm text-destructive">
            {errorMessage(block.error ?? archive.error ?? unarchive.error)}
          </p>
        )}
        <p role="status" className="w-full text-sm text-muted-foreground empty:hidden">
          {archive.isSuccess && archived
            ? "Archived. A new message brings it back to your inbox."
            : unarchive.isSuccess && !archived
              ? "Back in your inbox."
              : ""}
        </p>
      </div>
      <div
        ref={listRef}
        className="min-h-64 flex-1 overflow-y-auto p-3"
        tabIndex={0}
        aria-label="Messages"
        role="region"
      >
        {messages.hasNextPage && (
          <div className="mb-3 flex justify-center">
            <Button
              variant="outline"
              size="sm"
              disabled={messages.isFetchingNextPage}
              onClick={() => void messages.fetchNextPage()}
            >
              {messages.isFetchingNextPage ? "Loading…" : "Load older messages"}
            </Button>
          </div>
        )}
        {items.length === 0 ? (
          <p className="p-6 text-center text-sm text-muted-foreground">
            No messages yet. Say hello.
          </p>
        ) : (
          <ol className="flex flex-col gap-2" aria-live="polite">
            {items.map((item) => (
              <Fragment key={item.id}>
                <Bubble message={item} mine={item.sender_id === meId} />
                {seen && item.id === lastMine.id && (
                  <li className="text-right text-xs text-muted-foreground">Seen</li>
                )}
              </Fragment>
            ))}
          </ol>
        )}
      </div>
      <p className="h-5 px-3 text-xs text-muted-foreground" aria-live="polite">
        {typing ? `${other.full_name} is typing…` : ""}
      </p>
      <form
        className="flex flex-col gap-2 border-t p-3"
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        {attaching.attachment && (
          <AttachmentStatus attachment={attaching.attachment} onRemove={attaching.clear} />
        )}
        <div className="flex items-end gap-2">
          <AttachButton
            onPick={(picked) => void attaching.pick(picked)}
            disabled={isBlocked || attaching.busy}
          />
          <div className="flex-1">
            <Label htmlFor={composerId} className="sr-only">
              Message
            </Label>
            <Textarea
              id={composerId}
              rows={2}
              maxLength={5000}
              placeholder={isBlocked ? "You blocked this person" : "Write a message"}
              disabled={isBlocked}
              value={draft}
              onKeyDown={onKeyDown}
              onChange={(event) => {
                setDraft(event.target.value);
                if (Date.now() - lastTyping.current > 2000) {
                  lastTyping.current = Date.now();
                  stream.current?.send({
                    type: "typing",
                    data: { conversation_id: conversationId },
                  });
                }
              }}
            />
            {send.error && (
              <p role="alert" className="mt-1 text-sm text-destructive">
                {errorMessage(send.error)}
              </p>
            )}
          </div>
          <Button type="submit" disabled={send.isPending || !canSend}>
            Send
          </Button>
        </div>
      </form>
    </section>
  );
}
