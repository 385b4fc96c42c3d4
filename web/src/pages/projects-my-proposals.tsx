import { Link, useSearchParams } from "react-router";
import { useMyProposals, type MyProposalOut, type ProposalStatus } from "@/api/projects";
import { PagedList } from "@/components/paged-list";
import { PROPOSAL_STATUS } from "@/components/project/labels";
import { ProposalStatusBadge } from "@/components/project/project-card";
import { EmptyState } from "@/components/states";
import { Button } from "@/components/ui/button";
import { formatDate, formatMoney, plural } from "@/lib/format";

const PAGE_SIZE = 20;
const STATUSES = Object.keys(PROPOSAL_STATUS) as ProposalStatus[];

function isStatus(value: string | null): value is ProposalStatus {
  return value !== null && (STATUSES as string[]).includes(value);
}

function ProposalItem({ proposal }: { proposal: MyProposalOut }) {
  const steps = proposal.milestones.length;
  return (
    <article
      aria-labelledby={`my-proposal-${proposal.id}`}
      className="flex flex-col gap-2 rounded-xl border p-4"
    >
      <div className="flex flex-wrap items-start justify-between gap-2">
        <h2 id={`my-proposal-${proposal.id}`} className="min-w-0 font-medium">
          <Link to={`/projects/${proposal.project_id}`} className="hover:underline">
            {proposal.project_title}
          </Link>
        </h2>
        <ProposalStatusBadge status={proposal.status} />
      </div>
      <p className="text-sm">
        <span className="font-semibold">{formatMoney(proposal.price)}</span>
        {" · "}
        {plural(proposal.delivery_days, "day")}
        {" · "}
        {steps > 0 ? plural(steps, "milestone") : "paid at once"}
      </p>
      <p className="line-clamp-2 text-sm text-muted-foreground">{proposal.cover_letter}</p>
      <p className="text-xs text-muted-foreground">
        Sent {formatDate(proposal.created_at)}
        {proposal.decided_at ? ` · decided ${formatDate(proposal.decided_at)}` : ""}
      </p>
    </article>
  );
}

/** The proposals I sent, newest first, by status (behind log-in). */
export function Component() {
  const [params, setParams] = useSearchParams();
  const asked = params.get("status");
  const status = isStatus(asked) ? asked : null;
  const page = Math.max(1, Number(params.get("page")) || 1);
  const proposals = useMyProposals({ status, page, page_size: PAGE_SIZE });

  function update(changes: Record<string, string | null>) {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) next.delete(key);
      else next.set(key, value);
    }
    setParams(next);
  }

  return (
    <div className="mx-auto flex w-full max-w-5xl flex-col gap-6">
      <title>My proposals · ReelByte</title>
      <div className="flex flex-wrap items-end justify-between gap-4">
        <h1 className="text-2xl font-bold tracking-tight">My proposals</h1>
        <div className="flex flex-wrap items-center gap-3">
          <label htmlFor="my-proposal-status" className="text-sm text-muted-foreground">
            Status
          </label>
          <select
            id="my-proposal-status"
            value={status ?? ""}
            onChange={(event) => update({ status: event.target.value || null, page: null })}
            className="h-9 rounded-md border border-input bg-background px-2 text-sm"
          >
            <option value="">All</option>
            {STATUSES.map((value) => (
              <option key={value} value={value}>
                {PROPOSAL_STATUS[value].label}
              </option>
            ))}
          </select>
          <Button asChild variant="outline">
            <Link to="/projects">Browse projects</Link>
          </Button>
        </div>
      </div>
      <PagedList
        query={proposals}
        label="My proposals"
        pagerLabel="Proposal pages"
        noun="your proposals"
        empty={
          <EmptyState
            title={
              status
                ? `No ${PROPOSAL_STATUS[status].label.toLowerCase()} proposals`
                : "No proposals yet"
            }
          >
            {status ? null : "Find a project you like and send the client a proposal."}
          </EmptyState>
        }
        page={page}
        onPage={(next) => update({ page: next === 1 ? null : String(next) })}
        itemKey={(proposal) => proposal.id}
        renderItem={(proposal) => <ProposalItem proposal={proposal} />}
        className="flex flex-col gap-3"
      />
    </div>
  );
}
Component.displayName = "MyProposalsPage";
