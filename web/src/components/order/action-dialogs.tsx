import { zodResolver } from "@hookform/resolvers/zod";
import { useState, type ReactNode } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { errorMessage } from "@/api/errors";
import { FormAlert, TextareaField } from "@/components/form-field";
import { Spinner } from "@/components/states";
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

/** An action that needs a reason (a revision, a cancellation, a dispute): the dialog stays open
 * with the API's message when it refuses. */
export function ReasonDialog({
  trigger,
  triggerVariant = "outline",
  title,
  description,
  submit,
  submitVariant = "default",
  disabled,
  label = "Reason",
  children,
  onSubmit,
}: ActionDialogProps & {
  label?: string;
  children?: ReactNode;
  onSubmit: (reason: string) => Promise<unknown>;
}) {
  const [open, setOpen] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const form = useForm<ReasonValues>({
    resolver: zodResolver(reasonSchema),
    defaultValues: { reason: "" },
  });
  const { errors, isSubmitting } = form.formState;

  const send = form.handleSubmit(async ({ reason }) => {
    setFailure(null);
    try {
      await onSubmit(reason);
      setOpen(false);
      form.reset();
    } catch (error) {
      setFailure(errorMessage(error));
    }
  });

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) setFailure(null);
      }}
    >
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
        <form noValidate onSubmit={send} className="flex flex-col gap-4">
          <FormAlert message={failure} />
          {children}
          <TextareaField
            label={label}
            maxLength={2000}
            error={errors.reason?.message}
            {...form.register("reason")}
          />
          <DialogFooter>
            <DialogClose asChild>
              <Button type="button" variant="outline">
                Back
              </Button>
            </DialogClose>
            <Button type="submit" variant={submitVariant} disabled={isSubmitting}>
              {isSubmitting && <Spinner className="size-4" />}
              {submit}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

/** An action to confirm, with what it means. */
export function ConfirmDialog({
  trigger,
  triggerVariant = "default",
  title,
  description,
  submit,
  submitVariant = "default",
  disabled,
  onConfirm,
}: ActionDialogProps & { onConfirm: () => Promise<unknown> }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  async function confirm() {
    setBusy(true);
    setFailure(null);
    try {
      await onConfirm();
      setOpen(false);
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) setFailure(null);
      }}
    >
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
        <FormAlert message={failure} />
        <DialogFooter>
          <DialogClose asChild>
            <Button type="button" variant="outline">
              Back
            </Button>
          </DialogClose>
          <Button variant={submitVariant} disabled={busy} onClick={() => void confirm()}>
            {busy && <Spinner className="size-4" />}
            {submit}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
