import { Link, useSearchParams } from "react-router";
import { errorMessage, isApiError } from "@/api/errors";
import { useConfirmPayoutMethod } from "@/api/payouts";
import { useFollowLinkOnce } from "@/auth/link-token";
import { AuthCard } from "@/components/profile/auth-card";
import { Spinner } from "@/components/states";
import { Button } from "@/components/ui/button";

/** A payout link's token (`method.nonce.expires.signature`); anything else is not sent. */
function looksLikeToken(token: string | null): token is string {
  return token !== null && token.length >= 20 && token.length <= 512;
}

function ToPayouts({ label = "Go to your payouts" }: { label?: string }) {
  return (
    <Button asChild>
      <Link to="/settings/payouts">{label}</Link>
    </Button>
  );
}

/** The link e-mailed for a PayPal or Venmo method (`/payout-methods/confirm?token=…`). */
export function Component() {
  const [params] = useSearchParams();
  const raw = params.get("token");
  const token = looksLikeToken(raw) ? raw : null;
  const confirm = useConfirmPayoutMethod();
  const { mutate } = confirm;
  useFollowLinkOnce(token, mutate);

  if (!token)
    return (
      <AuthCard title="This link is not complete">
        <p role="alert" className="text-sm">
          Open the link again from the e-mail we sent, or ask for a new one from your payouts.
        </p>
        <ToPayouts />
      </AuthCard>
    );
  if (confirm.isSuccess)
    return (
      <AuthCard title="Payout method confirmed">
        <p role="status" className="text-sm">
          Withdrawals can now go to {confirm.data.label}.
        </p>
        <ToPayouts />
      </AuthCard>
    );
  if (confirm.isError) {
    const refused = isApiError(confirm.error) && confirm.error.status < 500;
    return (
      <AuthCard title="This link does not work">
        <p role="alert" className="text-sm">
          {errorMessage(confirm.error)}
        </p>
        {refused ? (
          <ToPayouts label="Ask for a new link" />
        ) : (
          <Button onClick={() => mutate(token)}>Try again</Button>
        )}
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Confirming your payout method">
      <p role="status" className="flex items-center gap-2 text-sm text-muted-foreground">
        <Spinner className="size-4" />
        Checking the link…
      </p>
    </AuthCard>
  );
}
Component.displayName = "PayoutMethodConfirmPage";
