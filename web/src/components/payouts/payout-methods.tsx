import { useState, type FormEvent } from "react";
import {
  useAddPayoutMethod,
  useDeletePayoutMethod,
  useMakeDefaultPayoutMethod,
  usePayoutMethods,
  useRestartOnboarding,
  type PayoutMethod,
  type PayoutOnboarding,
  type PayoutProvider,
} from "@/api/payouts";
import { errorMessage, isApiError } from "@/api/errors";
import { externalNavigation } from "@/components/order/external-navigation";
import { FormAlert, FormField, SelectField, SubmitButton } from "@/components/form-field";
import { EmptyState, ErrorState, Spinner } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { formatDate } from "@/lib/format";
import { nextStep, onboardsByPage, PROVIDERS, providerLabel, STATUS } from "./status";

/** Go to the provider's onboarding page, or say that a confirmation link was e-mailed. */
function follow(onboarding: PayoutOnboarding, setNotice: (text: string) => void) {
  if (onboarding.onboarding_url) externalNavigation.assign(onboarding.onboarding_url);
  else
    setNotice(
      `We e-mailed a confirmation link for ${onboarding.method.label}: open it to verify this method.`,
    );
}

function MethodRow({
  method,
  setNotice,
}: {
  method: PayoutMethod;
  setNotice: (text: string) => void;
}) {
  const restart = useRestartOnboarding();
  const makeDefault = useMakeDefaultPayoutMethod();
  const remove = useDeletePayoutMethod();
  const [confirming, setConfirming] = useState(false);
  const status = STATUS[method.status];
  const failed = restart.error ?? makeDefault.error ?? remove.error;
  const canOnboard = method.status === "pending" || method.status === "needs_info";

  return (
    <li className="flex flex-col gap-3 rounded-xl border bg-card p-4 shadow-sm">
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium">{method.label}</span>
        <Badge variant={status.variant}>{status.label}</Badge>
        {method.is_default && <Badge variant="secondary">Default</Badge>}
      </div>
      <p className="text-sm text-muted-foreground">
        {providerLabel(method.provider)}
        {method.country ? ` · ${method.country}` : ""} · added {formatDate(method.created_at)}
        {method.verified_at ? ` · verified ${formatDate(method.verified_at)}` : ""}
      </p>
      <p className="text-sm">{nextStep(method)}</p>
      <div className="flex flex-wrap gap-2">
        {canOnboard && (
          <Button
            size="sm"
            disabled={restart.isPending}
            onClick={() =>
              restart.mutate(method.id, { onSuccess: (result) => follow(result, setNotice) })
            }
          >
            {restart.isPending && <Spinner className="size-3" />}
            {onboardsByPage(method.provider) ? "Continue onboarding" : "Send a new link"}
          </Button>
        )}
        {!method.is_default && method.status === "verified" && (
          <Button
            size="sm"
            variant="outline"
            disabled={makeDefault.isPending}
            onClick={() => makeDefault.mutate(method.id)}
          >
            Make default
          </Button>
        )}
        {confirming ? (
          <>
            <Button
              size="sm"
              variant="destructive"
              disabled={remove.isPending}
              onClick={() => remove.mutate(method.id, { onSettled: () => setConfirming(false) })}
            >
              {remove.isPending && <Spinner className="size-3" />}
              Remove {method.label}
            </Button>
            <Button size="sm" variant="ghost" onClick={() => setConfirming(false)}>
              Keep it
            </Button>
          </>
        ) : (
          <Button size="sm" variant="ghost" onClick={() => setConfirming(true)}>
            Remove
          </Button>
        )}
      </div>
      {failed && (
        <p role="alert" className="text-sm text-destructive">
          {errorMessage(failed)}
        </p>
      )}
    </li>
  );
}

/** Add a method: the provider, and what it needs (PayPal e-mail, Venmo handle, country). */
export function AddPayoutMethodForm({ setNotice }: { setNotice: (text: string) => void }) {
  const add = useAddPayoutMethod();
  const [provider, setProvider] = useState<PayoutProvider>("stripe");
  const [email, setEmail] = useState("");
  const [handle, setHandle] = useState("");
  const [country, setCountry] = useState("");
  const fields = isApiError(add.error) ? add.error.fieldErrors : {};
  const hint = PROVIDERS.find((item) => item.value === provider)?.hint;

  function submit(event: FormEvent) {
    event.preventDefault();
    add.mutate(
      {
        provider,
        paypal_email: provider === "paypal" ? email.trim() : null,
        venmo_handle: provider === "venmo" ? handle.trim() : null,
        country:
          provider === "venmo" ? "US" : provider === "stripe" && country ? country.trim() : null,
      },
      {
        onSuccess: (result) => {
          setEmail("");
          setHandle("");
          follow(result, setNotice);
        },
      },
    );
  }

  const general = add.isError && !Object.keys(fields).length ? errorMessage(add.error) : null;
  return (
    <form
      noValidate
      onSubmit={submit}
      className="flex flex-col gap-4"
      aria-label="Add a payout method"
    >
      <FormAlert message={general} />
      <SelectField
        label="Provider"
        value={provider}
        hint={hint}
        error={fields.provider}
        onChange={(event) => setProvider(event.target.value as PayoutProvider)}
      >
        {PROVIDERS.map((item) => (
          <option key={item.value} value={item.value}>
            {item.label}
          </option>
        ))}
      </SelectField>
      {provider === "paypal" && (
        <FormField
          label="PayPal e-mail address"
          type="email"
          autoComplete="email"
          required
          value={email}
          error={fields.paypal_email}
          onChange={(event) => setEmail(event.target.value)}
        />
      )}
      {provider === "venmo" && (
        <FormField
          label="Venmo handle"
          placeholder="@your-handle"
          required
          value={handle}
          error={fields.venmo_handle}
          hint="Venmo pays in USD to US accounts only."
          onChange={(event) => setHandle(event.target.value)}
        />
      )}
      {provider === "stripe" && (
        <FormField
          label="Country of the bank account (optional)"
          placeholder="NL"
          maxLength={2}
          autoComplete="country"
          value={country}
          error={fields.country}
          hint="Two letters (ISO), e.g. NL, DE, US. The platform's country if left empty."
          onChange={(event) => setCountry(event.target.value.toUpperCase())}
        />
      )}
      <SubmitButton busy={add.isPending} className="self-start">
        {onboardsByPage(provider) ? "Add and start onboarding" : "Add and send the link"}
      </SubmitButton>
    </form>
  );
}

export function PayoutMethods({ setNotice }: { setNotice: (text: string) => void }) {
  const methods = usePayoutMethods();
  if (methods.isPending)
    return (
      <div
        role="status"
        aria-busy="true"
        aria-label="Loading your payout methods"
        className="grid gap-3"
      >
        <Skeleton className="h-28" />
      </div>
    );
  if (methods.isError)
    return (
      <ErrorState
        error={methods.error}
        title="Could not load your payout methods"
        onRetry={() => void methods.refetch()}
      />
    );
  if (!methods.data.items.length)
    return (
      <EmptyState title="No payout method yet">
        Add one below: withdrawals and scheduled payouts need a verified method.
      </EmptyState>
    );
  return (
    <ul className="flex flex-col gap-3" aria-label="Your payout methods">
      {methods.data.items.map((method) => (
        <MethodRow key={method.id} method={method} setNotice={setNotice} />
      ))}
    </ul>
  );
}
