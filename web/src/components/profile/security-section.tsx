import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { useChangePassword, useEndSession, useSessions, type LoginSession } from "@/api/account";
import { errorMessage, isApiError } from "@/api/errors";
import { newPasswordFields, SAME_NEW_PASSWORD, sameNewPassword } from "@/auth/schemas";
import { FormAlert, FormField, SubmitButton } from "@/components/form-field";
import { NewPasswordFields } from "@/components/profile/new-password-fields";
import { ErrorState, Spinner } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { formatDate } from "@/lib/format";

const passwordSchema = z
  .object({
    current_password: z.string().min(1, "Enter your current password."),
    ...newPasswordFields,
  })
  .refine(sameNewPassword, SAME_NEW_PASSWORD);
type PasswordValues = z.infer<typeof passwordSchema>;

/** Change the password; the API's refusals land on their field (a wrong current password, the
 * same password again) or above the form. */
export function ChangePasswordForm() {
  const change = useChangePassword();
  const [done, setDone] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const form = useForm<PasswordValues>({
    resolver: zodResolver(passwordSchema),
    defaultValues: { current_password: "", new_password: "", confirm: "" },
  });
  const { errors, isSubmitting } = form.formState;

  const submit = form.handleSubmit(async ({ current_password, new_password }) => {
    setFailure(null);
    setDone(false);
    try {
      await change.mutateAsync({ current_password, new_password });
      form.reset();
      setDone(true);
    } catch (error) {
      if (isApiError(error, "wrong_password")) {
        form.setError("current_password", { message: error.message });
      } else if (isApiError(error, "same_password")) {
        form.setError("new_password", { message: error.message });
      } else {
        setFailure(errorMessage(error));
      }
    }
  });

  return (
    <form noValidate onSubmit={submit} className="flex flex-col gap-4" aria-label="Change password">
      <FormAlert message={failure} />
      {done && (
        <p role="status" className="text-sm text-emerald-700">
          Password changed. Your other sessions were logged out.
        </p>
      )}
      <FormField
        label="Current password"
        type="password"
        autoComplete="current-password"
        error={errors.current_password?.message}
        {...form.register("current_password")}
      />
      <NewPasswordFields register={form.register} errors={errors} />
      <SubmitButton busy={isSubmitting} className="self-start">
        Change password
      </SubmitButton>
    </form>
  );
}

// The first match names it: Edge and Chrome also say "Safari", Android also says "Linux".
const BROWSERS: [RegExp, string][] = [
  [/Firefox\//, "Firefox"],
  [/Edg\//, "Edge"],
  [/Chrom(e|ium)\//, "Chrome"],
  [/Safari\//, "Safari"],
];
const SYSTEMS: [RegExp, string][] = [
  [/Android/, "Android"],
  [/iPhone|iPad/, "iOS"],
  [/Mac OS/, "macOS"],
  [/Windows/, "Windows"],
  [/Linux/, "Linux"],
];

function device(session: LoginSession): string {
  const agent = session.user_agent ?? "";
  const named = (table: [RegExp, string][]) => table.find(([pattern]) => pattern.test(agent))?.[1];
  const browser = named(BROWSERS) ?? "A browser or app";
  const system = named(SYSTEMS);
  return system ? `${browser} on ${system}` : browser;
}

/** Where the account is logged in, with a way to log each other session out. */
export function SessionList() {
  const sessions = useSessions();
  const end = useEndSession();
  if (sessions.isPending) return <Spinner className="size-5" />;
  if (sessions.isError) {
    return (
      <ErrorState
        error={sessions.error}
        title="Could not load your sessions"
        onRetry={() => void sessions.refetch()}
      />
    );
  }
  return (
    <div className="flex flex-col gap-3">
      <FormAlert message={end.isError ? errorMessage(end.error) : null} />
      <ul aria-label="Logged-in sessions" className="flex flex-col divide-y rounded-lg border">
        {sessions.data.map((session) => (
          <li key={session.id} className="flex flex-wrap items-center justify-between gap-2 p-3">
            <div className="min-w-0 text-sm">
              <p className="flex items-center gap-2 font-medium">
                {device(session)}
                {session.current && <Badge variant="success">This device</Badge>}
              </p>
              <p className="text-muted-foreground">
                {session.ip_address ?? "Unknown address"} · last used{" "}
                {formatDate(session.last_used_at)} · logged in {formatDate(session.created_at)}
              </p>
            </div>
            {!session.current && (
              <Button
                size="sm"
                variant="outline"
                disabled={end.isPending}
                aria-label={`Log out ${device(session)}, last used ${formatDate(session.last_used_at)}`}
                onClick={() => end.mutate(session.id)}
              >
                Log out
              </Button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
