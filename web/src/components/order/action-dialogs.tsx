import { zodResolver } from "@hookform/resolvers/zod";
import { useState, type FormEvent, type ReactNode } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { errorMessage } from "@/api/errors";
import { FormAlert, SubmitButton, TextareaField } from "@/components/form-field";
import { Button, type ButtonProps } from "@/components/ui/button";
import {
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@/components/ui/dialog";

/** The API's ReasonRequest: 1 to 2,000 characters once trimmed. */
const reasonSchema = z.object({
  reason: z.string().trim().min(1, "Give a reason.").max(2000, "Keep it under 2,000 characters."),
});
type ReasonValues = z.infer<typeof reasonSchema>;

interface ActionDialogProps {
  /** The button that opens the dialog. */
  trigger: string;
  triggerVariant?: ButtonProps["variant"];
  title: string;
  description: ReactNode;
  submit: string;
  submitVariant?: ButtonProps["variant"];
  disabled?: boolean;
}

/** The dialog of an order action: its button, what it means, the fields it asks for, and Back or
 * the action. `run` does the action; the dialog closes when it succeeds and stays open with the
 * API's message when it refuses. */
function ActionDialog({
  trigger,
  triggerVariant = "outline",
  title,
  description,
  submit,
  submitVariant = "default",
  disabled,
  busy,
  onSubmit,
  children,
  failure,
  open,
  onOpenChange,
}: ActionDialogProps & {
  busy: boolean;
  onSubmit: (event: FormEvent<HTMLFormElement>) => void;
  children?: ReactNode;
} & ReturnType<typeof useActionRun>["dialog"]) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogTrigger asChild>
        <Button variant={triggerVariant} disabled={disabled}>
          {trigger}
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>{description}</DialogDescription>
        </DialogHeader>
        <form noValidate onSubmit={onSubmit} className="flex flex-col gap-4">
          <FormAlert message={failure} />
          {children}
          <DialogFooter>
            <DialogClose asChild>
              <Button type="button" variant="outline">
                Back
              </Button>
            </DialogClose>
            <SubmitButton busy={busy} variant={submitVariant}>
              {submit}
            </SubmitButton>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

/** Open or closed, and the API's refusal of the last try (forgotten when the dialog closes). */
function useActionRun() {
  const [open, setOpen] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  async function run(action: () => Promise<unknown>): Promise<boolean> {
    setFailure(null);
    try {
      await action();
      setOpen(false);
      return true;
    } catch (error) {
      setFailure(errorMessage(error));
      return false;
    }
  }
  const onOpenChange = (next: boolean) => {
    setOpen(next);
    if (!next) setFailure(null);
  };
  return { run, dialog: { open, onOpenChange, failure } };
}

/** An action that needs a reason: a revision, a cancellation, a dispute. */
export function ReasonDialog({
  label = "Reason",
  children,
  onSubmit,
  ...props
}: ActionDialogProps & {
  label?: string;
  children?: ReactNode;
  onSubmit: (reason: string) => Promise<unknown>;
}) {
  const { run, dialog } = useActionRun();
  const form = useForm<ReasonValues>({
    resolver: zodResolver(reasonSchema),
    defaultValues: { reason: "" },
  });
  const { errors, isSubmitting } = form.formState;
  const send = form.handleSubmit(async ({ reason }) => {
    if (await run(() => onSubmit(reason))) form.reset();
  });

  return (
    <ActionDialog {...props} {...dialog} busy={isSubmitting} onSubmit={(event) => void send(event)}>
      {children}
      <TextareaField
        label={label}
        maxLength={2000}
        error={errors.reason?.message}
        {...form.register("reason")}
      />
    </ActionDialog>
  );
}

/** An action to confirm, with what it means. */
export function ConfirmDialog({
  triggerVariant = "default",
  onConfirm,
  ...props
}: ActionDialogProps & { onConfirm: () => Promise<unknown> }) {
  const { run, dialog } = useActionRun();
  const [busy, setBusy] = useState(false);

  async function confirm(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    await run(onConfirm);
    setBusy(false);
  }

  return (
    <ActionDialog
      {...props}
      {...dialog}
      triggerVariant={triggerVariant}
      busy={busy}
      onSubmit={(event) => void confirm(event)}
    />
  );
}
