import type { ProjectSearchQuery, ProjectSort } from "@/api/projects";
import { toCents } from "./model";
import { skillsOf } from "./project-values";

export const PAGE_SIZE = 20;

export const SORTS: { value: ProjectSort; label: string }[] = [
  { value: "newest", label: "Newest" },
  { value: "deadline", label: "Deadline soonest" },
  { value: "budget_desc", label: "Budget: high to low" },
  { value: "budget_asc", label: "Budget: low to high" },
];

export interface Filters {
  q: string;
  category: string;
  min: string;
  max: string;
  skills: string;
}

export function filtersOf(params: URLSearchParams): Filters {
  return {
    q: params.get("q") ?? "",
    category: params.get("category") ?? "",
    min: params.get("min") ?? "",
    max: params.get("max") ?? "",
    skills: params.get("skills") ?? "",
  };
}

/** The URL's filters as the API's query (invalid amounts are left out; the form flags them). */
export function queryOf(params: URLSearchParams): ProjectSearchQuery {
  const filters = filtersOf(params);
  const sort = params.get("sort");
  const page = Math.max(1, Number(params.get("page")) || 1);
  const query: ProjectSearchQuery = { page, page_size: PAGE_SIZE };
  if (filters.q.trim()) query.q = filters.q.trim();
  if (/^\d+$/.test(filters.category)) query.category_id = Number(filters.category);
  if (toCents(filters.min) !== null) query.min_budget = filters.min;
  if (toCents(filters.max) !== null) query.max_budget = filters.max;
  const skills = skillsOf(filters.skills);
  if (skills.length > 0) query.skills = skills;
  if (SORTS.some((item) => item.value === sort)) query.sort_by = sort as ProjectSort;
  else if (query.q) query.sort_by = "relevance";
  return query;
}
