import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Link, useNavigate, useSearchParams } from "react-router";
import { z } from "zod";
import { errorMessage } from "@/api/errors";
import { checkoutAttempt, useCheckout, useCreateOrder } from "@/api/orders";
import { useGig, type GigOut, type PackageOut } from "@/api/queries";
import { Avatar } from "@/components/avatar";
import { EmailNotVerified } from "@/components/email-not-verified";
import { FormAlert, SubmitButton, TextareaField } from "@/components/form-field";
import { externalNavigation } from "@/components/order/external-navigation";
import { EmptyState, ErrorState, PageLoading } from "@/components/states";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import { formatMoney, plural } from "@/lib/format";

/** OrderCreate.requirements takes up to 5,000 characters; the creator needs them to start. */
const requirementsSchema = z.object({
  requirements: z
    .string()
    .trim()
    .min(1, "Tell the creator what you need.")
    .max(5000, "Keep it under 5,000 characters."),
});
type RequirementsValues = z.infer<typeof requirementsSchema>;

function PackageSummary({ gig, pkg }: { gig: GigOut; pkg: PackageOut }) {
  return (
    <Card>
      <CardHeader>
        <p className="text-xs font-semibold tracking-wide text-muted-foreground uppercase">
          {pkg.tier} package
        </p>
        <h2 className="text-lg font-semibold">
          {pkg.name}: {gig.title}
        </h2>
        <p className="flex items-center gap-2 text-sm">
          <Avatar name={gig.creator.full_name} url={gig.creator.avatar_url} className="size-6" />
          <span>by {gig.creator.full_name}</span>
        </p>
        <CardDescription>{pkg.description}</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-3 text-sm">
        <dl className="grid grid-cols-3 gap-3">
          <div>
            <dt className="text-xs text-muted-foreground">Price</dt>
            <dd className="text-lg font-bold">{formatMoney(pkg.price)}</dd>
          </div>
          <div>
            <dt className="text-xs text-muted-foreground">Delivery</dt>
            <dd className="font-medium">{plural(pkg.delivery_days, "day")}</dd>
          </div>
          <div>
            <dt className="text-xs text-muted-foreground">Revisions</dt>
            <dd className="font-medium">{pkg.revisions === 0 ? "None" : pkg.revisions}</dd>
          </div>
        </dl>
        {pkg.features.length > 0 && (
          <ul className="flex flex-col gap-1.5" aria-label={`Included in ${pkg.name}`}>
            {pkg.features.map((feature) => (
              <li key={feature} className="flex gap-2">
                <span aria-hidden="true" className="text-primary">
                  ✓
                </span>
                {feature}
              </li>
            ))}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}

function RequirementsForm({ gig, pkg }: { gig: GigOut; pkg: PackageOut }) {
  const navigate = useNavigate();
  const createOrder = useCreateOrder();
  const checkout = useCheckout();
  const [failure, setFailure] = useState<string | null>(null);
  const [leaving, setLeaving] = useState(false);
  const form = useForm<RequirementsValues>({
    resolver: zodResolver(requirementsSchema),
    defaultValues: { requirements: "" },
  });
  const { errors, isSubmitting } = form.formState;

  const submit = form.handleSubmit(async ({ requirements }) => {
    setFailure(null);
    let orderId: string;
    try {
      const order = await createOrder.mutateAsync({
        gig_id: gig.id,
        package_id: pkg.id,
        requirements,
      });
      orderId = order.id;
    } catch (error) {
      setFailure(errorMessage(error));
      return;
    }
    try {
      const payment = await checkout.mutateAsync(checkoutAttempt(orderId));
      setLeaving(true);
      externalNavigation.assign(payment.checkout_url);
    } catch (error) {
      // The order exists: its page offers to pay again.
      navigate(`/orders/${orderId}`, { state: { checkoutError: errorMessage(error) } });
    }
  });

  const busy = isSubmitting || leaving;
  return (
    <form
      noValidate
      onSubmit={submit}
      aria-labelledby="requirements-heading"
      className="flex flex-col gap-4"
    >
      <h2 id="requirements-heading" className="text-lg font-semibold">
        Your requirements
      </h2>
      {gig.requirements && (
        <div className="rounded-md border bg-muted px-3 py-2 text-sm">
          <p className="font-medium">{gig.creator.full_name} asks:</p>
          <p className="whitespace-pre-line">{gig.requirements}</p>
        </div>
      )}
      <EmailNotVerified error={createOrder.error}>
        <FormAlert message={failure} />
      </EmailNotVerified>
      <TextareaField
        label="What do you need?"
        hint="Links to your footage, the style you want, formats and deadlines. Up to 5,000 characters."
        rows={6}
        maxLength={5000}
        error={errors.requirements?.message}
        {...form.register("requirements")}
      />
      <SubmitButton busy={busy} className="self-start">
        {leaving ? "Going to payment…" : `Continue to payment (${formatMoney(pkg.price)})`}
      </SubmitButton>
      <p className="text-xs text-muted-foreground">
        ReelByte holds your payment until you approve the delivered work.
      </p>
    </form>
  );
}

/** Ordering a gig's package (behind log-in): the package, the requirements, then payment. */
export function Component() {
  const [params] = useSearchParams();
  const slug = params.get("gig") ?? "";
  const packageId = params.get("package");
  const gig = useGig(slug);

  if (!slug)
    return (
      <EmptyState title="Choose a package on a gig's page first">
        <title>New order · ReelByte</title>
        <Link to="/search" className="underline">
          Find a gig
        </Link>
      </EmptyState>
    );
  if (gig.isPending) return <PageLoading label="Loading your order" />;
  if (gig.isError)
    return (
      <ErrorState
        error={gig.error}
        title="Could not load the gig"
        onRetry={() => void gig.refetch()}
      />
    );
  const pkg = gig.data.packages.find((item) => item.id === packageId);
  if (!pkg) {
    return (
      <EmptyState title="That package is not on this gig">
        <title>New order · ReelByte</title>
        <Link to={`/gigs/${gig.data.slug}`} className="underline">
          Back to the gig
        </Link>
      </EmptyState>
    );
  }
  return (
    <div className="mx-auto flex w-full max-w-2xl flex-col gap-6">
      <title>{`Order ${pkg.name}: ${gig.data.title} · ReelByte`}</title>
      <div className="flex flex-col gap-1">
        <Link
          to={`/gigs/${gig.data.slug}`}
          className="text-sm text-muted-foreground hover:underline"
        >
          Back to the gig
        </Link>
        <h1 className="text-2xl font-bold tracking-tight">Your order</h1>
      </div>
      <PackageSummary gig={gig.data} pkg={pkg} />
      <RequirementsForm gig={gig.data} pkg={pkg} />
    </div>
  );
}
Component.displayName = "NewOrderPage";
