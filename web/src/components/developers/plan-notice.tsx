import { Link } from "react-router";

/** The API's refusal for a plan without the feature, with the way to upgrade. */
export function UpgradeNotice({ message }: { message: string }) {
  return (
    <div
      role="alert"
      className="flex flex-col gap-1 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900"
    >
      <p>{message}</p>
      <Link to="/billing" className="self-start font-medium underline">
        See the plans
      </Link>
    </div>
  );
}
