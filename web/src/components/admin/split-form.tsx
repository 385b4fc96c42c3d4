import { useState, type FormEvent } from "react";
import { useResolveDispute, type DisputeCase } from "@/api/admin";
import { errorMessage, isApiError } from "@/api/errors";
import { checkSplit, halves } from "@/components/admin/split";
import { FormAlert, FormField, SubmitButton, TextareaField } from "@/components/form-field";
import { Button } from "@/components/ui/button";
import { formatMoney } from "@/lib/format";

/** Settle a dispute: what goes back to the client and what is released to the creator, checked
 * as it is typed to add up to what escrow holds; submitting waits until it does. */
export function SplitForm({ dispute }: { dispute: DisputeCase }) {
  const resolve = useResolveDispute();
  const held = dispute.held;
  const [refund, setRefund] = useState("");
  const [release, setRelease] = useState("");
  const [note, setNote] = useState("");
  const [failure, setFailure] = useState<string | null>(null);
  const touched = refund !== "" || release !== "";
  const check = checkSplit(refund, release, held.value);

  const fill = (amounts: { refund: string; release: string }) => {
    setRefund(amounts.refund);
    setRelease(amounts.release);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!check.ok) return;
    setFailure(null);
    try {
      await resolve.mutateAsync({
        disputeId: dispute.dispute.id,
        body: {
          refund: { currency: held.currency, value: check.refund },
          release: { currency: held.currency, value: check.release },
          note: note.trim() || null,
        },
      });
    } catch (error) {
      setFailure(
        isApiError(error, "split_mismatch")
          ? `${error.message} Escrow may have changed: reload the queue.`
          : errorMessage(error),
      );
    }
  };

  return (
    <form
      noValidate
      onSubmit={submit}
      className="flex flex-col gap-3"
      aria-label={`Settle the dispute on ${dispute.order.title}`}
    >
      <div className="flex flex-wrap gap-2">
        <Button
          type="button"
          size="sm"
          variant="outline"
          onClick={() => fill({ refund: held.value, release: "0" })}
        >
          All to the client
        </Button>
        <Button type="button" size="sm" variant="outline" onClick={() => fill(halves(held.value))}>
          Half each
        </Button>
        <Button
          type="button"
          size="sm"
          variant="outline"
          onClick={() => fill({ refund: "0", release: held.value })}
        >
          All to the creator
        </Button>
      </div>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        <FormField
          label={`Refund to the client (${held.currency})`}
          inputMode="decimal"
          autoComplete="off"
          value={refund}
          error={touched && !check.ok ? check.refundError : undefined}
          onChange={(event) => setRefund(event.target.value)}
        />
        <FormField
          label={`Release to the creator (${held.currency})`}
          inputMode="decimal"
          autoComplete="off"
          value={release}
          error={touched && !check.ok ? check.releaseError : undefined}
          onChange={(event) => setRelease(event.target.value)}
        />
      </div>
      <p
        aria-live="polite"
        className={check.ok ? "text-sm text-emerald-700" : "text-sm text-muted-foreground"}
      >
        {check.ok
          ? `Adds up to the ${formatMoney(held)} held.`
          : touched
            ? check.message
            : `Split the ${formatMoney(held)} held between the client and the creator.`}
      </p>
      <TextareaField
        label="Note (optional)"
        hint="Both parties see it with the outcome."
        rows={2}
        maxLength={2000}
        value={note}
        onChange={(event) => setNote(event.target.value)}
      />
      <FormAlert message={failure} />
      <SubmitButton busy={resolve.isPending} disabled={!check.ok} className="self-start">
        Settle the dispute
      </SubmitButton>
    </form>
  );
}
