import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { useProjectSearch } from "@/api/projects";
import { useCategories } from "@/api/queries";
import { useAuth } from "@/auth/auth-context";
import { FormField, SelectField } from "@/components/form-field";
import { PagedList } from "@/components/paged-list";
import { filtersOf, queryOf, SORTS, type Filters } from "@/components/project/browse-query";
import { ProjectCard } from "@/components/project/project-card";
import { toCents } from "@/components/project/model";
import { EmptyState } from "@/components/states";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/utils";

function FilterForm({ initial, onApply }: { initial: Filters; onApply: (f: Filters) => void }) {
  const categories = useCategories();
  const [draft, setDraft] = useState(initial);
  const [errors, setErrors] = useState<Partial<Filters>>({});
  const set = (change: Partial<Filters>) => setDraft((current) => ({ ...current, ...change }));
  // On a phone the filters beyond the words fold away (open when one is set).
  const [expanded, setExpanded] = useState(
    Boolean(initial.category || initial.min || initial.max || initial.skills),
  );
  const more = cn(!expanded && "max-sm:hidden");

  function submit(event: FormEvent) {
    event.preventDefault();
    const found: Partial<Filters> = {};
    if (draft.min && toCents(draft.min) === null) found.min = "Enter an amount such as 100.";
    if (draft.max && toCents(draft.max) === null) found.max = "Enter an amount such as 500.";
    const low = toCents(draft.min);
    const high = toCents(draft.max);
    if (!found.max && low !== null && high !== null && low > high)
      found.max = "The maximum must not be below the minimum.";
    setErrors(found);
    if (Object.keys(found).length === 0) onApply(draft);
  }

  return (
    <form
      role="search"
      aria-label="Find projects"
      onSubmit={submit}
      className="grid gap-4 rounded-xl border p-4 sm:grid-cols-2 lg:grid-cols-6"
    >
      <div className="sm:col-span-2">
        <FormField
          label="Search projects"
          type="search"
          value={draft.q}
          onChange={(event) => set({ q: event.target.value })}
        />
      </div>
      <Button
        type="button"
        variant="outline"
        className="sm:hidden"
        aria-expanded={expanded}
        onClick={() => setExpanded((open) => !open)}
      >
        {expanded ? "Fewer filters" : "More filters"}
      </Button>
      <div className={more}>
        <SelectField
          label="Category"
          value={draft.category}
          onChange={(event) => set({ category: event.target.value })}
        >
          <option value="">All categories</option>
          {categories.data?.map((item) => (
            <option key={item.id} value={item.id}>
              {item.name}
            </option>
          ))}
        </SelectField>
      </div>
      <div className={more}>
        <FormField
          label="Budget from"
          inputMode="decimal"
          value={draft.min}
          onChange={(event) => set({ min: event.target.value })}
          error={errors.min}
        />
      </div>
      <div className={more}>
        <FormField
          label="Budget to"
          inputMode="decimal"
          value={draft.max}
          onChange={(event) => set({ max: event.target.value })}
          error={errors.max}
        />
      </div>
      <div className={more}>
        <FormField
          label="Skills"
          value={draft.skills}
          onChange={(event) => set({ skills: event.target.value })}
          hint="Comma separated"
        />
      </div>
      <Button type="submit" className="sm:col-span-2 lg:col-span-6 lg:justify-self-end">
        Apply filters
      </Button>
    </form>
  );
}

/** Browse and search the projects clients posted (the invite-only ones a viewer was invited to
 * show too). Everything lives in the URL. */
export function Component() {
  const { user } = useAuth();
  const [params, setParams] = useSearchParams();
  const query = queryOf(params);
  const results = useProjectSearch(query);
  const page = query.page ?? 1;
  const posts = user !== null && user.role !== "creator";

  function update(changes: Record<string, string | null>) {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null || value === "") next.delete(key);
      else next.set(key, value);
    }
    setParams(next);
    window.scrollTo({ top: 0 });
  }

  return (
    <div className="mx-auto flex w-full max-w-6xl flex-col gap-6">
      <title>Projects · ReelByte</title>
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-bold tracking-tight">Projects</h1>
          <p className="text-sm text-muted-foreground">
            Briefs from clients looking for a video creator. Send a proposal to the ones you fit.
          </p>
        </div>
        {posts && (
          <Button asChild>
            <Link to="/projects/new">Post a project</Link>
          </Button>
        )}
      </div>
      <FilterForm
        key={params.toString()}
        initial={filtersOf(params)}
        onApply={(filters) => update({ ...filters, page: null })}
      />
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-muted-foreground" aria-live="polite">
          {results.data
            ? `${results.data.total}${results.data.total_is_exact ? "" : "+"} ${
                results.data.total === 1 ? "project" : "projects"
              }`
            : ""}
        </p>
        <div className="flex items-center gap-2">
          <label htmlFor="project-sort" className="text-sm text-muted-foreground">
            Sort
          </label>
          <select
            id="project-sort"
            value={query.sort_by ?? "newest"}
            onChange={(event) => update({ sort: event.target.value, page: null })}
            className="h-9 rounded-md border border-input bg-background px-2 text-sm"
          >
            {query.q && <option value="relevance">Best match</option>}
            {SORTS.map((item) => (
              <option key={item.value} value={item.value}>
                {item.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <PagedList
        query={results}
        label="Projects found"
        pagerLabel="Project pages"
        noun="the projects"
        empty={
          <EmptyState title="No projects match">
            Try fewer filters{posts ? ", or post your own project." : "."}
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
Component.displayName = "ProjectsPage";
