import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { useWithdraw, type BalanceOut } from "@/api/creator";
import { errorMessage, isApiError } from "@/api/errors";
import { EmailNotVerified } from "@/components/email-not-verified";
import { FormAlert, FormField, SubmitButton } from "@/components/form-field";
import { formatMoney } from "@/lib/format";
import { centsToValue, parseCents, valueToCents } from "./money";

function withdrawSchema(available: BalanceOut["available"]) {
  const availableCents = valueToCents(available.value);
  return z.object({
    amount: z.string().superRefine((text, context) => {
      const cents = parseCents(text);
      const issue = (message: string) => context.addIssue({ code: "custom", message });
      if (cents === null) issue("Enter an amount such as 50 or 49.99.");
      else if (cents <= 0) issue("The amount must be more than zero.");
      else if (cents > availableCents)
        issue(`You can withdraw at most ${formatMoney(available)}, your available balance.`);
    }),
  });
}
type WithdrawValues = z.infer<ReturnType<typeof withdrawSchema>>;

function newKey(): string {
  return (
    globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`
  );
}

/** Withdraw from the available balance. Remount it (`key`) when the balance changes: its rules
 * are made from the balance. `onWithdrawn` says what was requested (kept above the form, since
 * the new balance remounts it). */
export function WithdrawForm({
  available,
  onWithdrawn,
}: {
  available: BalanceOut["available"];
  onWithdrawn: (message: string | null) => void;
}) {
  const withdraw = useWithdraw();
  // One Idempotency-Key per withdrawal: sending the same one again after a failure that may
  // have reached the API cannot withdraw twice.
  const [attempt, setAttempt] = useState<{ amount: string; key: string } | null>(null);
  const form = useForm<WithdrawValues>({
    resolver: zodResolver(withdrawSchema(available)),
    defaultValues: { amount: "" },
  });
  const { errors, isSubmitting } = form.formState;
  const nothing = valueToCents(available.value) === 0;

  const submit = form.handleSubmit(async ({ amount }) => {
    onWithdrawn(null);
    const value = centsToValue(parseCents(amount) ?? 0);
    const current = attempt?.amount === value ? attempt : { amount: value, key: newKey() };
    setAttempt(current);
    try {
      const withdrawal = await withdraw.mutateAsync({
        amount: { currency: available.currency, value },
        key: current.key,
      });
      setAttempt(null);
      form.reset({ amount: "" });
      onWithdrawn(
        `Withdrawal of ${formatMoney(withdrawal.amount)} requested: it is on its way to your payout account.`,
      );
    } catch (error) {
      const field = isApiError(error) ? error.fieldErrors : {};
      const message = field["amount.value"] ?? field.amount;
      if (message) form.setError("amount", { message });
      // The API answered: this withdrawal is settled, the next one gets a new key.
      if (isApiError(error) && error.status >= 400 && error.status < 500) setAttempt(null);
    }
  });

  return (
    <form noValidate onSubmit={submit} className="flex flex-col gap-4" aria-label="Withdraw">
      <EmailNotVerified error={withdraw.error}>
        <FormAlert message={withdraw.isError ? errorMessage(withdraw.error) : null} />
      </EmailNotVerified>
      <FormField
        label={`Amount (${available.currency})`}
        inputMode="decimal"
        autoComplete="off"
        hint={`Up to ${formatMoney(available)}.`}
        error={errors.amount?.message}
        disabled={nothing}
        {...form.register("amount")}
      />
      <SubmitButton busy={isSubmitting} className="self-start" disabled={nothing}>
        Withdraw
      </SubmitButton>
      {nothing && (
        <p className="text-sm text-muted-foreground">
          Nothing to withdraw yet: earnings become available when clients approve deliveries.
        </p>
      )}
    </form>
  );
}
