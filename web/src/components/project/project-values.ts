import type { ProjectCreate, ProjectOut, ProjectVisibility } from "@/api/projects";
import { fromCents, toCents, type Currency } from "./model";

export interface ProjectValues {
  title: string;
  description: string;
  category: string;
  subcategory: string;
  budgetMin: string;
  budgetMax: string;
  deadline: string;
  skills: string;
  visibility: ProjectVisibility;
}

export type ProjectErrors = Partial<Record<keyof ProjectValues, string>>;

const MAX_SKILLS = 20;

export function emptyProject(): ProjectValues {
  return {
    title: "",
    description: "",
    category: "",
    subcategory: "",
    budgetMin: "",
    budgetMax: "",
    deadline: "",
    skills: "",
    visibility: "public",
  };
}

export function projectValues(project: ProjectOut): ProjectValues {
  return {
    title: project.title,
    description: project.description,
    category: String(project.category_id),
    subcategory: project.subcategory_id ? String(project.subcategory_id) : "",
    budgetMin: project.budget_min.value,
    budgetMax: project.budget_max.value,
    deadline: project.deadline.slice(0, 10),
    skills: project.required_skills.join(", "),
    visibility: project.visibility,
  };
}

export function skillsOf(text: string): string[] {
  const seen = new Set<string>();
  for (const part of text.split(",")) {
    const skill = part.trim();
    if (skill) seen.add(skill);
  }
  return [...seen];
}

/** What is wrong before anything is sent (the API checks the same and more). */
export function validateProject(values: ProjectValues, today = new Date()): ProjectErrors {
  const errors: ProjectErrors = {};
  if (values.title.trim().length < 5)
    errors.title = "Give the project a title (5 characters or more).";
  if (values.description.trim().length < 20)
    errors.description = "Describe what you need (20 characters or more).";
  if (!values.category) errors.category = "Choose a category.";
  const low = toCents(values.budgetMin);
  const high = toCents(values.budgetMax);
  if (low === null || low === 0) errors.budgetMin = "Enter an amount such as 200 or 199.50.";
  if (high === null || high === 0) errors.budgetMax = "Enter an amount such as 500 or 499.50.";
  else if (low !== null && low > high)
    errors.budgetMax = "The maximum must not be below the minimum.";
  if (!values.deadline) errors.deadline = "Choose a deadline.";
  else if (values.deadline <= today.toISOString().slice(0, 10))
    errors.deadline = "The deadline must be after today.";
  const skills = skillsOf(values.skills);
  if (skills.length > MAX_SKILLS) errors.skills = `At most ${MAX_SKILLS} skills.`;
  else if (skills.some((skill) => skill.length > 50))
    errors.skills = "Each skill has at most 50 characters.";
  return errors;
}

export function projectBody(values: ProjectValues, currency: Currency): ProjectCreate {
  return {
    title: values.title.trim(),
    description: values.description.trim(),
    category_id: Number(values.category),
    subcategory_id: values.subcategory ? Number(values.subcategory) : null,
    budget_min: { currency, value: fromCents(toCents(values.budgetMin) ?? 0) },
    budget_max: { currency, value: fromCents(toCents(values.budgetMax) ?? 0) },
    deadline: values.deadline,
    required_skills: skillsOf(values.skills),
    visibility: values.visibility,
  };
}
