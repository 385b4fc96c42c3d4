import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { errorMessage, isApiError, type ApiError } from "@/api/errors";
import { useDeleteAccount } from "@/api/privacy";
import { FormAlert, FormField, SubmitButton } from "@/components/form-field";
import { formatMoney, type Money } from "@/lib/format";

const link = "font-medium text-primary underline-offset-4 hover:underline";

type OpenOrder = { id: string; status: string; role: string };

function openOrders(error: ApiError): OpenOrder[] {
  const details = error.details as { orders?: OpenOrder[] } | null;
  return Array.isArray(details?.orders) ? details.orders : [];
}

function heldMoney(error: ApiError): [string, Money][] {
  const details = (error.details ?? {}) as Record<string, Money | undefined>;
  const labels: Record<string, string> = {
    available: "available",
    pending: "pending",
    in_transit: "on its way to you",
  };
  return Object.entries(labels).flatMap(([key, label]): [string, Money][] => {
    const money = details[key];
    return money && Number(money.value) > 0 ? [[label, money]] : [];
  });
}

/** Why the API refused: the open orders to finish, or the money still held. */
function Refusal({ error }: { error: unknown }) {
  if (isApiError(error, "open_orders")) {
    return (
      <div
        role="alert"
        className="rounded-md border border-destructive/40 bg-destructive/10 p-3 text-sm"
      >
        <p className="text-destructive">
          {error.message.replace(/ \(`details.orders` lists them\)/, "")}
        </p>
        <ul className="mt-2 list-disc pl-5">
          {openOrders(error).map((order) => (
            <li key={order.id}>
              <Link to={`/orders/${order.id}`} className={link}>
                Order {order.id.slice(0, 8)}
              </Link>{" "}
              ({order.status.replaceAll("_", " ")}, as the {order.role})
            </li>
          ))}
        </ul>
      </div>
    );
  }
  if (isApiError(error, "balance_not_empty")) {
    return (
      <div
        role="alert"
        className="rounded-md border border-destructive/40 bg-destructive/10 p-3 text-sm"
      >
        <p className="text-destructive">{error.message}</p>
        <ul className="mt-2 list-disc pl-5">
          {heldMoney(error).map(([label, money]) => (
            <li key={label}>
              {formatMoney(money)} {label}
            </li>
          ))}
        </ul>
        <Link to="/earnings" className={link}>
          Go to your earnings
        </Link>
      </div>
    );
  }
  return <FormAlert message={errorMessage(error)} />;
}

/** Delete the account for good: confirmed by typing the username. */
export function DeleteAccountSection({ username }: { username: string }) {
  const remove = useDeleteAccount();
  const [typed, setTyped] = useState("");
  const matches = typed.trim() === username;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!matches) return;
    remove.mutate(); // on success the session ends and the page gives way to the home page
  };

  return (
    <form noValidate onSubmit={submit} className="flex flex-col gap-4" aria-label="Delete account">
      <p className="text-sm">
        Your profile, gigs, messages and files are erased and you are logged out everywhere. Orders
        and payments stay on record, without your name. This cannot be undone.
      </p>
      {remove.isError && <Refusal error={remove.error} />}
      <FormField
        label={`Type your username, ${username}, to confirm`}
        autoComplete="off"
        value={typed}
        onChange={(event) => setTyped(event.target.value)}
      />
      <SubmitButton
        busy={remove.isPending}
        disabled={!matches}
        variant="destructive"
        className="self-start"
      >
        Delete my account
      </SubmitButton>
    </form>
  );
}
