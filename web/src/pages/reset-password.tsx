import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Link, useSearchParams } from "react-router";
import { z } from "zod";
import { useResetPassword } from "@/api/account";
import { errorMessage, isApiError } from "@/api/errors";
import { validToken } from "@/auth/link-token";
import { newPasswordFields, SAME_NEW_PASSWORD, sameNewPassword } from "@/auth/schemas";
import { FormAlert, SubmitButton } from "@/components/form-field";
import { AuthCard } from "@/components/profile/auth-card";
import { NewPasswordFields } from "@/components/profile/new-password-fields";
import { Button } from "@/components/ui/button";

// The API's rules for a password (identity/schemas.py), as at sign-up.
const schema = z.object(newPasswordFields).refine(sameNewPassword, SAME_NEW_PASSWORD);
type Values = z.infer<typeof schema>;

function BrokenLink({ message }: { message: string }) {
  return (
    <AuthCard title="This link does not work">
      <p role="alert" className="text-sm">
        {message}
      </p>
      <Button asChild>
        <Link to="/forgot-password">Ask for a new link</Link>
      </Button>
    </AuthCard>
  );
}

export function Component() {
  const [params] = useSearchParams();
  const token = params.get("token");
  const reset = useResetPassword();
  const [failure, setFailure] = useState<string | null>(null);
  const [linkRefused, setLinkRefused] = useState<string | null>(null);
  const form = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: { new_password: "", confirm: "" },
  });
  const { errors, isSubmitting } = form.formState;

  if (!validToken(token)) {
    return (
      <BrokenLink message="The link is not complete: open it again from the e-mail, or ask for a new one." />
    );
  }
  if (linkRefused !== null) return <BrokenLink message={linkRefused} />;

  if (reset.isSuccess) {
    return (
      <AuthCard title="Password changed">
        <p role="status" className="text-sm">
          {reset.data.message}
        </p>
        <Button asChild>
          <Link to="/login">Log in with your new password</Link>
        </Button>
      </AuthCard>
    );
  }

  const submit = form.handleSubmit(async ({ new_password }) => {
    setFailure(null);
    try {
      await reset.mutateAsync({ token, new_password });
    } catch (error) {
      if (isApiError(error, "invalid_link") || isApiError(error, "link_expired")) {
        setLinkRefused(error.message);
        return;
      }
      const field = isApiError(error) ? error.fieldErrors.new_password : undefined;
      if (field) form.setError("new_password", { message: field });
      else setFailure(errorMessage(error));
    }
  });

  return (
    <AuthCard
      title="Choose a new password"
      description="Every session of your account will be logged out."
    >
      <form
        noValidate
        onSubmit={submit}
        className="flex flex-col gap-4"
        aria-label="Choose a new password"
      >
        <FormAlert message={failure} />
        <NewPasswordFields register={form.register} errors={errors} />
        <SubmitButton busy={isSubmitting} className="w-full">
          Change password
        </SubmitButton>
      </form>
    </AuthCard>
  );
}
Component.displayName = "ResetPasswordPage";
