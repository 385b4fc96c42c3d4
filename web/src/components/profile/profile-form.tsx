import { zodResolver } from "@hookform/resolvers/zod";
import { useMemo, useState } from "react";
import { useForm } from "react-hook-form";
import { useUpdateProfile } from "@/api/account";
import { errorMessage, isApiError } from "@/api/errors";
import type { PrivateProfile } from "@/api/queries";
import {
  FormAlert,
  FormField,
  SelectField,
  SubmitButton,
  TextareaField,
} from "@/components/form-field";
import {
  AVAILABILITY_LABELS,
  CURRENCIES,
  changesOf,
  formFieldOf,
  MAX_SKILLS,
  profileSchema,
  valuesOf,
  type ProfileValues,
} from "@/components/profile/profile-schema";
import { languageName } from "@/lib/format";

const LANGUAGES = [
  "en",
  "nl",
  "de",
  "fr",
  "es",
  "it",
  "pt",
  "pl",
  "sv",
  "da",
  "nb",
  "fi",
  "cs",
  "el",
  "tr",
  "ru",
  "uk",
  "ar",
  "he",
  "hi",
  "ja",
  "ko",
  "zh",
];

function timeZones(current: string): string[] {
  const zones =
    typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return zones.includes(current) ? zones : [current, ...zones];
}

/** The profile others see: name, bio, creator details, links. Sends only what changed. */
export function ProfileForm({ profile }: { profile: PrivateProfile }) {
  const update = useUpdateProfile();
  const [failure, setFailure] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const form = useForm<ProfileValues>({
    resolver: zodResolver(profileSchema),
    defaultValues: valuesOf(profile),
  });
  const { errors, isSubmitting, isDirty } = form.formState;
  const zones = useMemo(() => timeZones(profile.timezone), [profile.timezone]);
  const languages = LANGUAGES.includes(profile.language)
    ? LANGUAGES
    : [profile.language, ...LANGUAGES];
  const sells = profile.role !== "client";

  const submit = form.handleSubmit(async (values) => {
    setFailure(null);
    setSaved(false);
    const changes = changesOf(values, profile);
    if (Object.keys(changes).length === 0) {
      form.reset(values);
      setSaved(true);
      return;
    }
    try {
      const updated = await update.mutateAsync(changes);
      form.reset(valuesOf(updated));
      setSaved(true);
    } catch (error) {
      let placed = false;
      if (isApiError(error)) {
        for (const [field, message] of Object.entries(error.fieldErrors)) {
          const name = formFieldOf(field);
          if (name) {
            form.setError(name, { message }, { shouldFocus: !placed });
            placed = true;
          }
        }
      }
      if (!placed) setFailure(errorMessage(error));
    }
  });

  return (
    <form noValidate onSubmit={submit} className="flex flex-col gap-4" aria-labelledby="profile">
      <FormAlert message={failure} />
      <FormField
        label="Full name"
        autoComplete="name"
        error={errors.full_name?.message}
        {...form.register("full_name")}
      />
      <TextareaField
        label="About you"
        hint="Shown on your profile: what you do, for whom, with what."
        rows={5}
        error={errors.bio?.message}
        {...form.register("bio")}
      />
      {sells && (
        <fieldset className="flex flex-col gap-4">
          <legend className="mb-2 text-sm font-semibold">As a creator</legend>
          <FormField
            label="Skills"
            hint={`Separated by commas, at most ${MAX_SKILLS}: e.g. Premiere Pro, Color grading.`}
            error={errors.skills?.message}
            {...form.register("skills")}
          />
          <div className="grid gap-4 sm:grid-cols-[1fr_8rem]">
            <FormField
              label="Hourly rate"
              inputMode="decimal"
              hint="Leave empty to show no rate."
              error={errors.hourly_rate?.message}
              {...form.register("hourly_rate")}
            />
            <SelectField label="Currency" {...form.register("currency")}>
              {CURRENCIES.map((currency) => (
                <option key={currency} value={currency}>
                  {currency}
                </option>
              ))}
            </SelectField>
          </div>
          <SelectField
            label="Availability"
            error={errors.availability?.message}
            {...form.register("availability")}
          >
            <option value="">Not shown</option>
            {Object.entries(AVAILABILITY_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </SelectField>
        </fieldset>
      )}
      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField
          label="Language"
          error={errors.language?.message}
          {...form.register("language")}
        >
          {languages.map((code) => (
            <option key={code} value={code}>
              {languageName(code)}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Time zone"
          error={errors.timezone?.message}
          {...form.register("timezone")}
        >
          {zones.map((zone) => (
            <option key={zone} value={zone}>
              {zone.replaceAll("_", " ")}
            </option>
          ))}
        </SelectField>
      </div>
      <fieldset className="flex flex-col gap-4">
        <legend className="mb-2 text-sm font-semibold">Links</legend>
        <FormField
          label="Website"
          type="url"
          inputMode="url"
          placeholder="https://"
          error={errors.website_url?.message}
          {...form.register("website_url")}
        />
        <FormField
          label="YouTube"
          type="url"
          inputMode="url"
          placeholder="https://youtube.com/@you"
          error={errors.youtube_url?.message}
          {...form.register("youtube_url")}
        />
        <FormField
          label="Instagram"
          type="url"
          inputMode="url"
          placeholder="https://instagram.com/you"
          error={errors.instagram_url?.message}
          {...form.register("instagram_url")}
        />
      </fieldset>
      <div className="flex items-center gap-3">
        <SubmitButton busy={isSubmitting}>Save profile</SubmitButton>
        <p role="status" className="text-sm text-muted-foreground">
          {saved && !isDirty ? "Your profile is saved." : ""}
        </p>
      </div>
    </form>
  );
}
