/** An unverified e-mail address: the API refuses ordering, publishing a gig, proposing and
 * withdrawing (403 `email_not_verified`) until the link it sent is followed. Part of the first
 * load (the layout's banner): keep it small. */
import type { ReactNode } from "react";
import { useResendVerification } from "@/api/account";
import { errorMessage, isApiError } from "@/api/errors";
import { useAuth } from "@/auth/auth-context";
import { Spinner } from "@/components/states";
import { Button } from "@/components/ui/button";

/** "Send the link again", then what the API answered. */
export function ResendVerification() {
  const resend = useResendVerification();
  if (resend.isSuccess) {
    return (
      <span role="status" className="text-sm font-medium">
        {resend.data.message}
      </span>
    );
  }
  return (
    <span className="inline-flex flex-wrap items-center gap-2">
      <Button
        variant="outline"
        size="sm"
        disabled={resend.isPending}
        onClick={() => resend.mutate()}
      >
        {resend.isPending && <Spinner className="size-4" />}
        Send the link again
      </Button>
      {resend.isError && (
        <span role="alert" className="text-sm text-destructive">
          {errorMessage(resend.error)}
        </span>
      )}
    </span>
  );
}

/** Where a gated action shows its error: a refusal for an unverified address says so and offers
 * a new link; any other error (or none) shows `children`, the form's own alert. */
export function EmailNotVerified({ error, children }: { error: unknown; children: ReactNode }) {
  if (!isApiError(error, "email_not_verified")) return children;
  return (
    <div
      role="alert"
      className="flex flex-col items-start gap-2 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950"
    >
      <p>{error.message}</p>
      <ResendVerification />
    </div>
  );
}

/** Under the header while my address is not verified: what waits for it, and a new link. A
 * status, not an alert: it is there on every page and must not interrupt. */
export function VerifyEmailBanner() {
  const { user } = useAuth();
  if (!user?.must_verify_email) return null;
  return (
    <div role="status" className="border-b border-amber-200 bg-amber-50 text-amber-950">
      <div className="mx-auto flex max-w-7xl flex-wrap items-center justify-center gap-x-3 gap-y-1 px-4 py-2 text-center text-sm">
        <span>
          Confirm your e-mail address (sent to <span className="break-all">{user.email}</span>) to
          order, publish gigs, send proposals and withdraw.
        </span>
        <ResendVerification />
      </div>
    </div>
  );
}
