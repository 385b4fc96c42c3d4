import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { Controller, useForm } from "react-hook-form";
import { z } from "zod";
import { errorMessage } from "@/api/errors";
import { useCreateReview, type ReviewOut } from "@/api/orders";
import { FormAlert, SubmitButton, TextareaField } from "@/components/form-field";
import { Stars } from "@/components/stars";
import { formatDate } from "@/lib/format";
import { StarInput } from "./star-input";

const stars = z
  .number({ error: "Choose from 1 to 5 stars." })
  .int()
  .min(1, "Choose from 1 to 5 stars.")
  .max(5, "Choose from 1 to 5 stars.");

/** The API's ReviewCreate: four ratings of whole stars and an optional comment. */
const reviewSchema = z.object({
  rating: stars,
  communication_rating: stars,
  quality_rating: stars,
  timeliness_rating: stars,
  comment: z.string().trim().max(5000, "Keep it under 5,000 characters."),
});
type ReviewInput = z.input<typeof reviewSchema>;
type ReviewValues = z.output<typeof reviewSchema>;

/** The party a review is about: a client reviews the creator, the creator the client. */
export type Reviewee = "creator" | "client";

/** The three category ratings, named for what they mean about the one reviewed. */
const CATEGORIES = {
  creator: [
    ["communication_rating", "Communication"],
    ["quality_rating", "Quality of the work"],
    ["timeliness_rating", "Delivery on time"],
  ],
  client: [
    ["communication_rating", "Communication"],
    ["quality_rating", "Clarity of the brief"],
    ["timeliness_rating", "Feedback on time"],
  ],
} as const;

export function ReviewForm({ orderId, reviewee }: { orderId: string; reviewee: Reviewee }) {
  const create = useCreateReview(orderId);
  const [failure, setFailure] = useState<string | null>(null);
  const form = useForm<ReviewInput, unknown, ReviewValues>({
    resolver: zodResolver(reviewSchema),
    defaultValues: { comment: "" },
  });
  const { errors, isSubmitting } = form.formState;

  const submit = form.handleSubmit(async (values) => {
    setFailure(null);
    try {
      await create.mutateAsync(values);
    } catch (error) {
      setFailure(errorMessage(error));
    }
  });

  return (
    <form noValidate onSubmit={submit} aria-label="Review" className="flex flex-col gap-4">
      <FormAlert message={failure} />
      <Controller
        control={form.control}
        name="rating"
        render={({ field }) => (
          <StarInput
            legend="Overall"
            name={field.name}
            value={field.value}
            onChange={field.onChange}
            onBlur={field.onBlur}
            error={errors.rating?.message}
          />
        )}
      />
      <div className="grid gap-4 sm:grid-cols-3">
        {CATEGORIES[reviewee].map(([name, legend]) => (
          <Controller
            key={name}
            control={form.control}
            name={name}
            render={({ field }) => (
              <StarInput
                legend={legend}
                name={field.name}
                value={field.value}
                onChange={field.onChange}
                onBlur={field.onBlur}
                error={errors[name]?.message}
              />
            )}
          />
        ))}
      </div>
      <TextareaField
        label="Your review (optional)"
        hint={`What was it like to work with this ${reviewee}? Your review is shown once they review you too, or when the review period ends.`}
        maxLength={5000}
        error={errors.comment?.message}
        {...form.register("comment")}
      />
      <SubmitButton busy={isSubmitting} className="self-start">
        Post review
      </SubmitButton>
    </form>
  );
}

/** A review of the order: the viewer's own (`byViewer`) or the other party's review of them. */
export function ReviewView({
  review,
  reviewee,
  byViewer,
}: {
  review: ReviewOut;
  reviewee: Reviewee;
  byViewer: boolean;
}) {
  return (
    <div className="flex flex-col gap-2">
      <div className="flex flex-wrap items-center gap-2">
        <Stars rating={review.rating} />
        <span className="text-xs text-muted-foreground">
          <time dateTime={review.created_at}>{formatDate(review.created_at)}</time>
        </span>
      </div>
      <dl className="flex flex-wrap gap-x-6 gap-y-1 text-sm">
        {CATEGORIES[reviewee].map(([name, label]) => (
          <div key={name} className="flex gap-1">
            <dt className="text-muted-foreground">{label}</dt>
            <dd className="font-medium">{review[name]} / 5</dd>
          </div>
        ))}
      </dl>
      {review.comment && <p className="text-sm whitespace-pre-line">{review.comment}</p>}
      {byViewer && !review.published && (
        <p className="text-xs text-muted-foreground">
          Only you can see it for now: it is shown once the {reviewee} reviews you too, or when the
          review period ends.
        </p>
      )}
      {review.reply && (
        <div className="rounded-md border-l-2 bg-muted px-3 py-2 text-sm">
          <p className="font-medium">{byViewer ? `The ${reviewee}’s reply` : "Your reply"}</p>
          <p className="whitespace-pre-line">{review.reply.text}</p>
        </div>
      )}
    </div>
  );
}
