import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import {
  Controller,
  useForm,
  useWatch,
  type FieldErrors,
  type UseFormReturn,
} from "react-hook-form";
import { Link, useNavigate, useParams } from "react-router";
import {
  PackageError,
  useCreateGig,
  useEditableGig,
  useSaveGig,
  type PackageTier,
} from "@/api/creator";
import { isApiError } from "@/api/errors";
import { useCategories, type CategoryNode, type GigOut } from "@/api/queries";
import { useAuth } from "@/auth/auth-context";
import {
  createBody,
  DEFAULT_CURRENCY,
  emptyGigValues,
  gigFormSchema,
  gigValues,
  NO_SUBCATEGORY,
  offeredTiers,
  showApiErrors,
  TIERS,
  updatePlan,
  type GigFormValues,
} from "@/components/creator/gig-form";
import { GigMedia } from "@/components/creator/gig-media";
import { Notice } from "@/components/creator/notice";
import { useNotice } from "@/components/creator/use-notice";
import { EmailNotVerified } from "@/components/email-not-verified";
import { PackageTabs } from "@/components/creator/package-tabs";
import { FormAlert, FormField, SubmitButton, TextareaField } from "@/components/form-field";
import { EmptyState, ErrorState } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { Label } from "@/components/ui/label";
import {
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
} from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";

function CategoryFields({
  form,
  categories,
}: {
  form: UseFormReturn<GigFormValues>;
  categories: CategoryNode[];
}) {
  const categoryId = useWatch({ control: form.control, name: "category_id" });
  const subcategories = categories.find((c) => String(c.id) === categoryId)?.subcategories ?? [];
  const { errors } = form.formState;
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <Controller
        control={form.control}
        name="category_id"
        render={({ field }) => (
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="gig-category">Category</Label>
            <Select
              value={field.value}
              onValueChange={(value) => {
                field.onChange(value);
                form.setValue("subcategory_id", NO_SUBCATEGORY);
              }}
            >
              <SelectTrigger
                id="gig-category"
                ref={field.ref}
                onBlur={field.onBlur}
                aria-invalid={errors.category_id ? true : undefined}
                aria-describedby={errors.category_id ? "gig-category-error" : undefined}
              >
                <SelectValue placeholder="Choose a category" />
              </SelectTrigger>
              <SelectContent>
                {categories.map((category) => (
                  <SelectItem key={category.id} value={String(category.id)}>
                    {category.name}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
            {errors.category_id && (
              <p id="gig-category-error" className="text-sm text-destructive">
                {errors.category_id.message}
              </p>
            )}
          </div>
        )}
      />
      {subcategories.length > 0 && (
        <Controller
          control={form.control}
          name="subcategory_id"
          render={({ field }) => (
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="gig-subcategory">Subcategory</Label>
              <Select value={field.value} onValueChange={field.onChange}>
                <SelectTrigger
                  id="gig-subcategory"
                  ref={field.ref}
                  onBlur={field.onBlur}
                  aria-invalid={errors.subcategory_id ? true : undefined}
                  aria-describedby={errors.subcategory_id ? "gig-subcategory-error" : undefined}
                >
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  <SelectItem value={NO_SUBCATEGORY}>None</SelectItem>
                  {subcategories.map((subcategory) => (
                    <SelectItem key={subcategory.id} value={String(subcategory.id)}>
                      {subcategory.name}
                    </SelectItem>
                  ))}
                </SelectContent>
              </Select>
              {errors.subcategory_id && (
                <p id="gig-subcategory-error" className="text-sm text-destructive">
                  {errors.subcategory_id.message}
                </p>
              )}
            </div>
          )}
        />
      )}
    </div>
  );
}

function GigForm({ gig, categories }: { gig: GigOut | null; categories: CategoryNode[] }) {
  const navigate = useNavigate();
  const create = useCreateGig();
  const save = useSaveGig(gig?.id ?? "");
  const [failure, setFailure] = useState<string | null>(null);
  const [tab, setTab] = useState<PackageTier>("basic");
  const form = useForm<GigFormValues>({
    resolver: zodResolver(gigFormSchema),
    defaultValues: gig ? gigValues(gig) : emptyGigValues(),
  });
  const { errors, isSubmitting } = form.formState;
  const currency = gig?.packages[0]?.price.currency ?? DEFAULT_CURRENCY;

  const showTierWithErrors = (found: FieldErrors<GigFormValues>) => {
    const tier = TIERS.find((candidate) => found.packages?.[candidate]);
    if (tier && !found.packages?.[tab]) setTab(tier);
  };

  const submit = form.handleSubmit(
    async (values) => {
      setFailure(null);
      try {
        if (!gig) {
          const created = await create.mutateAsync(createBody(values));
          navigate(`/dashboard/gigs/${created.id}/edit`, {
            replace: true,
            state: {
              notice: `“${created.title}” is saved. Add pictures and a preview video below.`,
            },
          });
          return;
        }
        const saved = await save.mutateAsync(updatePlan(gig, values));
        navigate("/dashboard", { state: { notice: `“${saved.title}” is saved.` } });
      } catch (error) {
        if (error instanceof PackageError) {
          setFailure(showApiErrors(error.cause, form.setError, { tier: error.tier }));
          setTab(error.tier);
        } else {
          setFailure(showApiErrors(error, form.setError, { tiers: offeredTiers(values) }));
          showTierWithErrors(form.formState.errors);
        }
      }
    },
    (found) => showTierWithErrors(found),
  );

  return (
    <form noValidate onSubmit={submit} className="flex flex-col gap-6" aria-label="Gig">
      <EmailNotVerified error={create.error}>
        <FormAlert message={failure} />
      </EmailNotVerified>
      <Card>
        <CardHeader>
          <h2 className="text-lg font-semibold">About the gig</h2>
        </CardHeader>
        <CardContent className="flex flex-col gap-4">
          <FormField
            label="Title"
            hint="Start with “I will…”: 3 to 120 characters."
            error={errors.title?.message}
            {...form.register("title")}
          />
          <CategoryFields form={form} categories={categories} />
          <FormField
            label="Tags"
            hint="Up to 10, separated by commas: “wedding, premiere pro”."
            error={errors.tags?.message}
            {...form.register("tags")}
          />
          <TextareaField
            label="Description"
            rows={6}
            error={errors.description?.message}
            {...form.register("description")}
          />
          <TextareaField
            label="What you need from the client (optional)"
            rows={3}
            error={errors.requirements?.message}
            {...form.register("requirements")}
          />
          <label className="flex items-center gap-2 text-sm font-medium">
            <input
              type="checkbox"
              className="size-4 accent-primary"
              {...form.register("is_active")}
            />
            Listed: clients can find and order this gig
          </label>
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <h2 className="text-lg font-semibold">Packages</h2>
          <p className="text-sm text-muted-foreground">
            Offer up to three: Basic, Standard and Premium. Prices are in {currency}.
          </p>
        </CardHeader>
        <CardContent>
          <PackageTabs form={form} tab={tab} onTabChange={setTab} currency={currency} />
        </CardContent>
      </Card>

      <div className="flex flex-wrap gap-3">
        <SubmitButton busy={isSubmitting}>{gig ? "Save changes" : "Create gig"}</SubmitButton>
        <Button asChild variant="outline">
          <Link to="/dashboard">Cancel</Link>
        </Button>
      </div>
    </form>
  );
}

function EditorSkeleton() {
  return (
    <div
      className="flex flex-col gap-4"
      role="status"
      aria-busy="true"
      aria-label="Loading the gig"
    >
      <Skeleton className="h-8 w-1/2" />
      <Skeleton className="h-64 w-full" />
      <Skeleton className="h-48 w-full" />
    </div>
  );
}

function Editor({ gigRef }: { gigRef: string | undefined }) {
  const { user } = useAuth();
  const categories = useCategories();
  const gig = useEditableGig(gigRef);
  const editing = gigRef !== undefined;

  if (categories.isPending || (editing && gig.isPending)) return <EditorSkeleton />;
  if (categories.isError)
    return (
      <ErrorState
        error={categories.error}
        title="Could not load the categories"
        onRetry={() => void categories.refetch()}
      />
    );
  if (editing && gig.isError) {
    if (isApiError(gig.error) && gig.error.status === 404)
      return (
        <EmptyState title="This gig is not here">
          It may have been deleted.{" "}
          <Link to="/dashboard" className="underline">
            Back to your dashboard
          </Link>
          .
        </EmptyState>
      );
    return (
      <ErrorState
        error={gig.error}
        title="Could not load the gig"
        onRetry={() => void gig.refetch()}
      />
    );
  }
  const data = editing ? (gig.data ?? null) : null;
  if (data && user && data.creator.id !== user.id)
    return (
      <EmptyState title="This gig is not yours">
        Only its creator can edit it.{" "}
        <Link to={`/gigs/${data.slug}`} className="underline">
          See the gig
        </Link>
        .
      </EmptyState>
    );
  return (
    <>
      <GigForm key={data?.id ?? "new"} gig={data} categories={categories.data} />
      {data && <GigMedia gig={data} />}
    </>
  );
}

export function Component() {
  const { gig: gigRef } = useParams();
  const notice = useNotice();
  const title = gigRef ? "Edit gig" : "New gig";
  return (
    <div className="mx-auto flex w-full max-w-3xl flex-col gap-6">
      <title>{`${title} · ReelByte`}</title>
      <div className="flex flex-col gap-2">
        <Link to="/dashboard" className="text-sm text-muted-foreground hover:underline">
          ← Dashboard
        </Link>
        <h1 className="text-2xl font-bold tracking-tight">{title}</h1>
      </div>
      <Notice message={notice} />
      <Editor gigRef={gigRef} />
    </div>
  );
}
Component.displayName = "GigEditorPage";
