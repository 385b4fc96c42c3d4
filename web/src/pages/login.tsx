import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { SUSPENDED } from "@/api/client";
import { errorMessage } from "@/api/errors";
import { useAuth } from "@/auth/auth-context";
import { safeNext } from "@/auth/next";
import { loginSchema, type LoginValues } from "@/auth/schemas";
import { FormAlert, FormField, SubmitButton } from "@/components/form-field";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";

export function Component() {
  const { state, login } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const [failure, setFailure] = useState<string | null>(null);
  const form = useForm<LoginValues>({
    resolver: zodResolver(loginSchema),
    defaultValues: { email: "", password: "" },
  });
  const { errors, isSubmitting } = form.formState;

  if (state.status === "authenticated" && !isSubmitting) return <Navigate to={next} replace />;
  // An admin suspended the account: the session ended, and this says why.
  const suspended =
    state.status === "anonymous" && state.reason === SUSPENDED ? state.message : undefined;

  const submit = form.handleSubmit(async (values) => {
    setFailure(null);
    try {
      await login(values.email, values.password);
      navigate(next, { replace: true });
    } catch (error) {
      setFailure(errorMessage(error));
      form.setFocus("password");
    }
  });

  return (
    <div className="mx-auto w-full max-w-sm py-4 md:py-10">
      <title>Log in · ReelByte</title>
      <Card>
        <CardHeader>
          <h1 className="text-xl font-semibold">Log in</h1>
          <CardDescription>Welcome back to ReelByte.</CardDescription>
        </CardHeader>
        <CardContent>
          <form noValidate onSubmit={submit} className="flex flex-col gap-4" aria-label="Log in">
            <FormAlert message={failure ?? suspended ?? null} />
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
              autoComplete="current-password"
              error={errors.password?.message}
              {...form.register("password")}
            />
            <Link
              to="/forgot-password"
              className="self-end text-sm font-medium text-primary underline-offset-4 hover:underline"
            >
              Forgot your password?
            </Link>
            <SubmitButton busy={isSubmitting} className="w-full">
              Log in
            </SubmitButton>
            <p className="text-center text-sm text-muted-foreground">
              New to ReelByte?{" "}
              <Link
                to={next === "/" ? "/signup" : `/signup?next=${encodeURIComponent(next)}`}
                className="font-medium text-primary underline-offset-4 hover:underline"
              >
                Create an account
              </Link>
            </p>
          </form>
        </CardContent>
      </Card>
    </div>
  );
}
Component.displayName = "LoginPage";
