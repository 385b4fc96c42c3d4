import { useState, type ReactNode } from "react";
import { errorMessage } from "@/api/errors";
import { FormAlert } from "@/components/form-field";
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

/** A button that asks first: what the action means, then Back or the action. The dialog stays
 * open with the API's message when the action fails. */
export function ConfirmDialog({
  trigger,
  triggerLabel,
  triggerVariant = "outline",
  size,
  title,
  description,
  confirm,
  confirmVariant = "default",
  onConfirm,
  disabled,
  confirmDisabled = false,
  children,
}: {
  trigger: string;
  /** The trigger's accessible name when its text alone is ambiguous ("Accept Maya's proposal"). */
  triggerLabel?: string;
  triggerVariant?: ButtonProps["variant"];
  size?: ButtonProps["size"];
  title: string;
  description: ReactNode;
  confirm: string;
  confirmVariant?: ButtonProps["variant"];
  onConfirm: () => Promise<unknown>;
  disabled?: boolean;
  /** The action waits for something in `children` (a reason typed). */
  confirmDisabled?: boolean;
  children?: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  async function run() {
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
        <Button variant={triggerVariant} size={size} disabled={disabled} aria-label={triggerLabel}>
          {trigger}
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>{description}</DialogDescription>
        </DialogHeader>
        {children}
        <FormAlert message={failure} />
        <DialogFooter>
          <DialogClose asChild>
            <Button type="button" variant="outline">
              Back
            </Button>
          </DialogClose>
          <Button
            variant={confirmVariant}
            onClick={() => void run()}
            disabled={busy || confirmDisabled}
            aria-busy={busy}
          >
            {busy && <Spinner className="size-4" />}
            {confirm}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
