import { useId, useMemo, useState, type FormEvent, type ReactNode } from "react";
import { Link, useSearchParams } from "react-router";
import { useCategories, type CategoryNode } from "@/api/queries";
import {
  AMOUNT,
  AVAILABILITIES,
  creatorQuery,
  emptyFilters,
  gigQuery,
  LEVELS,
  LIMITS,
  PROJECT_STATUSES,
  projectQuery,
  readSearch,
  SORTS,
  useSearchCreators,
  useSearchGigs,
  useSearchProjects,
  writeSearch,
  type Availability,
  type CreatorLevel,
  type ProjectOut,
  type ProjectStatus,
  type SearchFilters,
  type SearchState,
  type SearchTab,
} from "@/api/search";
import { Pager } from "@/components/pager";
import { GigCard, GigCardSkeleton, GigGrid } from "@/components/gig-card";
import { CreatorHitCard } from "@/components/profile/creator-hit-card";
import { AVAILABILITY_LABELS } from "@/components/profile/profile-schema";
import { EmptyState, ErrorState } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { formatDate, formatMoney, levelLabel, plural } from "@/lib/format";
import { cn } from "@/lib/utils";

const TAB_LABELS: Record<SearchTab, string> = {
  gigs: "Gigs",
  creators: "Creators",
  projects: "Projects",
};
const BROWSE_TITLES: Record<SearchTab, string> = {
  gigs: "Browse gigs",
  creators: "Find creators",
  projects: "Browse projects",
};
const NOUNS: Record<SearchTab, string> = { gigs: "gig", creators: "creator", projects: "project" };

const SORT_LABELS: Record<string, string> = {
  relevance: "Best match",
  popular: "Most popular",
  rating: "Highest rated",
  newest: "Newest",
  price_asc: "Price: low to high",
  price_desc: "Price: high to low",
  budget_desc: "Budget: high to low",
  budget_asc: "Budget: low to high",
  deadline: "Deadline: soonest",
};
const STATUS_LABELS: Record<ProjectStatus, string> = {
  open: "Open",
  in_progress: "In progress",
  completed: "Completed",
  cancelled: "Cancelled",
};
const DELIVERY_DAYS = [1, 3, 7, 14, 30];
const RATINGS = ["4.5", "4", "3"];

const selectClass =
  "h-10 w-full rounded-md border border-input bg-background px-3 text-base shadow-xs focus-visible:outline-2 focus-visible:outline-offset-0 focus-visible:outline-ring md:text-sm";

// --- the filter form: a draft of the URL's filters, applied together -----------------------

type Draft = Omit<SearchFilters, "tags" | "skills"> & { tags: string; skills: string };

function draftOf(filters: SearchFilters): Draft {
  return { ...filters, tags: filters.tags.join(", "), skills: filters.skills.join(", ") };
}

function splitLabels(text: string): string[] {
  return text
    .split(",")
    .map((label) => label.trim())
    .filter(Boolean);
}

type Errors = Partial<Record<keyof Draft, string>>;

function checkAmount(value: string | undefined, max: number): string | undefined {
  if (!value) return undefined;
  if (!AMOUNT.test(value) || Number(value) > max) {
    return `Enter an amount from 0 to ${max.toLocaleString()}, with at most two decimals.`;
  }
  return undefined;
}

/** The API's rules for the filters (it would refuse the search otherwise). */
function validate(tab: SearchTab, draft: Draft): Errors {
  const errors: Errors = {};
  const amount = (key: keyof Draft, max: number) => {
    const message = checkAmount(draft[key] as string | undefined, max);
    if (message) errors[key] = message;
  };
  const range = (min: keyof Draft, max: keyof Draft) => {
    const low = draft[min] as string | undefined;
    const high = draft[max] as string | undefined;
    if (!errors[min] && !errors[max] && low && high && Number(low) > Number(high)) {
      errors[max] = "The maximum must not be below the minimum.";
    }
  };
  if (tab === "gigs") {
    amount("minPrice", 1_000_000);
    amount("maxPrice", 1_000_000);
    range("minPrice", "maxPrice");
    const tags = splitLabels(draft.tags);
    if (tags.length > LIMITS.tags) errors.tags = `At most ${LIMITS.tags} tags.`;
    else if (tags.some((tag) => tag.length > LIMITS.tagLength)) {
      errors.tags = `Each tag has at most ${LIMITS.tagLength} characters.`;
    }
  }
  if (tab === "creators") amount("maxRate", 1_000_000);
  if (tab === "projects") {
    amount("minBudget", 10_000_000);
    amount("maxBudget", 10_000_000);
    range("minBudget", "maxBudget");
  }
  if (tab !== "gigs") {
    const max = tab === "creators" ? LIMITS.creatorSkills : LIMITS.projectSkills;
    const skills = splitLabels(draft.skills);
    if (skills.length > max) errors.skills = `At most ${max} skills.`;
    else if (skills.some((skill) => skill.length > 50)) {
      errors.skills = "Each skill has at most 50 characters.";
    }
  }
  return errors;
}

function Field({
  label,
  error,
  children,
  id,
}: {
  label: string;
  error?: string;
  children: ReactNode;
  id: string;
}) {
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      {children}
      {error && (
        <p id={`${id}-error`} className="text-sm text-destructive">
          {error}
        </p>
      )}
    </div>
  );
}

function TextFilter({
  label,
  value,
  error,
  onChange,
  inputMode,
  placeholder,
}: {
  label: string;
  value: string | undefined;
  error?: string;
  onChange: (value: string) => void;
  inputMode?: "decimal" | "text";
  placeholder?: string;
}) {
  const id = useId();
  return (
    <Field label={label} error={error} id={id}>
      <Input
        id={id}
        value={value ?? ""}
        inputMode={inputMode}
        placeholder={placeholder}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(event) => onChange(event.target.value)}
      />
    </Field>
  );
}

function SelectFilter({
  label,
  value,
  onChange,
  children,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <Field label={label} id={id}>
      <select
        id={id}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        className={selectClass}
      >
        {children}
      </select>
    </Field>
  );
}

/** Native checkboxes: they work in the form with no script and need no measuring. */
function CheckboxGroup<T extends string>({
  legend,
  options,
  labels,
  chosen,
  onChange,
}: {
  legend: string;
  options: readonly T[];
  labels: (value: T) => string;
  chosen: T[];
  onChange: (chosen: T[]) => void;
}) {
  const id = useId();
  return (
    <fieldset className="flex flex-col gap-2">
      <legend className="mb-1 text-sm font-medium">{legend}</legend>
      {options.map((option) => (
        <div key={option} className="flex items-center gap-2">
          <input
            type="checkbox"
            id={`${id}-${option}`}
            checked={chosen.includes(option)}
            onChange={(event) =>
              onChange(
                event.target.checked
                  ? options.filter((item) => item === option || chosen.includes(item))
                  : chosen.filter((item) => item !== option),
              )
            }
            className="size-4 shrink-0 accent-primary"
          />
          <Label htmlFor={`${id}-${option}`} className="font-normal">
            {labels(option)}
          </Label>
        </div>
      ))}
    </fieldset>
  );
}

function CategoryFilters({
  categories,
  draft,
  set,
}: {
  categories: CategoryNode[];
  draft: Draft;
  set: (change: Partial<Draft>) => void;
}) {
  const active = categories.filter((category) => category.is_active);
  const chosen = active.find((category) => category.id === draft.category);
  const subcategories = chosen?.subcategories.filter((sub) => sub.is_active) ?? [];
  return (
    <>
      <SelectFilter
        label="Category"
        value={draft.category ? String(draft.category) : ""}
        onChange={(value) =>
          set({ category: value ? Number(value) : undefined, subcategory: undefined })
        }
      >
        <option value="">Any category</option>
        {active.map((category) => (
          <option key={category.id} value={category.id}>
            {category.name}
          </option>
        ))}
      </SelectFilter>
      {subcategories.length > 0 && (
        <SelectFilter
          label="Subcategory"
          value={draft.subcategory ? String(draft.subcategory) : ""}
          onChange={(value) => set({ subcategory: value ? Number(value) : undefined })}
        >
          <option value="">Any subcategory</option>
          {subcategories.map((sub) => (
            <option key={sub.id} value={sub.id}>
              {sub.name}
            </option>
          ))}
        </SelectFilter>
      )}
    </>
  );
}

function RatingFilter({ draft, set }: { draft: Draft; set: (change: Partial<Draft>) => void }) {
  return (
    <SelectFilter
      label="Rating"
      value={draft.minRating ?? ""}
      onChange={(value) => set({ minRating: value || undefined })}
    >
      <option value="">Any rating</option>
      {RATINGS.map((rating) => (
        <option key={rating} value={rating}>
          {rating} stars and up
        </option>
      ))}
    </SelectFilter>
  );
}

function LevelFilter({ draft, set }: { draft: Draft; set: (change: Partial<Draft>) => void }) {
  return (
    <CheckboxGroup<CreatorLevel>
      legend="Creator level"
      options={LEVELS}
      labels={levelLabel}
      chosen={draft.levels}
      onChange={(levels) => set({ levels })}
    />
  );
}

function Filters({
  state,
  onApply,
  onClear,
}: {
  state: SearchState;
  onApply: (filters: SearchFilters) => void;
  onClear: () => void;
}) {
  const { tab } = state;
  const categories = useCategories();
  const [draft, setDraft] = useState<Draft>(() => draftOf(state.filters));
  const [errors, setErrors] = useState<Errors>({});
  const set = (change: Partial<Draft>) => setDraft((current) => ({ ...current, ...change }));
  const blank = (value: string) => value.trim() || undefined;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = validate(tab, draft);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    onApply({
      ...draft,
      minPrice: blank(draft.minPrice ?? ""),
      maxPrice: blank(draft.maxPrice ?? ""),
      maxRate: blank(draft.maxRate ?? ""),
      minBudget: blank(draft.minBudget ?? ""),
      maxBudget: blank(draft.maxBudget ?? ""),
      tags: splitLabels(draft.tags),
      skills: splitLabels(draft.skills),
    });
  };

  return (
    <form
      onSubmit={submit}
      noValidate
      aria-label={`Filter ${TAB_LABELS[tab].toLowerCase()}`}
      className="flex flex-col gap-4"
    >
      {tab !== "creators" && (
        <CategoryFilters categories={categories.data ?? []} draft={draft} set={set} />
      )}
      {tab === "gigs" && (
        <>
          <div className="grid grid-cols-2 gap-2">
            <TextFilter
              label="Min price"
              inputMode="decimal"
              value={draft.minPrice}
              error={errors.minPrice}
              onChange={(minPrice) => set({ minPrice })}
            />
            <TextFilter
              label="Max price"
              inputMode="decimal"
              value={draft.maxPrice}
              error={errors.maxPrice}
              onChange={(maxPrice) => set({ maxPrice })}
            />
          </div>
          <SelectFilter
            label="Delivery time"
            value={draft.maxDays ? String(draft.maxDays) : ""}
            onChange={(value) => set({ maxDays: value ? Number(value) : undefined })}
          >
            <option value="">Any time</option>
            {DELIVERY_DAYS.map((days) => (
              <option key={days} value={days}>
                Up to {plural(days, "day")}
              </option>
            ))}
          </SelectFilter>
          <LevelFilter draft={draft} set={set} />
          <RatingFilter draft={draft} set={set} />
          <TextFilter
            label="Tags"
            placeholder="e.g. wedding, 4k"
            value={draft.tags}
            error={errors.tags}
            onChange={(tags) => set({ tags })}
          />
        </>
      )}
      {tab === "creators" && (
        <>
          <TextFilter
            label="Skills"
            placeholder="e.g. After Effects, color grading"
            value={draft.skills}
            error={errors.skills}
            onChange={(skills) => set({ skills })}
          />
          <LevelFilter draft={draft} set={set} />
          <RatingFilter draft={draft} set={set} />
          <CheckboxGroup<Availability>
            legend="Availability"
            options={AVAILABILITIES}
            labels={(value) => AVAILABILITY_LABELS[value]}
            chosen={draft.availability}
            onChange={(availability) => set({ availability })}
          />
          <TextFilter
            label="Max hourly rate"
            inputMode="decimal"
            value={draft.maxRate}
            error={errors.maxRate}
            onChange={(maxRate) => set({ maxRate })}
          />
        </>
      )}
      {tab === "projects" && (
        <>
          <div className="grid grid-cols-2 gap-2">
            <TextFilter
              label="Min budget"
              inputMode="decimal"
              value={draft.minBudget}
              error={errors.minBudget}
              onChange={(minBudget) => set({ minBudget })}
            />
            <TextFilter
              label="Max budget"
              inputMode="decimal"
              value={draft.maxBudget}
              error={errors.maxBudget}
              onChange={(maxBudget) => set({ maxBudget })}
            />
          </div>
          <TextFilter
            label="Skills"
            placeholder="e.g. motion graphics"
            value={draft.skills}
            error={errors.skills}
            onChange={(skills) => set({ skills })}
          />
          <SelectFilter
            label="Status"
            value={draft.status ?? "open"}
            onChange={(value) =>
              set({ status: value === "open" ? undefined : (value as ProjectStatus) })
            }
          >
            {PROJECT_STATUSES.map((status) => (
              <option key={status} value={status}>
                {STATUS_LABELS[status]}
              </option>
            ))}
          </SelectFilter>
        </>
      )}
      <div className="flex gap-2">
        <Button type="submit" className="flex-1">
          Apply filters
        </Button>
        <Button type="button" variant="ghost" onClick={onClear}>
          Clear
        </Button>
      </div>
    </form>
  );
}

function activeFilterCount(state: SearchState): number {
  const query = writeSearch({ ...state, q: "", sort: undefined, page: 1 });
  query.delete("type");
  return [...query.keys()].length;
}

// --- results ----------------------------------------------------------------------------------

interface PageInfo {
  total: number;
  total_pages: number;
  total_is_exact: boolean;
}

function Summary({ tab, page }: { tab: SearchTab; page: PageInfo | undefined }) {
  return (
    <p className="text-sm text-muted-foreground" role="status">
      {page === undefined
        ? ""
        : page.total_is_exact
          ? plural(page.total, NOUNS[tab])
          : `${page.total.toLocaleString()}+ ${NOUNS[tab]}s`}
    </p>
  );
}

interface ResultsProps {
  state: SearchState;
  onPage: (page: number) => void;
  onSort: (sort: string) => void;
}

function SortSelect({ state, onSort }: { state: SearchState; onSort: (sort: string) => void }) {
  const id = useId();
  return (
    <div className="flex items-center gap-2">
      <label htmlFor={id} className="text-sm text-muted-foreground">
        Sort by
      </label>
      <select
        id={id}
        value={state.sort ?? "relevance"}
        onChange={(event) => onSort(event.target.value)}
        className={cn(selectClass, "h-9 w-auto")}
      >
        {SORTS[state.tab].map((sort) => (
          <option key={sort} value={sort}>
            {SORT_LABELS[sort]}
          </option>
        ))}
      </select>
    </div>
  );
}

function ResultsFrame({
  state,
  query,
  onSort,
  onPage,
  skeleton,
  children,
}: ResultsProps & {
  query: {
    data?: { items: unknown[] } & PageInfo;
    isPending: boolean;
    isError: boolean;
    error: unknown;
    isPlaceholderData: boolean;
    refetch: () => unknown;
  };
  skeleton: ReactNode;
  children: ReactNode;
}) {
  const noun = NOUNS[state.tab];
  return (
    <section aria-labelledby="results" className="flex flex-col gap-4">
      <h2 id="results" className="sr-only">
        Results
      </h2>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <Summary tab={state.tab} page={query.data} />
        <SortSelect state={state} onSort={onSort} />
      </div>
      {query.isPending ? (
        <div role="status" aria-busy="true" aria-label={`Loading ${noun}s`}>
          {skeleton}
        </div>
      ) : query.isError || !query.data ? (
        <ErrorState
          error={query.error}
          title="Could not search"
          onRetry={() => void query.refetch()}
        />
      ) : query.data.items.length === 0 ? (
        <EmptyState title={`No ${noun}s match`}>Try other words, or fewer filters.</EmptyState>
      ) : (
        <>
          <div className={cn(query.isPlaceholderData && "opacity-60 transition-opacity")}>
            {children}
          </div>
          <Pager
            label="Pages"
            page={state.page}
            totalPages={query.data.total_pages}
            onPage={onPage}
          />
        </>
      )}
    </section>
  );
}

function GigResults(props: ResultsProps) {
  const results = useSearchGigs(gigQuery(props.state));
  return (
    <ResultsFrame
      {...props}
      query={results}
      skeleton={
        <GigGrid>
          {Array.from({ length: 8 }, (_, index) => (
            <GigCardSkeleton key={index} />
          ))}
        </GigGrid>
      }
    >
      <GigGrid label="Gigs found">
        {results.data?.items.map((gig) => (
          <GigCard key={gig.id} gig={gig} />
        ))}
      </GigGrid>
    </ResultsFrame>
  );
}

function ListSkeleton() {
  return (
    <div className="grid gap-4 md:grid-cols-2">
      {Array.from({ length: 6 }, (_, index) => (
        <Skeleton key={index} className="h-40 w-full" />
      ))}
    </div>
  );
}

function CreatorResults(props: ResultsProps) {
  const results = useSearchCreators(creatorQuery(props.state));
  return (
    <ResultsFrame {...props} query={results} skeleton={<ListSkeleton />}>
      <ul className="grid gap-4 md:grid-cols-2" aria-label="Creators found">
        {results.data?.items.map((creator) => (
          <li key={creator.id} className="flex">
            <CreatorHitCard creator={creator} />
          </li>
        ))}
      </ul>
    </ResultsFrame>
  );
}

function ProjectCard({ project }: { project: ProjectOut }) {
  return (
    <article className="flex h-full flex-col gap-2 rounded-xl border bg-card p-4 shadow-sm">
      <div className="flex items-start justify-between gap-2">
        <h3 className="font-medium">
          <Link to={`/projects/${project.id}`} className="hover:underline">
            {project.title}
          </Link>
        </h3>
        <span className="shrink-0 rounded-full bg-muted px-2.5 py-0.5 text-xs">
          {STATUS_LABELS[project.status]}
        </span>
      </div>
      <p className="font-semibold">
        {formatMoney(project.budget_min)} – {formatMoney(project.budget_max)}
      </p>
      <p className="line-clamp-3 text-sm text-muted-foreground">{project.description}</p>
      {project.required_skills.length > 0 && (
        <ul className="flex flex-wrap gap-1.5" aria-label={`Skills for ${project.title}`}>
          {project.required_skills.map((skill) => (
            <li key={skill} className="rounded-full bg-muted px-2.5 py-0.5 text-xs">
              {skill}
            </li>
          ))}
        </ul>
      )}
      <p className="mt-auto flex flex-wrap gap-x-4 pt-1 text-xs text-muted-foreground">
        <span>
          Deadline <time dateTime={project.deadline}>{formatDate(project.deadline)}</time>
        </span>
        <span>{plural(project.proposals_count, "proposal")}</span>
      </p>
    </article>
  );
}

function ProjectResults(props: ResultsProps) {
  const results = useSearchProjects(projectQuery(props.state));
  return (
    <ResultsFrame {...props} query={results} skeleton={<ListSkeleton />}>
      <ul className="grid gap-4 md:grid-cols-2" aria-label="Projects found">
        {results.data?.items.map((project) => (
          <li key={project.id}>
            <ProjectCard project={project} />
          </li>
        ))}
      </ul>
    </ResultsFrame>
  );
}

// --- the page ---------------------------------------------------------------------------------

/** Search gigs, creators and projects. Everything (tab, words, filters, sort, page) lives in
 * the URL: a search can be shared, and Back returns to the one before. */
export function Component() {
  const [params, setParams] = useSearchParams();
  const key = params.toString();
  const state = useMemo(() => readSearch(new URLSearchParams(key)), [key]);
  const categories = useCategories();
  const [showFilters, setShowFilters] = useState(false);
  const filtersId = useId();

  const go = (next: SearchState) => {
    setParams(writeSearch(next));
    window.scrollTo({ top: 0 });
  };
  const categoryName =
    categories.data?.find((category) => category.id === state.filters.category)?.name ??
    (state.filters.category ? params.get("name") : null);
  const heading = state.q
    ? `Results for “${state.q}”`
    : state.tab !== "creators" && categoryName
      ? categoryName
      : BROWSE_TITLES[state.tab];
  const filterCount = activeFilterCount(state);
  const results: ResultsProps = {
    state,
    onPage: (page) => go({ ...state, page }),
    onSort: (sort) => go({ ...state, sort: sort === "relevance" ? undefined : sort, page: 1 }),
  };

  return (
    <div className="flex flex-col gap-6">
      <title>{`${heading} · ReelByte`}</title>
      <h1 className="text-2xl font-bold tracking-tight">{heading}</h1>
      <Tabs
        value={state.tab}
        onValueChange={(tab) =>
          go({ tab: tab as SearchTab, q: state.q, page: 1, filters: emptyFilters() })
        }
      >
        <TabsList aria-label="What to search">
          {(Object.keys(TAB_LABELS) as SearchTab[]).map((tab) => (
            <TabsTrigger key={tab} value={tab}>
              {TAB_LABELS[tab]}
            </TabsTrigger>
          ))}
        </TabsList>
        <TabsContent value={state.tab} className="mt-6">
          <div className="grid gap-6 lg:grid-cols-[16rem_1fr]">
            <aside aria-label="Filters" className="flex flex-col gap-3">
              <Button
                variant="outline"
                className="lg:hidden"
                aria-expanded={showFilters}
                aria-controls={filtersId}
                onClick={() => setShowFilters(!showFilters)}
              >
                {filterCount > 0 ? `Filters (${filterCount})` : "Filters"}
              </Button>
              <div id={filtersId} className={cn(!showFilters && "hidden", "lg:block")}>
                <Filters
                  key={key}
                  state={state}
                  onApply={(filters) => go({ ...state, filters, page: 1 })}
                  onClear={() =>
                    go({ tab: state.tab, q: state.q, page: 1, filters: emptyFilters() })
                  }
                />
              </div>
            </aside>
            {state.tab === "gigs" && <GigResults {...results} />}
            {state.tab === "creators" && <CreatorResults {...results} />}
            {state.tab === "projects" && <ProjectResults {...results} />}
          </div>
        </TabsContent>
      </Tabs>
      {!state.q && filterCount === 0 && state.tab === "gigs" && (
        <p className="text-sm text-muted-foreground">
          Looking for inspiration?{" "}
          <Link to="/" className="underline">
            Browse categories
          </Link>
          .
        </p>
      )}
    </div>
  );
}
Component.displayName = "SearchPage";
