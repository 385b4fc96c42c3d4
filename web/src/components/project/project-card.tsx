import { Link } from "react-router";
import type { ProjectOut, ProjectStatus, ProposalStatus } from "@/api/projects";
import { Badge } from "@/components/ui/badge";
import { formatDate, formatMoney, plural } from "@/lib/format";
import { PROJECT_STATUS, PROPOSAL_STATUS } from "./labels";

export function ProjectStatusBadge({ status }: { status: ProjectStatus }) {
  return <Badge variant={PROJECT_STATUS[status].variant}>{PROJECT_STATUS[status].label}</Badge>;
}

export function ProposalStatusBadge({ status }: { status: ProposalStatus }) {
  return <Badge variant={PROPOSAL_STATUS[status].variant}>{PROPOSAL_STATUS[status].label}</Badge>;
}

export function BudgetRange({ project }: { project: ProjectOut }) {
  return (
    <>
      {formatMoney(project.budget_min)} – {formatMoney(project.budget_max)}
    </>
  );
}

/** A project in a list: its title links to its page. */
export function ProjectCard({ project }: { project: ProjectOut }) {
  return (
    <article className="flex h-full flex-col gap-3 rounded-xl border p-4">
      <div className="flex items-start justify-between gap-3">
        <h2 className="font-medium">
          <Link to={`/projects/${project.id}`} className="hover:underline">
            {project.title}
          </Link>
        </h2>
        <span className="flex shrink-0 gap-1">
          {project.visibility === "invite_only" && <Badge variant="outline">Invite only</Badge>}
          <ProjectStatusBadge status={project.status} />
        </span>
      </div>
      <p className="text-sm font-semibold">
        <BudgetRange project={project} />
      </p>
      <p className="line-clamp-3 text-sm text-muted-foreground">{project.description}</p>
      {project.required_skills.length > 0 && (
        <ul className="flex flex-wrap gap-1.5" aria-label={`Skills for ${project.title}`}>
          {project.required_skills.map((skill) => (
            <li key={skill}>
              <Badge variant="secondary">{skill}</Badge>
            </li>
          ))}
        </ul>
      )}
      <p className="mt-auto flex flex-wrap gap-x-4 gap-y-1 text-xs text-muted-foreground">
        <span>
          Deadline <time dateTime={project.deadline}>{formatDate(project.deadline)}</time>
        </span>
        <span>{plural(project.proposals_count, "proposal")}</span>
        <span>Posted {formatDate(project.created_at)}</span>
      </p>
    </article>
  );
}
