import { useState } from "react";
import { errorMessage } from "@/api/errors";
import { checkoutAttempt, useCheckout, type OrderDetail } from "@/api/orders";
import { FormAlert } from "@/components/form-field";
import { Spinner } from "@/components/states";
import { Button } from "@/components/ui/button";
import { formatMoney } from "@/lib/format";
import { externalNavigation } from "./external-navigation";

/** Where a payment the payer came back from stands, as far as the page knows. */
export type Confirmation =
  | { state: "confirming" }
  | { state: "timed_out" }
  | { state: "unpaid"; paymentStatus: string }
  | null;

const UNPAID: Record<string, string> = {
  failed: "Your payment failed",
  canceled: "You cancelled the payment",
  expired: "The payment expired",
};

/** For the client of an unpaid order: pay (again), and what became of the last attempt. */
export function PaymentPanel({
  order,
  confirmation,
  checkoutError,
}: {
  order: OrderDetail;
  confirmation: Confirmation;
  /** Why starting the payment failed right after the order was placed. */
  checkoutError: string | null;
}) {
  const checkout = useCheckout();
  const [failure, setFailure] = useState<string | null>(checkoutError);
  const [leaving, setLeaving] = useState(false);

  async function pay() {
    setFailure(null);
    try {
      const payment = await checkout.mutateAsync(checkoutAttempt(order.id));
      setLeaving(true);
      externalNavigation.assign(payment.checkout_url);
    } catch (error) {
      setFailure(errorMessage(error));
    }
  }

  return (
    <section
      aria-labelledby="payment-heading"
      className="flex flex-col gap-3 rounded-xl border border-amber-200 bg-amber-50 p-4 text-amber-950"
    >
      <h2 id="payment-heading" className="font-semibold">
        Payment
      </h2>
      {confirmation?.state === "confirming" ? (
        <p role="status" className="flex items-center gap-2 text-sm">
          <Spinner className="size-4" />
          Confirming your payment… This page updates by itself.
        </p>
      ) : confirmation?.state === "timed_out" ? (
        <p role="status" className="text-sm">
          We have not heard from the payment provider yet. If you paid, the order starts as soon as
          they confirm: check back in a few minutes. If you did not, pay now.
        </p>
      ) : confirmation?.state === "unpaid" ? (
        <p role="status" className="text-sm">
          {UNPAID[confirmation.paymentStatus] ?? `The payment is ${confirmation.paymentStatus}`}:
          nothing was charged. You can pay again.
        </p>
      ) : (
        <p className="text-sm">
          The creator starts once you pay. The money is held by ReelByte until you approve the work.
        </p>
      )}
      <FormAlert message={failure} />
      <Button
        className="self-start"
        onClick={() => void pay()}
        disabled={checkout.isPending || leaving || confirmation?.state === "confirming"}
      >
        {(checkout.isPending || leaving) && <Spinner className="size-4" />}
        Pay now ({formatMoney(order.amount)})
      </Button>
    </section>
  );
}
