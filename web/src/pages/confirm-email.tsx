import { Link, useSearchParams } from "react-router";
import { useConfirmEmailChange } from "@/api/account";
import { errorMessage, isApiError } from "@/api/errors";
import { useFollowLinkOnce, validToken } from "@/auth/link-token";
import { AuthCard } from "@/components/profile/auth-card";
import { Spinner } from "@/components/states";
import { Button } from "@/components/ui/button";

/** The API's refusals of a link, by code: the card's title. */
const REFUSED = new Map([
  ["link_expired", "This link has expired"],
  ["invalid_link", "This link does not work"],
  ["account_exists", "That address is taken"],
]);

/** A new link comes from asking for the change again, in the settings (behind log-in). */
function AskAgain() {
  return (
    <>
      <p className="text-sm text-muted-foreground">
        Change your e-mail address again in your settings to get a new link. Until then, your
        account keeps its current address.
      </p>
      <Button asChild>
        <Link to="/settings">Go to your settings</Link>
      </Button>
    </>
  );
}

/** The link sent to a new address (`/confirm-email?token=…`): following it moves the account
 * there. */
export function Component() {
  const [params] = useSearchParams();
  const token = params.get("token");
  const confirm = useConfirmEmailChange();
  const { mutate } = confirm;
  useFollowLinkOnce(token, mutate);

  if (!validToken(token)) {
    return (
      <AuthCard title="This link is not complete">
        <p role="alert" className="text-sm">
          Open the link again from the e-mail we sent to your new address.
        </p>
        <AskAgain />
      </AuthCard>
    );
  }
  if (confirm.isSuccess) {
    return (
      <AuthCard title="E-mail address changed">
        <p role="status" className="text-sm">
          Your account&apos;s e-mail address is now {confirm.data.email}.
        </p>
        <Button asChild>
          <Link to="/">Go to ReelByte</Link>
        </Button>
      </AuthCard>
    );
  }
  if (confirm.isError) {
    const refused = isApiError(confirm.error) ? REFUSED.get(confirm.error.code) : undefined;
    return (
      <AuthCard title={refused ?? "This link does not work"}>
        <p role="alert" className="text-sm">
          {errorMessage(confirm.error)}
        </p>
        {refused ? <AskAgain /> : <Button onClick={() => mutate(token)}>Try again</Button>}
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Changing your e-mail address">
      <p role="status" className="flex items-center gap-2 text-sm text-muted-foreground">
        <Spinner className="size-4" />
        Checking the link…
      </p>
    </AuthCard>
  );
}
Component.displayName = "ConfirmEmailPage";
