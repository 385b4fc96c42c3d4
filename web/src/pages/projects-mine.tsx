import { Link, useSearchParams } from "react-router";
import { useProjects, type ProjectStatus } from "@/api/projects";
import { useAuth } from "@/auth/auth-context";
import { PagedList } from "@/components/paged-list";
import { PROJECT_STATUSES, projectStatusLabel } from "@/components/project/labels";
import { ProjectCard } from "@/components/project/project-card";
import { EmptyState } from "@/components/states";
import { Button } from "@/components/ui/button";

const PAGE_SIZE = 20;

function isStatus(value: string | null): value is ProjectStatus {
  return value !== null && (PROJECT_STATUSES as string[]).includes(value);
}

/** The projects I posted, by status (behind log-in). */
export function Component() {
  const { user } = useAuth();
  const [params, setParams] = useSearchParams();
  const asked = params.get("status");
  const status: ProjectStatus = isStatus(asked) ? asked : "open";
  const page = Math.max(1, Number(params.get("page")) || 1);
  const projects = useProjects(
    { client_id: user?.id ?? null, status, page, page_size: PAGE_SIZE },
    user !== null,
  );

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
      <title>My projects · ReelByte</title>
      <div className="flex flex-wrap items-end justify-between gap-4">
        <h1 className="text-2xl font-bold tracking-tight">My projects</h1>
        <div className="flex flex-wrap items-center gap-3">
          <label htmlFor="my-project-status" className="text-sm text-muted-foreground">
            Status
          </label>
          <select
            id="my-project-status"
            value={status}
            onChange={(event) =>
              update({
                status: event.target.value === "open" ? null : event.target.value,
                page: null,
              })
            }
            className="h-9 rounded-md border border-input bg-background px-2 text-sm"
          >
            {PROJECT_STATUSES.map((value) => (
              <option key={value} value={value}>
                {projectStatusLabel(value)}
              </option>
            ))}
          </select>
          <Button asChild>
            <Link to="/projects/new">Post a project</Link>
          </Button>
        </div>
      </div>
      <PagedList
        query={projects}
        label="My projects"
        pagerLabel="Project pages"
        noun="your projects"
        empty={
          <EmptyState title={`No ${projectStatusLabel(status).toLowerCase()} projects`}>
            {status === "open" ? "Post a project and creators send you proposals." : null}
          </EmptyState>
        }
        page={page}
        onPage={(next) => update({ page: next === 1 ? null : String(next) })}
        itemKey={(project) => project.id}
        renderItem={(project) => <ProjectCard project={project} />}
        className="grid gap-4 md:grid-cols-2"
      />
    </div>
  );
}
Component.displayName = "MyProjectsPage";
