import { useId, type ComponentProps, type ReactNode } from "react";
import { Reveal } from "@/components/motion";
import { Spinner } from "@/components/states";
import { Button, type ButtonProps } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { cn } from "@/lib/utils";

/** The ids that tie a control to its hint and error (aria-invalid, aria-describedby). */
function useDescribed(id: string | undefined, hint?: string, error?: string) {
  const generated = useId();
  const controlId = id ?? generated;
  const hintId = `${controlId}-hint`;
  const errorId = `${controlId}-error`;
  const describedBy = [hint && !error ? hintId : null, error ? errorId : null]
    .filter(Boolean)
    .join(" ");
  return { controlId, hintId, errorId, describedBy: describedBy || undefined };
}

function Messages({
  hint,
  error,
  hintId,
  errorId,
}: {
  hint?: string;
  error?: string;
  hintId: string;
  errorId: string;
}) {
  return (
    <>
      {hint && !error && (
        <p id={hintId} className="text-xs text-muted-foreground">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="text-sm text-destructive">
          {error}
        </p>
      )}
    </>
  );
}

type SelectFieldProps = ComponentProps<"select"> & {
  label: string;
  error?: string;
  hint?: string;
  children: ReactNode;
};

/** A labelled native <select> (long lists such as time zones stay fast and keyboard-friendly). */
export function SelectField({ label, error, hint, id, className, ...props }: SelectFieldProps) {
  const { controlId, hintId, errorId, describedBy } = useDescribed(id, hint, error);
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={controlId}>{label}</Label>
      <select
        id={controlId}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        className={cn(
          "h-10 w-full rounded-md border border-input bg-background px-3 text-base shadow-xs focus-visible:outline-2 focus-visible:outline-offset-0 focus-visible:outline-ring aria-invalid:border-destructive md:text-sm",
          className,
        )}
        {...props}
      />
      <Messages hint={hint} error={error} hintId={hintId} errorId={errorId} />
    </div>
  );
}

type TextareaFieldProps = ComponentProps<typeof Textarea> & {
  label: string;
  error?: string;
  hint?: string;
};

/** A labelled textarea, tied to its hint and error like FormField. */
export function TextareaField({ label, error, hint, id, ...props }: TextareaFieldProps) {
  const { controlId, hintId, errorId, describedBy } = useDescribed(id, hint, error);
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={controlId}>{label}</Label>
      <Textarea
        id={controlId}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        {...props}
      />
      <Messages hint={hint} error={error} hintId={hintId} errorId={errorId} />
    </div>
  );
}

type FieldProps = ComponentProps<typeof Input> & {
  label: string;
  error?: string;
  hint?: string;
};

/** A labelled input whose error and hint are tied to it. */
export function FormField({ label, error, hint, id, ...props }: FieldProps) {
  const { controlId, hintId, errorId, describedBy } = useDescribed(id, hint, error);
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={controlId}>{label}</Label>
      <Input
        id={controlId}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        {...props}
      />
      <Messages hint={hint} error={error} hintId={hintId} errorId={errorId} />
    </div>
  );
}

export function FormAlert({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <Reveal>
      <div
        role="alert"
        className="rounded-md border border-destructive/40 bg-destructive/10 px-3 py-2 text-sm text-destructive"
      >
        {message}
      </div>
    </Reveal>
  );
}

/** A form's submit button: disabled, with a spinner, while the form is being sent. */
export function SubmitButton({
  busy,
  disabled,
  children,
  ...props
}: Omit<ButtonProps, "type"> & { busy: boolean }) {
  return (
    <Button type="submit" disabled={busy || disabled} aria-busy={busy} {...props}>
      {busy && <Spinner className="size-4" />}
      {children}
    </Button>
  );
}
