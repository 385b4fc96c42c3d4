import { useState, type FormEvent } from "react";
import type { BalanceOut } from "@/api/creator";
import { errorMessage, isApiError } from "@/api/errors";
import { usePayoutMethods, useWithdrawalQuote, useWithdrawTo } from "@/api/payouts";
import { centsToValue, parseCents, valueToCents } from "@/components/creator/money";
import { EmailNotVerified } from "@/components/email-not-verified";
import { FormAlert, FormField, SelectField } from "@/components/form-field";
import { Spinner } from "@/components/states";
import { Button } from "@/components/ui/button";
import { formatMoney } from "@/lib/format";
import { amountProblem } from "./format";

function newKey(): string {
  return (
    globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`
  );
}

/** 409 payout_method_required: no verified method to pay to yet. */
function MethodRequired({ message }: { message: string }) {
  return (
    <div
      role="alert"
      className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900"
    >
      {message}{" "}
      <a href="#add-method" className="font-medium underline">
        Add a payout method
      </a>
      .
    </div>
  );
}

/** Withdraw to a chosen verified method: the provider's fee is quoted before confirming. */
export function WithdrawPanel({ available }: { available: BalanceOut["available"] }) {
  const methods = usePayoutMethods();
  const verified = (methods.data?.items ?? []).filter((method) => method.status === "verified");
  const [amount, setAmount] = useState("");
  const [methodId, setMethodId] = useState<string>("");
  const [amountError, setAmountError] = useState<string | null>(null);
  const [review, setReview] = useState<{ value: string; methodId: string | null } | null>(null);
  const [key, setKey] = useState(newKey);
  const [done, setDone] = useState<string | null>(null);
  const quote = useWithdrawalQuote(
    review?.value ?? null,
    available.currency,
    review?.methodId ?? null,
  );
  const withdraw = useWithdrawTo();
  const nothing = valueToCents(available.value) === 0;
  const chosen =
    methodId || verified.find((method) => method.is_default)?.id || verified[0]?.id || "";

  function ask(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    withdraw.reset();
    const problem = amountProblem(amount, available);
    setAmountError(problem);
    if (problem) return;
    setReview({ value: centsToValue(parseCents(amount) ?? 0), methodId: chosen || null });
  }

  function confirm() {
    if (!review) return;
    withdraw.mutate(
      {
        amount: { currency: available.currency, value: review.value },
        methodId: review.methodId,
        key,
      },
      {
        onSuccess: (withdrawal) => {
          setDone(
            `Withdrawal of ${formatMoney(withdrawal.amount)} requested: it is on its way to your payout method.`,
          );
          setReview(null);
          setAmount("");
          setKey(newKey());
        },
        onError: (error) => {
          // The API answered: this withdrawal is settled, the next one gets a new key.
          if (isApiError(error) && error.status >= 400 && error.status < 500) setKey(newKey());
        },
      },
    );
  }

  const failure = withdraw.error ?? (quote.isError ? quote.error : null);
  return (
    <div className="flex flex-col gap-4">
      {done && (
        <p role="status" className="rounded-md border bg-accent px-3 py-2 text-sm">
          {done}
        </p>
      )}
      {isApiError(failure, "payout_method_required") ? (
        <MethodRequired message={failure.message} />
      ) : (
        <EmailNotVerified error={failure}>
          <FormAlert message={failure ? errorMessage(failure) : null} />
        </EmailNotVerified>
      )}
      <form noValidate onSubmit={ask} className="flex flex-col gap-4" aria-label="Withdraw">
        <FormField
          label={`Amount (${available.currency})`}
          inputMode="decimal"
          autoComplete="off"
          hint={`Up to ${formatMoney(available)}.`}
          error={amountError ?? undefined}
          disabled={nothing}
          value={amount}
          onChange={(event) => {
            setAmount(event.target.value);
            setReview(null);
          }}
        />
        {verified.length > 0 && (
          <SelectField
            label="Pay to"
            value={chosen}
            onChange={(event) => {
              setMethodId(event.target.value);
              setReview(null);
            }}
          >
            {verified.map((method) => (
              <option key={method.id} value={method.id}>
                {method.label}
                {method.is_default ? " (default)" : ""}
              </option>
            ))}
          </SelectField>
        )}
        {!review && (
          <Button type="submit" variant="outline" className="self-start" disabled={nothing}>
            Review withdrawal
          </Button>
        )}
      </form>
      {review && quote.isPending && (
        <p role="status" className="flex items-center gap-2 text-sm text-muted-foreground">
          <Spinner className="size-4" /> Asking the provider for its fee…
        </p>
      )}
      {review && quote.isSuccess && (
        <section
          aria-label="Withdrawal quote"
          className="flex flex-col gap-3 rounded-xl border p-4"
        >
          <dl className="grid grid-cols-[1fr_auto] gap-1 text-sm">
            <dt>Amount</dt>
            <dd className="text-right">{formatMoney(quote.data.amount)}</dd>
            <dt>Provider fee</dt>
            <dd className="text-right">{formatMoney(quote.data.fee)}</dd>
            <dt className="font-semibold">You receive</dt>
            <dd className="text-right font-semibold">{formatMoney(quote.data.net)}</dd>
          </dl>
          <div className="flex flex-wrap gap-2">
            <Button onClick={confirm} disabled={withdraw.isPending} aria-busy={withdraw.isPending}>
              {withdraw.isPending && <Spinner className="size-4" />}
              Confirm withdrawal
            </Button>
            <Button variant="ghost" onClick={() => setReview(null)}>
              Change
            </Button>
          </div>
        </section>
      )}
      {nothing && (
        <p className="text-sm text-muted-foreground">
          Nothing to withdraw yet: earnings become available when clients approve deliveries.
        </p>
      )}
    </div>
  );
}
