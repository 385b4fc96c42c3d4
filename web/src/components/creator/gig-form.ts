/** The gig editor's form: its rules (those of catalog/schemas.py, so most mistakes are caught
 * before a request), its values from a gig, and the requests its values make. */
import type { UseFormSetError } from "react-hook-form";
import { z } from "zod";
import type { GigCreate, GigUpdate, PackageFields, PackagePlan, PackageTier } from "@/api/creator";
import { ApiError } from "@/api/errors";
import type { GigOut } from "@/api/queries";
import { centsToValue, parseCents } from "./money";

export const TIERS = ["basic", "standard", "premium"] as const satisfies readonly PackageTier[];
export const TIER_NAMES: Record<PackageTier, string> = {
  basic: "Basic",
  standard: "Standard",
  premium: "Premium",
};
export const MAX_TAGS = 10;
export const MAX_TAG_LENGTH = 40;
export const MAX_FEATURES = 20;
export const MAX_GALLERY = 10;
const MAX_PRICE_CENTS = 1_000_000_00;
/** The platform's currency (config DEFAULT_CURRENCY): the API does not publish it. */
export const DEFAULT_CURRENCY = "EUR" as const;
export const NO_SUBCATEGORY = "none";

export function tagsOf(text: string): string[] {
  const tags: string[] = [];
  for (const raw of text.split(",")) {
    const tag = raw.trim().replace(/\s+/g, " ").toLowerCase();
    if (tag && !tags.includes(tag)) tags.push(tag);
  }
  return tags;
}

export function featuresOf(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
}

const wholeNumber = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : null);

const packageSchema = z
  .object({
    offered: z.boolean(),
    description: z.string(),
    price: z.string(),
    delivery_days: z.string(),
    revisions: z.string(),
    features: z.string(),
  })
  .superRefine((pkg, context) => {
    if (!pkg.offered) return;
    const issue = (path: string, message: string) =>
      context.addIssue({ code: "custom", path: [path], message });
    const description = pkg.description.trim();
    if (!description) issue("description", "Say what this package includes.");
    else if (description.length > 2000) issue("description", "At most 2,000 characters.");
    const cents = parseCents(pkg.price);
    if (cents === null) issue("price", "Enter a price such as 50 or 49.99.");
    else if (cents <= 0) issue("price", "The price must be more than zero.");
    else if (cents > MAX_PRICE_CENTS) issue("price", "At most 1,000,000.");
    const days = wholeNumber(pkg.delivery_days);
    if (days === null || days < 1 || days > 365)
      issue("delivery_days", "Enter a number of days from 1 to 365.");
    const revisions = wholeNumber(pkg.revisions);
    if (revisions === null || revisions > 100) issue("revisions", "Enter a number from 0 to 100.");
    const features = featuresOf(pkg.features);
    if (features.length > MAX_FEATURES) issue("features", `At most ${MAX_FEATURES} features.`);
    else if (features.some((feature) => feature.length > 200))
      issue("features", "Each feature has at most 200 characters.");
  });

export const gigFormSchema = z
  .object({
    title: z
      .string()
      .trim()
      .min(3, "Give the gig a title of at least 3 characters.")
      .max(120, "At most 120 characters."),
    description: z
      .string()
      .trim()
      .min(1, "Describe what you offer.")
      .max(10_000, "At most 10,000 characters."),
    requirements: z.string().trim().max(5_000, "At most 5,000 characters."),
    category_id: z.string().min(1, "Choose a category."),
    subcategory_id: z.string(),
    tags: z.string().superRefine((text, context) => {
      const tags = tagsOf(text);
      if (tags.length > MAX_TAGS)
        context.addIssue({ code: "custom", message: `At most ${MAX_TAGS} tags.` });
      else if (tags.some((tag) => tag.length > MAX_TAG_LENGTH))
        context.addIssue({
          code: "custom",
          message: `Each tag has at most ${MAX_TAG_LENGTH} characters.`,
        });
    }),
    is_active: z.boolean(),
    packages: z.object({ basic: packageSchema, standard: packageSchema, premium: packageSchema }),
  })
  .superRefine((values, context) => {
    if (!TIERS.some((tier) => values.packages[tier].offered))
      context.addIssue({
        code: "custom",
        path: ["packages", "basic", "offered"],
        message: "Offer at least one package, so that clients can order this gig.",
      });
  });

export type GigFormValues = z.infer<typeof gigFormSchema>;
export type PackageValues = GigFormValues["packages"][PackageTier];

const emptyPackage = (offered: boolean): PackageValues => ({
  offered,
  description: "",
  price: "",
  delivery_days: "",
  revisions: "1",
  features: "",
});

export function emptyGigValues(): GigFormValues {
  return {
    title: "",
    description: "",
    requirements: "",
    category_id: "",
    subcategory_id: NO_SUBCATEGORY,
    tags: "",
    is_active: true,
    packages: {
      basic: emptyPackage(true),
      standard: emptyPackage(false),
      premium: emptyPackage(false),
    },
  };
}

export function gigValues(gig: GigOut): GigFormValues {
  const packages = emptyGigValues().packages;
  for (const tier of TIERS) {
    const pkg = gig.packages.find((candidate) => candidate.tier === tier);
    packages[tier] = pkg
      ? {
          offered: true,
          description: pkg.description,
          price: pkg.price.value,
          delivery_days: String(pkg.delivery_days),
          revisions: String(pkg.revisions),
          features: pkg.features.join("\n"),
        }
      : emptyPackage(false);
  }
  return {
    title: gig.title,
    description: gig.description,
    requirements: gig.requirements ?? "",
    category_id: String(gig.category.id),
    subcategory_id: gig.subcategory ? String(gig.subcategory.id) : NO_SUBCATEGORY,
    tags: gig.tags.join(", "),
    is_active: gig.is_active,
    packages,
  };
}

function packageFields(pkg: PackageValues, currency: string): PackageFields {
  return {
    description: pkg.description.trim(),
    price: {
      currency: currency as PackageFields["price"]["currency"],
      value: centsToValue(parseCents(pkg.price) ?? 0),
    },
    delivery_days: Number(pkg.delivery_days.trim()),
    revisions: Number(pkg.revisions.trim()),
    features: featuresOf(pkg.features),
  };
}

function gigFields(values: GigFormValues) {
  return {
    title: values.title.trim(),
    description: values.description.trim(),
    category_id: Number(values.category_id),
    subcategory_id: values.subcategory_id === NO_SUBCATEGORY ? null : Number(values.subcategory_id),
    tags: tagsOf(values.tags),
    requirements: values.requirements.trim() || null,
    is_active: values.is_active,
  };
}

export function offeredTiers(values: GigFormValues): PackageTier[] {
  return TIERS.filter((tier) => values.packages[tier].offered);
}

/** POST /v1/gigs: the gig with its offered packages. */
export function createBody(values: GigFormValues): GigCreate {
  return {
    ...gigFields(values),
    packages: offeredTiers(values).map((tier) => ({
      tier,
      ...packageFields(values.packages[tier], DEFAULT_CURRENCY),
    })),
  };
}

/** PUT /v1/gigs/{gig} and the package steps that turn `gig` into what the form says. */
export function updatePlan(
  gig: GigOut,
  values: GigFormValues,
): { changes: GigUpdate; packages: PackagePlan } {
  const plan: PackagePlan = { create: [], update: [], remove: [] };
  const currency = gig.packages[0]?.price.currency ?? DEFAULT_CURRENCY;
  for (const tier of TIERS) {
    const existing = gig.packages.find((pkg) => pkg.tier === tier);
    const wanted = values.packages[tier];
    if (!wanted.offered) {
      if (existing) plan.remove.push({ tier, id: existing.id });
      continue;
    }
    const fields = packageFields(wanted, existing?.price.currency ?? currency);
    if (!existing) {
      plan.create.push({ tier, body: fields });
      continue;
    }
    const changed: Partial<PackageFields> = {};
    if (fields.description !== existing.description) changed.description = fields.description;
    if (fields.price.value !== existing.price.value) changed.price = fields.price;
    if (fields.delivery_days !== existing.delivery_days)
      changed.delivery_days = fields.delivery_days;
    if (fields.revisions !== existing.revisions) changed.revisions = fields.revisions;
    if (fields.features.join("\n") !== existing.features.join("\n"))
      changed.features = fields.features;
    if (Object.keys(changed).length > 0) plan.update.push({ tier, id: existing.id, body: changed });
  }
  return { changes: gigFields(values), packages: plan };
}

const GIG_FIELDS = new Set([
  "title",
  "description",
  "requirements",
  "category_id",
  "subcategory_id",
  "tags",
  "is_active",
]);
const PACKAGE_FIELDS = new Set(["description", "price", "delivery_days", "revisions", "features"]);

/**
 * Put a `validation_error`'s messages on the fields they are about: a gig field by its name, a
 * package field by `packages.<n>.…` (n counts the packages sent: `tiers`) or, for a package
 * route, by its own name (`tier`). Returns what to show above the form (null: nothing more).
 */
export function showApiErrors(
  error: unknown,
  setError: UseFormSetError<GigFormValues>,
  { tiers = [], tier }: { tiers?: PackageTier[]; tier?: PackageTier } = {},
): string {
  if (!(error instanceof ApiError)) return "Something went wrong. Try again in a moment.";
  const fields = error.fieldErrors;
  const unplaced: string[] = [];
  let placed = 0;
  for (const [path, message] of Object.entries(fields)) {
    const parts = path.split(".");
    let packageTier = tier;
    let rest = parts;
    if (!tier && parts[0] === "packages" && /^\d+$/.test(parts[1] ?? "")) {
      packageTier = tiers[Number(parts[1])];
      rest = parts.slice(2);
    }
    const [name = ""] = rest;
    if (packageTier && PACKAGE_FIELDS.has(name)) {
      setError(`packages.${packageTier}.${name as keyof PackageValues}`, { message });
      placed++;
    } else if (!packageTier && GIG_FIELDS.has(name)) {
      setError(name as keyof Omit<GigFormValues, "packages">, { message });
      placed++;
    } else {
      unplaced.push(message);
    }
  }
  const where = tier ? ` (${TIER_NAMES[tier]} package)` : "";
  if (placed === 0 && unplaced.length === 0) return `${error.message}${where}`;
  if (unplaced.length > 0) return `${unplaced.join(" ")}${where}`;
  return `Some fields need a change${where}: see below.`;
}
