import { Link, useSearchParams } from "react-router";
import { useResendVerification, useVerifyEmail } from "@/api/account";
import { errorMessage, isApiError } from "@/api/errors";
import { useAuth } from "@/auth/auth-context";
import { useFollowLinkOnce, validToken } from "@/auth/link-token";
import { loginPath } from "@/auth/next";
import { AuthCard } from "@/components/profile/auth-card";
import { Spinner } from "@/components/states";
import { Button } from "@/components/ui/button";

/** A new link needs the session (`POST /v1/auth/resend-verification`): log in first. */
function NewLink() {
  const { state } = useAuth();
  const resend = useResendVerification();
  if (state.status !== "authenticated") {
    return (
      <Button asChild>
        <Link to={loginPath("/settings")}>Log in to get a new link</Link>
      </Button>
    );
  }
  if (resend.isSuccess) {
    return (
      <p role="status" className="text-sm">
        {resend.data.message}
      </p>
    );
  }
  return (
    <>
      {resend.isError && (
        <p role="alert" className="text-sm text-destructive">
          {errorMessage(resend.error)}
        </p>
      )}
      <Button disabled={resend.isPending} onClick={() => resend.mutate()}>
        {resend.isPending && <Spinner className="size-4" />}
        Send me a new link
      </Button>
    </>
  );
}

export function Component() {
  const [params] = useSearchParams();
  const token = params.get("token");
  const verify = useVerifyEmail();
  const { mutate } = verify;
  useFollowLinkOnce(token, mutate);

  if (!validToken(token)) {
    return (
      <AuthCard title="This link is not complete">
        <p role="alert" className="text-sm">
          Open the link again from the e-mail we sent you, or ask for a new one.
        </p>
        <NewLink />
      </AuthCard>
    );
  }
  if (verify.isSuccess) {
    return (
      <AuthCard title="E-mail confirmed">
        <p role="status" className="text-sm">
          Thank you: {verify.data.email} is confirmed.
        </p>
        <Button asChild>
          <Link to="/">Go to ReelByte</Link>
        </Button>
      </AuthCard>
    );
  }
  if (verify.isError) {
    const expired = isApiError(verify.error, "link_expired");
    const refused = expired || isApiError(verify.error, "invalid_link");
    return (
      <AuthCard title={expired ? "This link has expired" : "This link does not work"}>
        <p role="alert" className="text-sm">
          {refused ? verify.error.message : errorMessage(verify.error)}
        </p>
        {refused ? <NewLink /> : <Button onClick={() => mutate(token)}>Try again</Button>}
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Confirming your e-mail">
      <p role="status" className="flex items-center gap-2 text-sm text-muted-foreground">
        <Spinner className="size-4" />
        Checking the link…
      </p>
    </AuthCard>
  );
}
Component.displayName = "VerifyEmailPage";
