import { useState, type FormEvent } from "react";
import { errorMessage, isApiError } from "@/api/errors";
import { useCreateProposal, type ProjectOut } from "@/api/projects";
import { EmailNotVerified } from "@/components/email-not-verified";
import { FormAlert, FormField, SubmitButton, TextareaField } from "@/components/form-field";
import { formatMoney } from "@/lib/format";
import { MilestoneRows } from "./milestone-rows";
import { checkSplit, fromCents, proposalMilestones, toCents, type MilestoneDraft } from "./model";

interface Errors {
  coverLetter?: string;
  price?: string;
  days?: string;
  milestones?: string;
}

/** A creator's proposal: cover letter, price, days, and the milestones they propose. */
export function ProposalForm({ project }: { project: ProjectOut }) {
  const create = useCreateProposal(project.id);
  const currency = project.budget_min.currency;
  const [coverLetter, setCoverLetter] = useState("");
  const [price, setPrice] = useState("");
  const [days, setDays] = useState("");
  const [milestones, setMilestones] = useState<MilestoneDraft[]>([]);
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState<unknown>(null);
  const priceCents = toCents(price);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: Errors = {};
    if (coverLetter.trim().length < 20)
      found.coverLetter = "Tell the client how you would do it (20 characters or more).";
    if (priceCents === null || priceCents === 0) found.price = "Enter a price such as 450.";
    const dayCount = Number(days);
    if (!Number.isInteger(dayCount) || dayCount < 1 || dayCount > 365)
      found.days = "Enter a number of days from 1 to 365.";
    if (milestones.length > 0 && !checkSplit(milestones, priceCents).ok)
      found.milestones = "Give each milestone a title and an amount; together they make the price.";
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length > 0) return;
    try {
      await create.mutateAsync({
        project_id: project.id,
        cover_letter: coverLetter.trim(),
        price: { currency, value: fromCents(priceCents ?? 0) },
        delivery_days: dayCount,
        milestones: proposalMilestones(milestones, currency),
      });
    } catch (error) {
      if (isApiError(error)) {
        const fields = error.fieldErrors;
        const next: Errors = {
          coverLetter: fields.cover_letter,
          price: fields.price ?? (error.code === "currency_mismatch" ? error.message : undefined),
          days: fields.delivery_days,
          milestones:
            error.code === "proposal_milestones_do_not_add_up"
              ? error.message
              : Object.entries(fields).find(([field]) => field.startsWith("milestones"))?.[1],
        };
        if (next.coverLetter || next.price || next.days || next.milestones) {
          setErrors(next);
          return;
        }
      }
      setFailure(error);
    }
  }

  return (
    <form onSubmit={(event) => void submit(event)} noValidate className="flex flex-col gap-4">
      <EmailNotVerified error={failure}>
        <FormAlert message={failure ? errorMessage(failure) : null} />
      </EmailNotVerified>
      <TextareaField
        label="Cover letter"
        rows={6}
        maxLength={5000}
        value={coverLetter}
        onChange={(event) => setCoverLetter(event.target.value)}
        error={errors.coverLetter}
        hint="Your approach, similar work you did, and what you need from the client."
      />
      <div className="grid gap-4 sm:grid-cols-2">
        <FormField
          label={`Price (${currency})`}
          inputMode="decimal"
          value={price}
          onChange={(event) => setPrice(event.target.value)}
          error={errors.price}
          hint={`The client’s budget: ${formatMoney(project.budget_min)} – ${formatMoney(project.budget_max)}`}
        />
        <FormField
          label="Delivery in days"
          type="number"
          min={1}
          max={365}
          value={days}
          onChange={(event) => setDays(event.target.value)}
          error={errors.days}
        />
      </div>
      <fieldset className="flex flex-col gap-2">
        <legend className="text-sm font-medium">Milestones (optional)</legend>
        <p className="text-xs text-muted-foreground">
          Split the price into steps the client funds and approves one by one.
        </p>
        <MilestoneRows
          idPrefix="proposal-milestone"
          rows={milestones}
          onChange={setMilestones}
          totalCents={priceCents}
          currency={currency}
        />
        {errors.milestones && <p className="text-sm text-destructive">{errors.milestones}</p>}
      </fieldset>
      <SubmitButton busy={create.isPending} className="self-start">
        Send proposal
      </SubmitButton>
    </form>
  );
}
