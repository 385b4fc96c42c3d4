import { useWatch, type UseFormReturn } from "react-hook-form";
import type { PackageTier } from "@/api/creator";
import { FormField, TextareaField } from "@/components/form-field";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { TIER_NAMES, TIERS, type GigFormValues } from "./gig-form";

function PackagePanel({
  form,
  tier,
  currency,
}: {
  form: UseFormReturn<GigFormValues>;
  tier: PackageTier;
  currency: string;
}) {
  const offered = useWatch({ control: form.control, name: `packages.${tier}.offered` });
  const errors = form.formState.errors.packages?.[tier];
  const name = TIER_NAMES[tier];
  const offeredError = errors?.offered?.message;
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-col gap-1">
        <label className="flex items-center gap-2 text-sm font-medium">
          <input
            type="checkbox"
            className="size-4 accent-primary"
            aria-invalid={offeredError ? true : undefined}
            aria-describedby={offeredError ? `${tier}-offered-error` : undefined}
            {...form.register(`packages.${tier}.offered`)}
          />
          Offer a {name} package
        </label>
        {offeredError && (
          <p id={`${tier}-offered-error`} className="text-sm text-destructive">
            {offeredError}
          </p>
        )}
      </div>
      {offered && (
        <>
          <TextareaField
            label={`${name}: what is included`}
            rows={3}
            error={errors?.description?.message}
            {...form.register(`packages.${tier}.description`)}
          />
          <div className="grid gap-4 sm:grid-cols-3">
            <FormField
              label={`${name}: price (${currency})`}
              inputMode="decimal"
              autoComplete="off"
              error={errors?.price?.message}
              {...form.register(`packages.${tier}.price`)}
            />
            <FormField
              label={`${name}: delivery in days`}
              inputMode="numeric"
              autoComplete="off"
              error={errors?.delivery_days?.message}
              {...form.register(`packages.${tier}.delivery_days`)}
            />
            <FormField
              label={`${name}: revisions`}
              inputMode="numeric"
              autoComplete="off"
              error={errors?.revisions?.message}
              {...form.register(`packages.${tier}.revisions`)}
            />
          </div>
          <TextareaField
            label={`${name}: features`}
            hint="One per line, such as “Colour grading” or “4K master”."
            rows={4}
            error={errors?.features?.message}
            {...form.register(`packages.${tier}.features`)}
          />
        </>
      )}
    </div>
  );
}

/** The three packages, a tab each; the panels stay mounted so their fields keep their values. */
export function PackageTabs({
  form,
  tab,
  onTabChange,
  currency,
}: {
  form: UseFormReturn<GigFormValues>;
  tab: PackageTier;
  onTabChange: (tier: PackageTier) => void;
  currency: string;
}) {
  const errors = form.formState.errors.packages;
  const offered = useWatch({ control: form.control, name: "packages" });
  return (
    <Tabs value={tab} onValueChange={(value) => onTabChange(value as PackageTier)}>
      <TabsList className="w-full sm:w-auto">
        {TIERS.map((tier) => (
          <TabsTrigger key={tier} value={tier} className="flex-1 sm:flex-none">
            {TIER_NAMES[tier]}
            {!offered[tier].offered && (
              <span className="text-xs font-normal">
                <span className="sr-only">, </span>off
              </span>
            )}
            {errors?.[tier] && (
              <span className="text-destructive">
                <span aria-hidden="true">•</span>
                <span className="sr-only">, needs a change</span>
              </span>
            )}
          </TabsTrigger>
        ))}
      </TabsList>
      {TIERS.map((tier) => (
        <TabsContent key={tier} value={tier} forceMount>
          <PackagePanel form={form} tier={tier} currency={currency} />
        </TabsContent>
      ))}
    </Tabs>
  );
}
