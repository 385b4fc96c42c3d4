import { Link, useNavigate, useParams } from "react-router";
import { useCreateProject, useProject, useUpdateProject } from "@/api/projects";
import { useAuth } from "@/auth/auth-context";
import { ProjectForm } from "@/components/project/project-form";
import { emptyProject, projectValues } from "@/components/project/project-values";
import { EmptyState, LoadFailure, PageLoading } from "@/components/states";

const CURRENCY = "EUR";

function NewProject() {
  const create = useCreateProject();
  const navigate = useNavigate();
  return (
    <>
      <title>Post a project · ReelByte</title>
      <div>
        <h1 className="text-2xl font-bold tracking-tight">Post a project</h1>
        <p className="text-sm text-muted-foreground">
          Describe the video you need; creators answer with a price, a timeline and milestones. You
          can add files (a script, a mood board) on the next page.
        </p>
      </div>
      <ProjectForm
        initial={emptyProject()}
        currency={CURRENCY}
        submitLabel="Post project"
        onSubmit={async (body) => {
          const project = await create.mutateAsync(body);
          await navigate(`/projects/${project.id}`, { state: { posted: true } });
        }}
      />
    </>
  );
}

function EditProject({ projectId }: { projectId: string }) {
  const { user } = useAuth();
  const project = useProject(projectId);
  const update = useUpdateProject(projectId);
  const navigate = useNavigate();
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
          children: <Link to="/projects/mine">See your projects</Link>,
        }}
      />
    );
  }
  const data = project.data;
  if (data.client_id !== user?.id || data.status !== "open") {
    return (
      <EmptyState title="This project cannot be changed">
        Only its owner can change a project, while it is open.{" "}
        <Link to={`/projects/${data.id}`} className="underline">
          Back to the project
        </Link>
      </EmptyState>
    );
  }
  return (
    <>
      <title>{`Edit ${data.title} · ReelByte`}</title>
      <nav aria-label="Breadcrumb" className="text-sm text-muted-foreground">
        <Link to={`/projects/${data.id}`} className="hover:underline">
          {data.title}
        </Link>
      </nav>
      <h1 className="text-2xl font-bold tracking-tight">Edit the project</h1>
      <ProjectForm
        initial={projectValues(data)}
        currency={data.budget_min.currency}
        submitLabel="Save changes"
        onSubmit={async (body) => {
          await update.mutateAsync(body);
          await navigate(`/projects/${data.id}`);
        }}
      />
    </>
  );
}

/** Post a project (`/projects/new`) or change an open one (`/projects/:projectId/edit`). */
export function Component() {
  const { projectId } = useParams();
  const { user } = useAuth();
  if (user?.role === "creator") {
    return (
      <div className="mx-auto w-full max-w-3xl">
        <EmptyState title="Creators do not post projects">
          Projects are posted by clients.{" "}
          <Link to="/projects" className="underline">
            Browse projects
          </Link>{" "}
          to send a proposal.
        </EmptyState>
      </div>
    );
  }
  return (
    <div className="mx-auto flex w-full max-w-3xl flex-col gap-6">
      {projectId ? <EditProject projectId={projectId} /> : <NewProject />}
    </div>
  );
}
Component.displayName = "ProjectEditorPage";
