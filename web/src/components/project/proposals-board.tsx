import { useState, type ReactNode } from "react";
import { Link, useNavigate } from "react-router";
import { errorMessage } from "@/api/errors";
import {
  useAcceptProposal,
  useProjectProposals,
  useRejectProposal,
  useShortlist,
  type ProjectOut,
  type ProposalOut,
} from "@/api/projects";
import { usePublicProfile } from "@/api/queries";
import { Avatar } from "@/components/avatar";
import { FormAlert } from "@/components/form-field";
import { LoadingBlock } from "@/components/order/loading-block";
import { EmptyState, ErrorState } from "@/components/states";
import { Button } from "@/components/ui/button";
import { formatDate, formatMoney, formatRating, levelLabel, plural } from "@/lib/format";
import { cn } from "@/lib/utils";
import { ConfirmDialog } from "./confirm-dialog";
import { ProposalStatusBadge } from "./project-card";

type View = "all" | "shortlisted";

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex flex-col gap-0.5">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="text-sm">{children}</dd>
    </div>
  );
}

/** One proposal as a column of the comparison: the same facts in the same order in each. */
function ProposalColumn({
  proposal,
  project,
  onAccepted,
}: {
  proposal: ProposalOut;
  project: ProjectOut;
  onAccepted: (orderId: string) => void;
}) {
  const profile = usePublicProfile(proposal.creator_id);
  const shortlist = useShortlist(project.id);
  const reject = useRejectProposal(project.id);
  const accept = useAcceptProposal();
  const [failure, setFailure] = useState<string | null>(null);
  const milestones = proposal.milestones;
  const name = profile.data?.full_name ?? "Creator";
  const stats = profile.data?.stats;
  const pending = proposal.status === "pending";
  const decidable = pending && project.status === "open";

  return (
    <article
      aria-label={`Proposal from ${name}`}
      className={cn(
        "flex min-w-0 flex-col gap-4 rounded-xl border p-4",
        proposal.is_shortlisted && "border-primary/60 ring-1 ring-primary/30",
        proposal.status === "accepted" && "border-emerald-400 bg-emerald-50/50",
      )}
    >
      <header className="flex items-start justify-between gap-2">
        <Link
          to={`/creators/${proposal.creator_id}`}
          className="flex min-w-0 items-center gap-2 hover:underline"
        >
          <Avatar name={name} url={profile.data?.avatar_url ?? null} className="size-9 text-sm" />
          <span className="flex min-w-0 flex-col">
            <span className="truncate font-medium">{name}</span>
            {profile.data && (
              <span className="text-xs text-muted-foreground">
                {levelLabel(profile.data.creator_level)}
              </span>
            )}
          </span>
        </Link>
        <ProposalStatusBadge status={proposal.status} />
      </header>
      <dl className="grid grid-cols-2 gap-3">
        <Row label="Price">
          <span className="text-base font-semibold">{formatMoney(proposal.price)}</span>
        </Row>
        <Row label="Timeline">{plural(proposal.delivery_days, "day")}</Row>
        <Row label="Rating">
          {stats
            ? `${formatRating(stats.rating, stats.total_reviews)}${
                stats.total_reviews > 0 ? ` ★ (${stats.total_reviews})` : ""
              }`
            : "…"}
        </Row>
        <Row label="Orders done">{stats ? stats.total_orders : "…"}</Row>
      </dl>
      <div className="flex flex-col gap-1">
        <h4 className="text-xs text-muted-foreground">Milestones proposed</h4>
        {milestones.length === 0 ? (
          <p className="text-sm">None: paid at once</p>
        ) : (
          <ol className="flex flex-col gap-1 text-sm" aria-label={`Milestones proposed by ${name}`}>
            {milestones.map((item, index) => (
              <li key={index} className="flex justify-between gap-2">
                <span className="min-w-0 truncate">
                  {index + 1}. {item.title}
                </span>
                <span className="shrink-0 font-medium">{formatMoney(item.amount)}</span>
              </li>
            ))}
          </ol>
        )}
      </div>
      <details className="text-sm">
        <summary className="cursor-pointer font-medium">Cover letter</summary>
        <p className="mt-2 whitespace-pre-line text-muted-foreground">{proposal.cover_letter}</p>
      </details>
      <p className="text-xs text-muted-foreground">Sent {formatDate(proposal.created_at)}</p>
      <FormAlert message={failure} />
      {decidable && (
        <div className="mt-auto flex flex-wrap gap-2">
          <Button
            variant="outline"
            size="sm"
            aria-pressed={proposal.is_shortlisted === true}
            disabled={shortlist.isPending}
            onClick={() => {
              setFailure(null);
              shortlist.mutate(
                { id: proposal.id, on: !proposal.is_shortlisted },
                { onError: (error) => setFailure(errorMessage(error)) },
              );
            }}
          >
            {proposal.is_shortlisted ? "Shortlisted" : "Shortlist"}
          </Button>
          <ConfirmDialog
            trigger="Accept"
            triggerLabel={`Accept ${name}’s proposal`}
            triggerVariant="default"
            size="sm"
            title={`Accept ${name}’s proposal?`}
            description={
              <>
                An order of {formatMoney(proposal.price)} starts with {name}
                {milestones.length > 0 ? `, in ${plural(milestones.length, "milestone")}` : ""}. The
                other proposals are declined and the project goes in progress.
              </>
            }
            confirm="Accept and create the order"
            onConfirm={async () => {
              const accepted = await accept.mutateAsync(proposal.id);
              onAccepted(accepted.order_id);
            }}
          />
          <ConfirmDialog
            trigger="Decline"
            triggerLabel={`Decline ${name}’s proposal`}
            triggerVariant="ghost"
            size="sm"
            title={`Decline ${name}’s proposal?`}
            description="They are told; this cannot be undone."
            confirm="Decline"
            confirmVariant="destructive"
            onConfirm={() => reject.mutateAsync(proposal.id)}
          />
        </div>
      )}
    </article>
  );
}

/** The owner's proposals: compared side by side, shortlisted, accepted or declined. */
export function ProposalsBoard({ project }: { project: ProjectOut }) {
  const proposals = useProjectProposals(project.id);
  const navigate = useNavigate();
  const [view, setView] = useState<View>("all");

  if (proposals.isPending) return <LoadingBlock label="Loading the proposals" rows={2} />;
  if (proposals.isError) {
    return (
      <ErrorState
        error={proposals.error}
        title="Could not load the proposals"
        onRetry={() => void proposals.refetch()}
      />
    );
  }
  const all = proposals.data.items;
  const shown = view === "shortlisted" ? all.filter((item) => item.is_shortlisted) : all;
  const shortlisted = all.filter((item) => item.is_shortlisted).length;

  if (all.length === 0) {
    return (
      <EmptyState title="No proposals yet">
        {project.visibility === "invite_only"
          ? "Invite creators: only they can see this project."
          : "Creators who find the project send theirs here."}
      </EmptyState>
    );
  }
  return (
    <div className="flex flex-col gap-4">
      <div role="group" aria-label="Show" className="flex gap-2">
        <Button
          variant={view === "all" ? "default" : "outline"}
          size="sm"
          aria-pressed={view === "all"}
          onClick={() => setView("all")}
        >
          All ({all.length})
        </Button>
        <Button
          variant={view === "shortlisted" ? "default" : "outline"}
          size="sm"
          aria-pressed={view === "shortlisted"}
          onClick={() => setView("shortlisted")}
        >
          Shortlisted ({shortlisted})
        </Button>
      </div>
      {shown.length === 0 ? (
        <EmptyState title="Nothing shortlisted">
          Shortlist the proposals you like to compare them here.
        </EmptyState>
      ) : (
        <div
          role="region"
          aria-label="Proposals side by side"
          tabIndex={0}
          className="-mx-4 overflow-x-auto px-4 pb-2"
        >
          <ul
            aria-label="Proposals"
            className="grid auto-cols-[minmax(16rem,1fr)] grid-flow-col gap-4 md:auto-cols-[minmax(18rem,1fr)]"
          >
            {shown.map((proposal) => (
              <li key={proposal.id} className="flex">
                <ProposalColumn
                  proposal={proposal}
                  project={project}
                  onAccepted={(orderId) => void navigate(`/orders/${orderId}`)}
                />
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
