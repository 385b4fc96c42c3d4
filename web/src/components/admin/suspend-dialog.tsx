import { useState, type FormEvent } from "react";
import { useSuspendUser, type AdminUser } from "@/api/admin";
import { errorMessage, isApiError } from "@/api/errors";
import { FormAlert, FormField, SubmitButton, TextareaField } from "@/components/form-field";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";

/** A `datetime-local` value (the admin's local time) as an ISO instant; "" is none. */
function untilInstant(local: string): string | null {
  if (!local) return null;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Suspend an account, saying why (the person sees it) and, optionally, until when. */
export function SuspendDialog({
  user,
  open,
  onOpenChange,
}: {
  user: AdminUser;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const suspend = useSuspendUser();
  const [reason, setReason] = useState("");
  const [until, setUntil] = useState("");
  const [errors, setErrors] = useState<{ reason?: string; until?: string; form?: string }>({});

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!reason.trim()) {
      setErrors({ reason: "Say why: the person will see it." });
      return;
    }
    setErrors({});
    try {
      await suspend.mutateAsync({
        userId: user.id,
        body: { reason: reason.trim(), until: untilInstant(until) },
      });
      setReason("");
      setUntil("");
      onOpenChange(false);
    } catch (error) {
      if (isApiError(error, "suspension_end_in_past")) setErrors({ until: error.message });
      else if (isApiError(error, "validation_error")) {
        const fields = error.fieldErrors;
        setErrors({ reason: fields.reason, until: fields.until, form: errorMessage(error) });
      } else setErrors({ form: errorMessage(error) });
    }
  };

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Suspend @{user.username}</DialogTitle>
          <DialogDescription>
            Their sessions end at once and they cannot log in; their profile and gigs leave the
            public lists. Running orders go on.
          </DialogDescription>
        </DialogHeader>
        <form noValidate onSubmit={submit} className="flex flex-col gap-4" aria-label="Suspend">
          <FormAlert message={errors.form ?? null} />
          <TextareaField
            label="Reason"
            hint="Shown to the person when they are logged out."
            value={reason}
            maxLength={1000}
            error={errors.reason}
            onChange={(event) => setReason(event.target.value)}
          />
          <FormField
            label="Until (optional)"
            type="datetime-local"
            hint="Empty: until you lift it."
            value={until}
            error={errors.until}
            onChange={(event) => setUntil(event.target.value)}
          />
          <DialogFooter>
            <DialogClose asChild>
              <Button type="button" variant="outline">
                Cancel
              </Button>
            </DialogClose>
            <SubmitButton busy={suspend.isPending} variant="destructive">
              Suspend account
            </SubmitButton>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
