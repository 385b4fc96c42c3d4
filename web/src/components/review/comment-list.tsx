import { useState, type FormEvent } from "react";
import { errorMessage } from "@/api/errors";
import type { OrderDetail } from "@/api/orders";
import {
  useDeleteComment,
  useEditComment,
  usePostComment,
  useResolveComment,
  type CommentOut,
  type CommentThread,
} from "@/api/review";
import { FormAlert, SubmitButton } from "@/components/form-field";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Textarea } from "@/components/ui/textarea";
import { formatDateTime } from "@/components/order/dates";
import { authorName } from "./review-model";
import { formatTimecode } from "./timecode";

const MAX_TEXT = 5000;

interface ListContext {
  order: OrderDetail;
  deliveryId: string;
  viewerId: string | undefined;
  /** Comments can be written (the order is live and the viewer one of its parties). */
  writable: boolean;
  /** The number of each delivery of the order, by id (for "addressed in delivery 2"). */
  deliveryNumbers: Map<string, number>;
  onSeek: (ms: number) => void;
}

/** A small form for a comment's text: a reply, or an edit. */
export function TextForm({
  label,
  submit,
  initial = "",
  onSubmit,
  onCancel,
  autoFocus,
}: {
  label: string;
  submit: string;
  initial?: string;
  onSubmit: (text: string) => Promise<unknown>;
  onCancel?: () => void;
  autoFocus?: boolean;
}) {
  const [text, setText] = useState(initial);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function send(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!text.trim()) {
      setFailure("Write something first.");
      return;
    }
    setBusy(true);
    setFailure(null);
    try {
      await onSubmit(text.trim());
      setText("");
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form noValidate onSubmit={(event) => void send(event)} className="flex flex-col gap-2">
      <FormAlert message={failure} />
      <Textarea
        aria-label={label}
        value={text}
        maxLength={MAX_TEXT}
        rows={2}
        autoFocus={autoFocus}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Escape" && onCancel) onCancel();
        }}
      />
      <div className="flex gap-2">
        <SubmitButton size="sm" busy={busy}>
          {submit}
        </SubmitButton>
        {onCancel && (
          <Button type="button" size="sm" variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        )}
      </div>
    </form>
  );
}

/** One comment (a thread's first, or a reply): who, when, what, and what its author can do. */
function CommentBody({
  comment,
  context,
  onReply,
  thread,
}: {
  comment: CommentOut | CommentThread;
  context: ListContext;
  onReply?: () => void;
  thread?: CommentThread;
}) {
  const { order, deliveryId, viewerId, writable } = context;
  const [editing, setEditing] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const edit = useEditComment(deliveryId);
  const remove = useDeleteComment(deliveryId);
  const resolve = useResolveComment(deliveryId);
  const mine = comment.author_id === viewerId;
  const author = authorName(comment.author_id, order, viewerId);

  async function act(action: () => Promise<unknown>) {
    setFailure(null);
    try {
      await action();
    } catch (error) {
      setFailure(errorMessage(error));
    }
  }

  if (comment.deleted) {
    return <p className="text-sm text-muted-foreground italic">This comment was deleted.</p>;
  }
  return (
    <div className="flex flex-col gap-1">
      <p className="flex flex-wrap items-baseline gap-x-2 text-xs text-muted-foreground">
        <span className="font-semibold text-foreground">{author}</span>
        <time dateTime={comment.created_at}>{formatDateTime(comment.created_at)}</time>
        {comment.edited_at && <span>(edited)</span>}
      </p>
      {editing ? (
        <TextForm
          label="Edit the comment"
          submit="Save"
          initial={comment.text ?? ""}
          autoFocus
          onCancel={() => setEditing(false)}
          onSubmit={async (text) => {
            await edit.mutateAsync({ id: comment.id, text });
            setEditing(false);
          }}
        />
      ) : (
        <p className="text-sm whitespace-pre-line">{comment.text}</p>
      )}
      <FormAlert message={failure} />
      {writable && !editing && (
        <div className="flex flex-wrap gap-1">
          {onReply && (
            <Button size="sm" variant="ghost" onClick={onReply}>
              Reply
            </Button>
          )}
          {thread && (
            <Button
              size="sm"
              variant="ghost"
              disabled={resolve.isPending}
              onClick={() =>
                void act(() => resolve.mutateAsync({ id: thread.id, resolved: !thread.resolved }))
              }
            >
              {thread.resolved ? "Reopen" : "Resolve"}
            </Button>
          )}
          {mine && (
            <>
              <Button size="sm" variant="ghost" onClick={() => setEditing(true)}>
                Edit
              </Button>
              <Button
                size="sm"
                variant="ghost"
                disabled={remove.isPending}
                onClick={() => void act(() => remove.mutateAsync(comment.id))}
              >
                Delete
              </Button>
            </>
          )}
        </div>
      )}
    </div>
  );
}

function ThreadItem({ thread, context }: { thread: CommentThread; context: ListContext }) {
  const [replying, setReplying] = useState(false);
  const post = usePostComment(context.deliveryId);
  const addressedIn = thread.addressed_by_delivery_id
    ? context.deliveryNumbers.get(thread.addressed_by_delivery_id)
    : undefined;
  const time = formatTimecode(thread.timecode_ms);

  return (
    <li
      className={`flex flex-col gap-2 rounded-lg border p-3 ${thread.resolved ? "bg-muted/50" : ""}`}
      aria-label={`Comment at ${time}`}
    >
      <div className="flex flex-wrap items-center gap-2">
        <Button
          size="sm"
          variant="outline"
          className="font-mono"
          aria-label={`Play from ${time}`}
          onClick={() => context.onSeek(thread.timecode_ms)}
        >
          {time}
        </Button>
        {thread.resolved && <Badge variant="success">Resolved</Badge>}
        {thread.addressed_by_delivery_id && (
          <Badge variant="info">
            {addressedIn ? `Addressed in delivery ${addressedIn}` : "Addressed"}
          </Badge>
        )}
      </div>
      <CommentBody
        comment={thread}
        thread={thread}
        context={context}
        onReply={thread.deleted ? undefined : () => setReplying(true)}
      />
      {thread.replies.length > 0 && (
        <ol className="ml-4 flex flex-col gap-3 border-l pl-3" aria-label={`Replies at ${time}`}>
          {thread.replies.map((reply) => (
            <li key={reply.id}>
              <CommentBody comment={reply} context={context} />
            </li>
          ))}
        </ol>
      )}
      {replying && (
        <div className="ml-4 pl-3">
          <TextForm
            label={`Reply to the comment at ${time}`}
            submit="Post reply"
            autoFocus
            onCancel={() => setReplying(false)}
            onSubmit={async (text) => {
              await post.mutateAsync({ text, parent_id: thread.id });
              setReplying(false);
            }}
          />
        </div>
      )}
    </li>
  );
}

/** A delivery's review threads in timecode order, each with its replies. */
export function CommentList({ threads, ...context }: ListContext & { threads: CommentThread[] }) {
  return (
    <ol className="flex flex-col gap-3" aria-label="Review comments">
      {threads.map((thread) => (
        <ThreadItem key={thread.id} thread={thread} context={context} />
      ))}
    </ol>
  );
}
