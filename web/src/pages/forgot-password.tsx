import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Link } from "react-router";
import { z } from "zod";
import { useForgotPassword } from "@/api/account";
import { errorMessage, isApiError } from "@/api/errors";
import { loginSchema } from "@/auth/schemas";
import { FormAlert, FormField, SubmitButton } from "@/components/form-field";
import { AuthCard } from "@/components/profile/auth-card";
import { Button } from "@/components/ui/button";

const schema = z.object({ email: loginSchema.shape.email });
type Values = z.infer<typeof schema>;

/** The same answer whether or not the address has an account: nothing to learn from it. */
const CONFIRMATION =
  "If an account exists for that address, a link to choose a new password is on its way. It works once, for one hour.";

export function Component() {
  const forgot = useForgotPassword();
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const form = useForm<Values>({ resolver: zodResolver(schema), defaultValues: { email: "" } });
  const { errors, isSubmitting } = form.formState;

  const submit = form.handleSubmit(async ({ email }) => {
    setFailure(null);
    try {
      await forgot.mutateAsync(email);
      setSentTo(email);
    } catch (error) {
      const field = isApiError(error) ? error.fieldErrors.email : undefined;
      if (field) form.setError("email", { message: field });
      else setFailure(errorMessage(error));
    }
  });

  if (sentTo !== null) {
    return (
      <AuthCard title="Check your e-mail">
        <p role="status" className="text-sm">
          {CONFIRMATION}
        </p>
        <p className="text-sm text-muted-foreground">
          Nothing after a few minutes? Look in your spam folder, or{" "}
          <button
            type="button"
            className="font-medium text-primary underline-offset-4 hover:underline"
            onClick={() => setSentTo(null)}
          >
            try another address
          </button>
          .
        </p>
        <Button asChild variant="outline">
          <Link to="/login">Back to log in</Link>
        </Button>
      </AuthCard>
    );
  }

  return (
    <AuthCard
      title="Forgot your password?"
      description="Enter your account's e-mail address and we will send you a link to choose a new one."
    >
      <form
        noValidate
        onSubmit={submit}
        className="flex flex-col gap-4"
        aria-label="Reset password"
      >
        <FormAlert message={failure} />
        <FormField
          label="E-mail"
          type="email"
          autoComplete="email"
          inputMode="email"
          error={errors.email?.message}
          {...form.register("email")}
        />
        <SubmitButton busy={isSubmitting} className="w-full">
          Send the link
        </SubmitButton>
        <p className="text-center text-sm text-muted-foreground">
          Remembered it?{" "}
          <Link to="/login" className="font-medium text-primary underline-offset-4 hover:underline">
            Log in
          </Link>
        </p>
      </form>
    </AuthCard>
  );
}
Component.displayName = "ForgotPasswordPage";
