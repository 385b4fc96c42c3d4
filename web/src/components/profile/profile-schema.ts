/** The profile form's rules, the same as the API's `ProfileUpdate` (identity/schemas.py), and
 * the conversion between the form's values and the API's bodies. */
import { z } from "zod";
import type { ProfileUpdate } from "@/api/account";
import type { PrivateProfile } from "@/api/queries";
import type { components } from "@/api/schema";

export type Currency = components["schemas"]["Money"]["currency"];
export type Availability = components["schemas"]["Availability"];

export const CURRENCIES: readonly Currency[] = ["EUR", "USD", "GBP"];
export const AVAILABILITY_LABELS: Record<Availability, string> = {
  "full-time": "Full-time",
  "part-time": "Part-time",
  unavailable: "Not taking work",
};

export const MAX_SKILLS = 30;
const MAX_SKILL_LENGTH = 50;

/** "Premiere Pro, color grading" → ["Premiere Pro", "color grading"] (the first spelling of a
 * skill given twice in any case wins, as the API keeps it). */
export function parseSkills(text: string): string[] {
  const seen = new Map<string, string>();
  for (const part of text.split(",")) {
    const skill = part.trim();
    if (skill && !seen.has(skill.toLowerCase())) seen.set(skill.toLowerCase(), skill);
  }
  return [...seen.values()];
}

// The API's PublicUrl: http(s), a host with a dot, no spaces; it also refuses private hosts.
const PUBLIC_URL = /^https?:\/\/[^\s/?#@\\[\]]+\.[^\s/?#@\\[\]]+([/?#]\S*)?$/i;

const optionalUrl = z
  .string()
  .trim()
  .max(2048, "At most 2,048 characters.")
  .refine(
    (value) => value === "" || PUBLIC_URL.test(value),
    "Enter a full link starting with https://.",
  );

export const profileSchema = z.object({
  full_name: z.string().trim().min(1, "Enter your name.").max(100, "At most 100 characters."),
  bio: z.string().max(5000, "At most 5,000 characters."),
  skills: z
    .string()
    .refine((text) => parseSkills(text).length <= MAX_SKILLS, `At most ${MAX_SKILLS} skills.`)
    .refine(
      (text) => parseSkills(text).every((skill) => skill.length <= MAX_SKILL_LENGTH),
      `Each skill has at most ${MAX_SKILL_LENGTH} characters.`,
    ),
  hourly_rate: z
    .string()
    .trim()
    .refine(
      (value) => value === "" || (/^\d{1,9}(\.\d{1,2})?$/.test(value) && Number(value) > 0),
      "Enter an amount above 0 with at most two decimals, e.g. 45 or 45.50.",
    ),
  currency: z.enum(["EUR", "USD", "GBP"]),
  availability: z.enum(["", "full-time", "part-time", "unavailable"]),
  language: z
    .string()
    .trim()
    .max(16, "At most 16 characters.")
    .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, "Choose a language."),
  timezone: z.string().min(1, "Choose your time zone.").max(64),
  website_url: optionalUrl,
  youtube_url: optionalUrl,
  instagram_url: optionalUrl,
});

export type ProfileValues = z.infer<typeof profileSchema>;

export function valuesOf(profile: PrivateProfile): ProfileValues {
  return {
    full_name: profile.full_name,
    bio: profile.bio ?? "",
    skills: profile.skills.join(", "),
    hourly_rate: profile.hourly_rate ? profile.hourly_rate.value : "",
    currency: profile.hourly_rate?.currency ?? "EUR",
    availability: profile.availability ?? "",
    language: profile.language,
    timezone: profile.timezone,
    website_url: profile.website_url ?? "",
    youtube_url: profile.youtube_url ?? "",
    instagram_url: profile.instagram_url ?? "",
  };
}

const blankToNull = (value: string) => (value.trim() === "" ? null : value.trim());

/** The whole profile as `PUT /v1/users/me` takes it (empty optional fields are cleared). */
function bodyOf(
  values: ProfileValues,
): Required<
  Pick<
    ProfileUpdate,
    | "full_name"
    | "bio"
    | "skills"
    | "hourly_rate"
    | "availability"
    | "language"
    | "timezone"
    | "website_url"
    | "youtube_url"
    | "instagram_url"
  >
> {
  const rate = values.hourly_rate.trim();
  return {
    full_name: values.full_name.trim(),
    bio: blankToNull(values.bio),
    skills: parseSkills(values.skills),
    hourly_rate: rate ? { currency: values.currency, value: rate } : null,
    availability: values.availability === "" ? null : values.availability,
    language: values.language.trim(),
    timezone: values.timezone as NonNullable<ProfileUpdate["timezone"]>,
    website_url: blankToNull(values.website_url),
    youtube_url: blankToNull(values.youtube_url),
    instagram_url: blankToNull(values.instagram_url),
  };
}

/** Only what changed ("only the fields sent change"), so nothing else is overwritten. */
export function changesOf(values: ProfileValues, profile: PrivateProfile): ProfileUpdate {
  const before = bodyOf(valuesOf(profile));
  const after = bodyOf(values);
  const changes: Record<string, unknown> = {};
  for (const key of Object.keys(after) as (keyof typeof after)[]) {
    if (JSON.stringify(after[key]) !== JSON.stringify(before[key])) changes[key] = after[key];
  }
  return changes as ProfileUpdate;
}

/** An API field error's place in the form (`hourly_rate.value` → `hourly_rate`). */
export function formFieldOf(apiField: string): keyof ProfileValues | null {
  const [head] = apiField.split(".");
  return head && head in profileSchema.shape ? (head as keyof ProfileValues) : null;
}
