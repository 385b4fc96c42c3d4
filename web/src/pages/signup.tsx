import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm, useWatch } from "react-hook-form";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { ApiError, errorMessage } from "@/api/errors";
import { useAuth } from "@/auth/auth-context";
import { safeNext } from "@/auth/next";
import { PASSWORD_RULES, ROLES, signupSchema, type SignupValues } from "@/auth/schemas";
import { FormAlert, FormField, SubmitButton } from "@/components/form-field";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import { cn } from "@/lib/utils";

const FIELDS = ["full_name", "username", "email", "password", "role"] as const;

export function Component() {
  const { state, register: createAccount } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const [failure, setFailure] = useState<string | null>(null);
  const form = useForm<SignupValues>({
    resolver: zodResolver(signupSchema),
    defaultValues: { full_name: "", username: "", email: "", password: "" },
  });
  const { errors, isSubmitting } = form.formState;
  const role = useWatch({ control: form.control, name: "role" });

  if (state.status === "authenticated" && !isSubmitting) return <Navigate to={next} replace />;

  const submit = form.handleSubmit(async (values) => {
    setFailure(null);
    try {
      await createAccount(values);
      navigate(next, { replace: true });
    } catch (error) {
      // The API's own rules: put its field messages on the fields, the rest above the form.
      const fields = error instanceof ApiError ? error.fieldErrors : {};
      const known = FIELDS.filter((name) => fields[name]);
      for (const name of known) form.setError(name, { message: fields[name] });
      if (known.length === 0) setFailure(errorMessage(error));
    }
  });

  return (
    <div className="mx-auto w-full max-w-md py-4 md:py-10">
      <title>Sign up · ReelByte</title>
      <Card>
        <CardHeader>
          <h1 className="text-xl font-semibold">Create your account</h1>
          <CardDescription>Hire video creators, sell your video work, or both.</CardDescription>
        </CardHeader>
        <CardContent>
          <form noValidate onSubmit={submit} className="flex flex-col gap-4" aria-label="Sign up">
            <FormAlert message={failure} />
            <fieldset
              className="flex flex-col gap-2"
              aria-describedby={errors.role ? "role-error" : undefined}
            >
              <legend className="mb-2 text-sm font-medium">I want to</legend>
              <div className="grid gap-2 sm:grid-cols-3">
                {ROLES.map((option) => (
                  <label
                    key={option.value}
                    className={cn(
                      "flex cursor-pointer flex-col gap-0.5 rounded-md border p-3 text-sm has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-ring",
                      role === option.value && "border-primary bg-accent",
                    )}
                  >
                    <span className="flex items-center gap-2 font-medium">
                      <input
                        type="radio"
                        value={option.value}
                        className="accent-primary"
                        {...form.register("role")}
                      />
                      {option.label}
                    </span>
                    <span className="text-xs text-muted-foreground">{option.hint}</span>
                  </label>
                ))}
              </div>
              {errors.role && (
                <p id="role-error" className="text-sm text-destructive">
                  {errors.role.message}
                </p>
              )}
            </fieldset>
            <FormField
              label="Full name"
              autoComplete="name"
              error={errors.full_name?.message}
              {...form.register("full_name")}
            />
            <FormField
              label="Username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              hint="3 to 50 letters, digits, - or _. Shown on your profile."
              error={errors.username?.message}
              {...form.register("username")}
            />
            <FormField
              label="E-mail"
              type="email"
              autoComplete="email"
              inputMode="email"
              error={errors.email?.message}
              {...form.register("email")}
            />
            <FormField
              label="Password"
              type="password"
              autoComplete="new-password"
              hint={`${PASSWORD_RULES}.`}
              error={errors.password?.message}
              {...form.register("password")}
            />
            <SubmitButton busy={isSubmitting} className="w-full">
              Create account
            </SubmitButton>
            <p className="text-center text-sm text-muted-foreground">
              Already have an account?{" "}
              <Link
                to={next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`}
                className="font-medium text-primary underline-offset-4 hover:underline"
              >
                Log in
              </Link>
            </p>
          </form>
        </CardContent>
      </Card>
    </div>
  );
}
Component.displayName = "SignupPage";
