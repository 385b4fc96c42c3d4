import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { errorMessage } from "@/api/errors";
import { useInviteCreator, useInvites, useRemoveInvite, type InviteOut } from "@/api/projects";
import { usePublicProfile } from "@/api/queries";
import { useSearchCreators } from "@/api/search";
import { Avatar } from "@/components/avatar";
import { FormAlert } from "@/components/form-field";
import { Spinner } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { formatRating, levelLabel } from "@/lib/format";

function InvitedCreator({
  invite,
  onRemove,
  removing,
}: {
  invite: InviteOut;
  onRemove?: () => void;
  removing: boolean;
}) {
  const profile = usePublicProfile(invite.creator_id);
  const name = profile.data?.full_name ?? "A creator";
  return (
    <li className="flex items-center justify-between gap-3 rounded-md border px-3 py-2 text-sm">
      <Link to={`/creators/${invite.creator_id}`} className="flex min-w-0 items-center gap-2">
        <Avatar name={name} url={profile.data?.avatar_url ?? null} className="size-7 text-xs" />
        <span className="truncate font-medium hover:underline">{name}</span>
      </Link>
      {onRemove && (
        <Button
          variant="ghost"
          size="sm"
          onClick={onRemove}
          disabled={removing}
          aria-label={`Remove the invitation of ${name}`}
        >
          Remove
        </Button>
      )}
    </li>
  );
}

/** The owner invites creators found by name (an invite-only project is visible to them only). */
export function InviteCreators({ projectId, open }: { projectId: string; open: boolean }) {
  const invites = useInvites(projectId, true);
  const invite = useInviteCreator(projectId);
  const remove = useRemoveInvite(projectId);
  const [text, setText] = useState("");
  const [q, setQ] = useState("");
  const found = useSearchCreators({ q, page: 1, page_size: 5 }, q.length > 0);
  const [failure, setFailure] = useState<string | null>(null);
  const invited = new Set(invites.data?.map((item) => item.creator_id));

  function search(event: FormEvent) {
    event.preventDefault();
    setQ(text.trim());
  }

  async function send(creatorId: string) {
    setFailure(null);
    try {
      await invite.mutateAsync(creatorId);
    } catch (error) {
      setFailure(errorMessage(error));
    }
  }

  return (
    <div className="flex flex-col gap-4">
      {open && (
        <form
          onSubmit={search}
          className="flex flex-col gap-1.5"
          role="search"
          aria-label="Find creators to invite"
        >
          <Label htmlFor="invite-search">Find a creator by name</Label>
          <div className="flex gap-2">
            <Input
              id="invite-search"
              type="search"
              value={text}
              onChange={(event) => setText(event.target.value)}
              placeholder="Maya"
            />
            <Button type="submit" variant="outline">
              Search
            </Button>
          </div>
        </form>
      )}
      <FormAlert message={failure} />
      {q && (
        <div aria-live="polite">
          {found.isPending ? (
            <p className="flex items-center gap-2 text-sm text-muted-foreground">
              <Spinner className="size-4" /> Searching…
            </p>
          ) : found.isError ? (
            <p className="text-sm text-destructive">{errorMessage(found.error)}</p>
          ) : found.data.items.length === 0 ? (
            <p className="text-sm text-muted-foreground">No creator matches “{q}”.</p>
          ) : (
            <ul aria-label="Creators found" className="flex flex-col gap-2">
              {found.data.items.map((creator) => (
                <li
                  key={creator.id}
                  className="flex items-center justify-between gap-3 rounded-md border px-3 py-2 text-sm"
                >
                  <span className="flex min-w-0 items-center gap-2">
                    <Avatar
                      name={creator.full_name}
                      url={creator.avatar_url}
                      className="size-8 text-xs"
                    />
                    <span className="flex min-w-0 flex-col">
                      <span className="truncate font-medium">{creator.full_name}</span>
                      <span className="text-xs text-muted-foreground">
                        {levelLabel(creator.creator_level)} ·{" "}
                        {formatRating(creator.rating, creator.total_reviews)}
                        {creator.total_reviews > 0 && " ★"}
                      </span>
                    </span>
                  </span>
                  {invited.has(creator.id) ? (
                    <span className="text-xs font-medium text-emerald-700">Invited</span>
                  ) : (
                    <Button
                      size="sm"
                      onClick={() => void send(creator.id)}
                      disabled={invite.isPending}
                      aria-label={`Invite ${creator.full_name}`}
                    >
                      Invite
                    </Button>
                  )}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="flex flex-col gap-2">
        <h3 className="text-sm font-medium">Invited</h3>
        {invites.isPending ? (
          <p className="text-sm text-muted-foreground">Loading…</p>
        ) : invites.isError ? (
          <p className="text-sm text-destructive">{errorMessage(invites.error)}</p>
        ) : invites.data.length === 0 ? (
          <p className="text-sm text-muted-foreground">Nobody yet.</p>
        ) : (
          <ul aria-label="Invited creators" className="flex flex-col gap-2">
            {invites.data.map((item) => (
              <InvitedCreator
                key={item.creator_id}
                invite={item}
                removing={remove.isPending}
                onRemove={open ? () => remove.mutate(item.creator_id) : undefined}
              />
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
