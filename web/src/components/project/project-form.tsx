import { useState, type FormEvent } from "react";
import { errorMessage, isApiError } from "@/api/errors";
import type { ProjectCreate } from "@/api/projects";
import { useCategories } from "@/api/queries";
import {
  FormAlert,
  FormField,
  SelectField,
  SubmitButton,
  TextareaField,
} from "@/components/form-field";
import type { Currency } from "./model";
import {
  projectBody,
  validateProject,
  type ProjectErrors as Errors,
  type ProjectValues,
} from "./project-values";

const FIELD_OF: Record<string, keyof ProjectValues> = {
  title: "title",
  description: "description",
  category_id: "category",
  subcategory_id: "subcategory",
  budget_min: "budgetMin",
  budget_max: "budgetMax",
  deadline: "deadline",
  required_skills: "skills",
  visibility: "visibility",
};

/** The API's refusal, next to the field it is about when it names one. */
function apiErrors(error: unknown): { fields: Errors; general: string | null } {
  if (!isApiError(error)) return { fields: {}, general: errorMessage(error) };
  if (error.code === "invalid_budget_range" || error.code === "currency_mismatch")
    return { fields: { budgetMax: error.message }, general: null };
  if (error.code === "invalid_category")
    return { fields: { category: error.message }, general: null };
  if (error.code === "invalid_subcategory")
    return { fields: { subcategory: error.message }, general: null };
  const fields: Errors = {};
  for (const [loc, message] of Object.entries(error.fieldErrors)) {
    const field = FIELD_OF[loc.split(".")[0] ?? ""];
    if (field && !fields[field]) fields[field] = message;
  }
  return Object.keys(fields).length > 0
    ? { fields, general: null }
    : { fields: {}, general: error.message };
}

/** Post a project, or change an open one. `onSubmit` sends it; its error is shown here. */
export function ProjectForm({
  initial,
  currency,
  submitLabel,
  onSubmit,
}: {
  initial: ProjectValues;
  currency: Currency;
  submitLabel: string;
  onSubmit: (body: ProjectCreate) => Promise<unknown>;
}) {
  const categories = useCategories();
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<Errors>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (change: Partial<ProjectValues>) =>
    setValues((current) => ({ ...current, ...change }));
  const category = categories.data?.find((item) => String(item.id) === values.category);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = validateProject(values);
    setErrors(found);
    setGeneral(null);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      await onSubmit(projectBody(values, currency));
    } catch (error) {
      const { fields, general: message } = apiErrors(error);
      setErrors(fields);
      setGeneral(message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(event) => void submit(event)} noValidate className="flex flex-col gap-5">
      <FormAlert message={general} />
      <FormField
        label="Title"
        value={values.title}
        maxLength={120}
        onChange={(event) => set({ title: event.target.value })}
        error={errors.title}
        hint="What you need, in a line: “A 60-second launch teaser for our app”"
      />
      <TextareaField
        label="Description"
        rows={7}
        value={values.description}
        maxLength={5000}
        onChange={(event) => set({ description: event.target.value })}
        error={errors.description}
        hint="The footage you have, the style, the formats and anything a creator must know."
      />
      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField
          label="Category"
          value={values.category}
          onChange={(event) => set({ category: event.target.value, subcategory: "" })}
          error={
            errors.category ?? (categories.isError ? "Could not load the categories." : undefined)
          }
        >
          <option value="">{categories.isPending ? "Loading…" : "Choose a category"}</option>
          {categories.data?.map((item) => (
            <option key={item.id} value={item.id}>
              {item.name}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Subcategory (optional)"
          value={values.subcategory}
          onChange={(event) => set({ subcategory: event.target.value })}
          disabled={!category || category.subcategories.length === 0}
          error={errors.subcategory}
        >
          <option value="">Any</option>
          {category?.subcategories.map((item) => (
            <option key={item.id} value={item.id}>
              {item.name}
            </option>
          ))}
        </SelectField>
      </div>
      <fieldset className="flex flex-col gap-2">
        <legend className="mb-1 text-sm font-medium">Budget ({currency})</legend>
        <div className="grid gap-4 sm:grid-cols-2">
          <FormField
            label="From"
            inputMode="decimal"
            value={values.budgetMin}
            onChange={(event) => set({ budgetMin: event.target.value })}
            error={errors.budgetMin}
          />
          <FormField
            label="To"
            inputMode="decimal"
            value={values.budgetMax}
            onChange={(event) => set({ budgetMax: event.target.value })}
            error={errors.budgetMax}
          />
        </div>
      </fieldset>
      <div className="grid gap-4 sm:grid-cols-2">
        <FormField
          label="Deadline"
          type="date"
          value={values.deadline}
          onChange={(event) => set({ deadline: event.target.value })}
          error={errors.deadline}
        />
        <FormField
          label="Skills"
          value={values.skills}
          onChange={(event) => set({ skills: event.target.value })}
          error={errors.skills}
          hint="Separated by commas: color grading, motion graphics"
        />
      </div>
      <fieldset className="flex flex-col gap-2">
        <legend className="mb-1 text-sm font-medium">Who can see it</legend>
        {(
          [
            ["public", "Public", "Any creator can find it and send a proposal."],
            ["invite_only", "Invite only", "Only the creators you invite can see it and propose."],
          ] as const
        ).map(([value, label, hint]) => (
          <label key={value} className="flex items-start gap-3 rounded-md border p-3 text-sm">
            <input
              type="radio"
              name="visibility"
              value={value}
              checked={values.visibility === value}
              onChange={() => set({ visibility: value })}
              className="mt-1"
            />
            <span>
              <span className="block font-medium">{label}</span>
              <span className="block text-muted-foreground">{hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <SubmitButton busy={busy} className="self-start">
        {submitLabel}
      </SubmitButton>
    </form>
  );
}
