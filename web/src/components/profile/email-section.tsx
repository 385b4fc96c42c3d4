import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { useChangeEmail } from "@/api/account";
import { errorMessage, isApiError } from "@/api/errors";
import type { PrivateProfile } from "@/api/queries";
import { ResendVerification } from "@/components/email-not-verified";
import { FormAlert, FormField, SubmitButton } from "@/components/form-field";
import { Badge } from "@/components/ui/badge";

/** EmailChangeRequest: the address as the API checks it, and the password again (a stolen
 * session cannot know it). */
const emailSchema = z.object({
  new_email: z
    .string()
    .trim()
    .min(1, "Enter the new e-mail address.")
    .max(254, "At most 254 characters.")
    .pipe(z.email("Enter a valid e-mail address.")),
  password: z.string().min(1, "Enter your current password.").max(128, "At most 128 characters."),
});
type EmailValues = z.infer<typeof emailSchema>;

/** The API's refusals that are about one field, by code. */
const FIELD_OF = new Map<string, keyof EmailValues>([
  ["wrong_password", "password"],
  ["same_email", "new_email"],
  ["account_exists", "new_email"],
]);

/** Move the account to another address: a link goes there, and the account moves when it is
 * followed. The API's refusals land on their field or above the form. */
function ChangeEmailForm({ current }: { current: string }) {
  const change = useChangeEmail();
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const form = useForm<EmailValues>({
    resolver: zodResolver(emailSchema),
    defaultValues: { new_email: "", password: "" },
  });
  const { errors, isSubmitting } = form.formState;

  const submit = form.handleSubmit(async (values) => {
    setFailure(null);
    setSentTo(null);
    try {
      await change.mutateAsync(values);
      form.reset();
      setSentTo(values.new_email);
    } catch (error) {
      if (!isApiError(error)) {
        setFailure(errorMessage(error));
        return;
      }
      const field = FIELD_OF.get(error.code);
      const fields = field ? { [field]: error.message } : error.fieldErrors;
      let placed = false;
      for (const name of ["new_email", "password"] as const) {
        const message = fields[name];
        if (!message) continue;
        form.setError(name, { message }, { shouldFocus: !placed });
        placed = true;
      }
      if (!placed) setFailure(errorMessage(error));
    }
  });

  return (
    <form
      noValidate
      onSubmit={submit}
      className="flex flex-col gap-4"
      aria-label="Change e-mail address"
    >
      <FormAlert message={failure} />
      {sentTo && (
        <p role="status" className="text-sm text-emerald-700">
          We sent a link to <span className="break-all">{sentTo}</span>. Your account moves there
          when you follow it; until then it keeps {current}.
        </p>
      )}
      <FormField
        label="New e-mail address"
        type="email"
        autoComplete="email"
        maxLength={254}
        error={errors.new_email?.message}
        {...form.register("new_email")}
      />
      <FormField
        label="Current password"
        type="password"
        autoComplete="current-password"
        error={errors.password?.message}
        {...form.register("password")}
      />
      <SubmitButton busy={isSubmitting} className="self-start">
        Send the confirmation link
      </SubmitButton>
    </form>
  );
}

/** My address, whether it is verified (with a new link if not), and the form to change it. */
export function EmailSection({ profile }: { profile: PrivateProfile }) {
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col items-start gap-2 text-sm">
        <p className="flex flex-wrap items-center gap-2">
          <span className="font-medium break-all">{profile.email}</span>
          {profile.email_verified ? (
            <Badge variant="success">Verified</Badge>
          ) : (
            <Badge variant="warning">Not verified yet</Badge>
          )}
        </p>
        {!profile.email_verified && (
          <>
            <p className="text-muted-foreground">
              Follow the link we sent to this address to order, publish gigs, send proposals and
              withdraw.
            </p>
            <ResendVerification />
          </>
        )}
      </div>
      <ChangeEmailForm current={profile.email} />
    </div>
  );
}
