/**
 * Search (src/reelbyte/search/router.py): gigs, creators and projects with every filter the API
 * takes, and suggestions as one types. The search page keeps its whole state in the URL
 * (`readSearch`/`writeSearch`), so a search can be shared and the back button works.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { unwrap } from "./client";
import { useApi } from "./context";
import type { components, operations } from "./schema";

type Schemas = components["schemas"];
export type CreatorLevel = Schemas["CreatorLevel"];
export type Availability = Schemas["Availability"];
export type ProjectStatus = Schemas["ProjectStatus"];
export type GigSort = Schemas["GigSort"];
export type CreatorSort = Schemas["CreatorSort"];
export type ProjectSort = Schemas["ProjectSort"];
export type GigHit = Schemas["GigHit"];
export type CreatorHit = Schemas["CreatorHit"];
export type ProjectOut = Schemas["ProjectOut"];
export type Suggestion = Schemas["Suggestion"];

type QueryOf<Operation> = Operation extends { parameters: { query?: infer Query } }
  ? NonNullable<Query>
  : never;
export type GigSearchQuery = QueryOf<operations["search_gigs_v1_search_gigs_get"]>;
export type CreatorSearchQuery = QueryOf<operations["search_creators_v1_search_creators_get"]>;
export type ProjectSearchQuery = QueryOf<operations["search_projects_v1_search_projects_get"]>;

export const PAGE_SIZE = 20;

export const searchKeys = {
  gigs: (query: GigSearchQuery) => ["search", "gigs", query] as const,
  creators: (query: CreatorSearchQuery) => ["search", "creators", query] as const,
  projects: (query: ProjectSearchQuery) => ["search", "projects", query] as const,
  suggestions: (text: string) => ["search", "suggestions", text] as const,
};

// --- the page's state in the URL ------------------------------------------------------------

export const TABS = ["gigs", "creators", "projects"] as const;
export type SearchTab = (typeof TABS)[number];

export const LEVELS: readonly CreatorLevel[] = ["new", "rising", "pro", "top"];
export const AVAILABILITIES: readonly Availability[] = ["full-time", "part-time", "unavailable"];
export const PROJECT_STATUSES: readonly ProjectStatus[] = [
  "open",
  "in_progress",
  "completed",
  "cancelled",
];
export const SORTS = {
  gigs: ["relevance", "popular", "rating", "newest", "price_asc", "price_desc"],
  creators: ["relevance", "rating", "popular", "newest"],
  projects: ["relevance", "newest", "budget_desc", "budget_asc", "deadline"],
} as const satisfies {
  gigs: readonly GigSort[];
  creators: readonly CreatorSort[];
  projects: readonly ProjectSort[];
};

/** The API's limits on list filters (catalog/listing.py, search/creators.py, projects/listing.py). */
export const LIMITS = { tags: 10, tagLength: 40, creatorSkills: 10, projectSkills: 20 } as const;

/** The URL's parameters: one name per filter, lists repeated (`level=pro&level=top`). */
export interface SearchFilters {
  category?: number;
  subcategory?: number;
  minPrice?: string;
  maxPrice?: string;
  maxDays?: number;
  levels: CreatorLevel[];
  minRating?: string;
  tags: string[];
  skills: string[];
  availability: Availability[];
  maxRate?: string;
  minBudget?: string;
  maxBudget?: string;
  status?: ProjectStatus;
}

export interface SearchState {
  tab: SearchTab;
  q: string;
  page: number;
  sort?: string;
  filters: SearchFilters;
}

export const AMOUNT = /^\d{1,8}(\.\d{1,2})?$/;
export const RATING = /^([0-4](\.\d{1,2})?|5(\.0{1,2})?)$/;

function positiveInt(value: string | null, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === null || !/^\d+$/.test(value)) return undefined;
  const number = Number(value);
  return number >= 1 && number <= max ? number : undefined;
}

function matching(value: string | null, pattern: RegExp): string | undefined {
  return value !== null && pattern.test(value) ? value : undefined;
}

function oneOf<T extends string>(allowed: readonly T[], value: string | null): T | undefined {
  return allowed.find((item) => item === value);
}

function someOf<T extends string>(allowed: readonly T[], values: string[]): T[] {
  return allowed.filter((item) => values.includes(item));
}

function labels(values: string[], max: number): string[] {
  const seen = new Map<string, string>();
  for (const value of values) {
    const label = value.trim();
    if (label && !seen.has(label.toLowerCase())) seen.set(label.toLowerCase(), label);
  }
  return [...seen.values()].slice(0, max);
}

export function readSearch(params: URLSearchParams): SearchState {
  const tab = oneOf(TABS, params.get("type")) ?? "gigs";
  const sort = params.get("sort");
  return {
    tab,
    q: params.get("q") ?? "",
    page: positiveInt(params.get("page")) ?? 1,
    sort: (SORTS[tab] as readonly string[]).includes(sort ?? "") ? (sort ?? undefined) : undefined,
    filters: {
      category: positiveInt(params.get("category")),
      subcategory: positiveInt(params.get("subcategory")),
      minPrice: matching(params.get("min_price"), AMOUNT),
      maxPrice: matching(params.get("max_price"), AMOUNT),
      maxDays: positiveInt(params.get("max_days"), 365),
      levels: someOf(LEVELS, params.getAll("level")),
      minRating: matching(params.get("min_rating"), RATING),
      tags: labels(params.getAll("tag"), LIMITS.tags),
      skills: labels(
        params.getAll("skill"),
        tab === "creators" ? LIMITS.creatorSkills : LIMITS.projectSkills,
      ),
      availability: someOf(AVAILABILITIES, params.getAll("availability")),
      maxRate: matching(params.get("max_rate"), AMOUNT),
      minBudget: matching(params.get("min_budget"), AMOUNT),
      maxBudget: matching(params.get("max_budget"), AMOUNT),
      status: oneOf(PROJECT_STATUSES, params.get("status")),
    },
  };
}

/** Which filters each tab has (the others are left out of its URL). */
const TAB_FILTERS: Record<SearchTab, (keyof SearchFilters)[]> = {
  gigs: [
    "category",
    "subcategory",
    "minPrice",
    "maxPrice",
    "maxDays",
    "levels",
    "minRating",
    "tags",
  ],
  creators: ["skills", "levels", "minRating", "availability", "maxRate"],
  projects: ["category", "subcategory", "minBudget", "maxBudget", "skills", "status"],
};

const PARAM_NAMES: Record<keyof SearchFilters, string> = {
  category: "category",
  subcategory: "subcategory",
  minPrice: "min_price",
  maxPrice: "max_price",
  maxDays: "max_days",
  levels: "level",
  minRating: "min_rating",
  tags: "tag",
  skills: "skill",
  availability: "availability",
  maxRate: "max_rate",
  minBudget: "min_budget",
  maxBudget: "max_budget",
  status: "status",
};

export function writeSearch(state: SearchState): URLSearchParams {
  const params = new URLSearchParams();
  if (state.tab !== "gigs") params.set("type", state.tab);
  if (state.q.trim()) params.set("q", state.q.trim());
  for (const key of TAB_FILTERS[state.tab]) {
    const value = state.filters[key];
    const name = PARAM_NAMES[key];
    if (Array.isArray(value)) for (const item of value) params.append(name, item);
    else if (value !== undefined && value !== "") params.set(name, String(value));
  }
  if (state.sort) params.set("sort", state.sort);
  if (state.page > 1) params.set("page", String(state.page));
  return params;
}

export const emptyFilters = (): SearchFilters => ({
  levels: [],
  tags: [],
  skills: [],
  availability: [],
});

/** Drop what is empty: the query key (and the request) then holds only what was chosen. */
function defined<T extends object>(query: T): T {
  return Object.fromEntries(
    Object.entries(query).filter(
      ([, value]) =>
        value !== undefined && value !== "" && !(Array.isArray(value) && value.length === 0),
    ),
  ) as T;
}

export function gigQuery({ q, page, sort, filters }: SearchState): GigSearchQuery {
  return defined({
    q: q.trim() || undefined,
    category_id: filters.category,
    subcategory_id: filters.category ? filters.subcategory : undefined,
    min_price: filters.minPrice,
    max_price: filters.maxPrice,
    max_delivery_days: filters.maxDays,
    creator_level: filters.levels,
    min_rating: filters.minRating,
    tags: filters.tags,
    sort_by: sort as GigSort | undefined,
    page,
    page_size: PAGE_SIZE,
  });
}

export function creatorQuery({ q, page, sort, filters }: SearchState): CreatorSearchQuery {
  return defined({
    q: q.trim() || undefined,
    skills: filters.skills,
    creator_level: filters.levels,
    min_rating: filters.minRating,
    availability: filters.availability,
    max_hourly_rate: filters.maxRate,
    sort_by: sort as CreatorSort | undefined,
    page,
    page_size: PAGE_SIZE,
  });
}

export function projectQuery({ q, page, sort, filters }: SearchState): ProjectSearchQuery {
  return defined({
    q: q.trim() || undefined,
    category_id: filters.category,
    subcategory_id: filters.category ? filters.subcategory : undefined,
    min_budget: filters.minBudget,
    max_budget: filters.maxBudget,
    skills: filters.skills,
    status: filters.status,
    sort_by: sort as ProjectSort | undefined,
    page,
    page_size: PAGE_SIZE,
  });
}

// --- the hooks ---------------------------------------------------------------------------------

export function useSearchGigs(query: GigSearchQuery, enabled = true) {
  const { client } = useApi();
  return useQuery({
    queryKey: searchKeys.gigs(query),
    queryFn: ({ signal }) => unwrap(client.GET("/v1/search/gigs", { params: { query }, signal })),
    enabled,
    placeholderData: keepPreviousData,
  });
}

export function useSearchCreators(query: CreatorSearchQuery, enabled = true) {
  const { client } = useApi();
  return useQuery({
    queryKey: searchKeys.creators(query),
    queryFn: ({ signal }) =>
      unwrap(client.GET("/v1/search/creators", { params: { query }, signal })),
    enabled,
    placeholderData: keepPreviousData,
  });
}

export function useSearchProjects(query: ProjectSearchQuery, enabled = true) {
  const { client } = useApi();
  return useQuery({
    queryKey: searchKeys.projects(query),
    queryFn: ({ signal }) =>
      unwrap(client.GET("/v1/search/projects", { params: { query }, signal })),
    enabled,
    placeholderData: keepPreviousData,
  });
}

/** Completions of `text` (already debounced by the caller). A newer text supersedes the
 * request: TanStack Query aborts it through `signal` once nothing observes it any more. */
export function useSuggestions(text: string, limit = 8) {
  const { client } = useApi();
  const q = text.trim();
  return useQuery({
    queryKey: searchKeys.suggestions(q.toLowerCase()),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET("/v1/search/suggestions", {
          params: { query: { q: q.slice(0, 200), limit } },
          signal,
        }),
      ),
    enabled: q.length > 0,
    staleTime: 60_000,
    placeholderData: keepPreviousData,
  });
}

/** The most searched queries that found something (for the home page). */
export function usePopularSearches(limit = 6) {
  const { client } = useApi();
  return useQuery({
    queryKey: ["search", "popular", limit] as const,
    queryFn: ({ signal }) =>
      unwrap(client.GET("/v1/search/popular", { params: { query: { limit } }, signal })),
    staleTime: 10 * 60_000,
    retry: false,
  });
}
