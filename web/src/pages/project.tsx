import type { ReactNode } from "react";
import { Link, useLocation, useParams } from "react-router";
import {
  useCancelProject,
  useProject,
  useProjectProposals,
  useWithdrawProposal,
  type ProjectOut,
  type ProposalOut,
} from "@/api/projects";
import { useAuth } from "@/auth/auth-context";
import { loginPath } from "@/auth/next";
import { LoadingBlock } from "@/components/order/loading-block";
import { AttachmentList, ProjectAttachments } from "@/components/project/attachments";
import { ConfirmDialog } from "@/components/project/confirm-dialog";
import { InviteCreators } from "@/components/project/invite-creators";
import {
  BudgetRange,
  ProjectStatusBadge,
  ProposalStatusBadge,
} from "@/components/project/project-card";
import { ProposalForm } from "@/components/project/proposal-form";
import { ProposalsBoard } from "@/components/project/proposals-board";
import { ErrorState, LoadFailure, PageLoading } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { formatDate, formatMoney, plural } from "@/lib/format";

function Section({ title, id, children }: { title: string; id: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="flex flex-col gap-3">
      <h2 id={id} className="text-lg font-semibold tracking-tight">
        {title}
      </h2>
      {children}
    </section>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex flex-col">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="font-medium">{children}</dd>
    </div>
  );
}

function MyProposal({ proposal, project }: { proposal: ProposalOut; project: ProjectOut }) {
  const withdraw = useWithdrawProposal(project.id);
  const milestones = proposal.milestones;
  return (
    <div className="flex flex-col gap-3 rounded-xl border p-4">
      <p className="flex flex-wrap items-center gap-2 text-sm">
        <ProposalStatusBadge status={proposal.status} />
        <span className="text-muted-foreground">Sent {formatDate(proposal.created_at)}</span>
      </p>
      {proposal.status === "accepted" && (
        <p role="status" className="text-sm">
          The client accepted your proposal: the order is in{" "}
          <Link to="/orders?role=creator" className="font-medium underline">
            your orders
          </Link>
          .
        </p>
      )}
      <dl className="grid grid-cols-2 gap-3 text-sm">
        <Fact label="Price">{formatMoney(proposal.price)}</Fact>
        <Fact label="Timeline">{plural(proposal.delivery_days, "day")}</Fact>
      </dl>
      {milestones.length > 0 && (
        <ol className="flex flex-col gap-1 text-sm" aria-label="Your milestones">
          {milestones.map((item, index) => (
            <li key={index} className="flex justify-between gap-2">
              <span>
                {index + 1}. {item.title}
              </span>
              <span className="font-medium">{formatMoney(item.amount)}</span>
            </li>
          ))}
        </ol>
      )}
      <p className="text-sm whitespace-pre-line text-muted-foreground">{proposal.cover_letter}</p>
      {proposal.status === "pending" && (
        <ConfirmDialog
          trigger="Withdraw proposal"
          title="Withdraw your proposal?"
          description="The client no longer sees it, and you cannot send another for this project."
          confirm="Withdraw"
          confirmVariant="destructive"
          onConfirm={() => withdraw.mutateAsync(proposal.id)}
        />
      )}
    </div>
  );
}

/** What a creator sees under the brief: their proposal, or the form to send one. */
function CreatorSide({ project }: { project: ProjectOut }) {
  const mine = useProjectProposals(project.id);
  if (mine.isPending) return <LoadingBlock label="Loading your proposal" />;
  if (mine.isError) {
    return (
      <ErrorState
        error={mine.error}
        title="Could not load your proposal"
        onRetry={() => void mine.refetch()}
      />
    );
  }
  const proposal = mine.data.items[0];
  if (proposal) {
    return (
      <Section title="Your proposal" id="your-proposal">
        <MyProposal proposal={proposal} project={project} />
      </Section>
    );
  }
  if (project.status !== "open") {
    return <p className="text-sm text-muted-foreground">This project takes no more proposals.</p>;
  }
  return (
    <Section title="Send a proposal" id="send-proposal">
      <ProposalForm project={project} />
    </Section>
  );
}

function OwnerActions({ project }: { project: ProjectOut }) {
  const cancel = useCancelProject(project.id);
  if (project.status !== "open") return null;
  return (
    <div className="flex flex-wrap gap-2">
      <Button asChild variant="outline">
        <Link to={`/projects/${project.id}/edit`}>Edit</Link>
      </Button>
      <ConfirmDialog
        trigger="Close project"
        title="Close this project?"
        description="It stops taking proposals, and the pending ones are declined."
        confirm="Close project"
        confirmVariant="destructive"
        onConfirm={() => cancel.mutateAsync()}
      />
    </div>
  );
}

/** A project: the brief and its files; for its owner the invitations and the proposals board,
 * for a creator their proposal or the form to send one. */
export function Component() {
  const { projectId = "" } = useParams();
  const { user } = useAuth();
  const location = useLocation();
  const posted = (location.state as { posted?: boolean } | null)?.posted === true;
  const project = useProject(projectId);

  if (project.isPending) return <PageLoading label="Loading the project" />;
  if (project.isError) {
    return (
      <LoadFailure
        error={project.error}
        onRetry={() => void project.refetch()}
        what="this project"
        notFound={{
          pageTitle: "Project not found",
          title: "This project is not here",
          children: (
            <>
              It may be invite-only, or deleted.{" "}
              <Link to="/projects" className="underline">
                Browse projects
              </Link>
              .
            </>
          ),
        }}
      />
    );
  }

  const data = project.data;
  const owner = user?.id === data.client_id;
  const proposes = user !== null && !owner && (user.role === "creator" || user.role === "hybrid");

  return (
    <article className="mx-auto flex w-full max-w-5xl flex-col gap-8">
      <title>{`${data.title} · Project · ReelByte`}</title>
      <header className="flex flex-col gap-3">
        <nav aria-label="Breadcrumb" className="text-sm text-muted-foreground">
          <Link to={owner ? "/projects/mine" : "/projects"} className="hover:underline">
            {owner ? "My projects" : "Projects"}
          </Link>
        </nav>
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="flex min-w-0 flex-col gap-1">
            <h1 className="text-2xl font-bold tracking-tight md:text-3xl">{data.title}</h1>
            <p className="flex flex-wrap items-center gap-2 text-sm text-muted-foreground">
              <ProjectStatusBadge status={data.status} />
              {data.visibility === "invite_only" && <Badge variant="outline">Invite only</Badge>}
              <span>Posted {formatDate(data.created_at)}</span>
            </p>
          </div>
          {owner && <OwnerActions project={data} />}
        </div>
        <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
          <Fact label="Budget">
            <BudgetRange project={data} />
          </Fact>
          <Fact label="Deadline">{formatDate(data.deadline)}</Fact>
          <Fact label="Proposals">{data.proposals_count}</Fact>
          {owner && <Fact label="Views">{data.views_count}</Fact>}
        </dl>
      </header>

      {posted && owner && (
        <p
          role="status"
          className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-950"
        >
          Your project is posted.{" "}
          {data.visibility === "invite_only"
            ? "Invite creators below: only they can see it."
            : "Creators can find it now; invite the ones you would like to hear from."}
        </p>
      )}

      <Section title="The brief" id="brief">
        <p className="text-sm whitespace-pre-line">{data.description}</p>
        {data.required_skills.length > 0 && (
          <ul className="flex flex-wrap gap-1.5" aria-label="Skills needed">
            {data.required_skills.map((skill) => (
              <li key={skill}>
                <Badge variant="secondary">{skill}</Badge>
              </li>
            ))}
          </ul>
        )}
      </Section>

      {owner && (
        <>
          <Section title="Proposals" id="proposals">
            <ProposalsBoard project={data} />
          </Section>
          <Section title="Invite creators" id="invite">
            <InviteCreators projectId={data.id} open={data.status === "open"} />
          </Section>
        </>
      )}

      <Section title="Attachments" id="attachments">
        {owner && data.status === "open" ? (
          <ProjectAttachments project={data} />
        ) : (
          <AttachmentList files={data.attachment_files} />
        )}
      </Section>

      {proposes && <CreatorSide project={data} />}

      {user === null && data.status === "open" && (
        <p className="text-sm">
          <Link
            to={loginPath(location.pathname)}
            className="font-medium text-primary underline underline-offset-4"
          >
            Log in
          </Link>{" "}
          as a creator to send a proposal.
        </p>
      )}
      {owner && data.status === "in_progress" && (
        <Button asChild variant="outline" className="self-start">
          <Link to="/orders?role=client">See the order in your orders</Link>
        </Button>
      )}
    </article>
  );
}
Component.displayName = "ProjectPage";
