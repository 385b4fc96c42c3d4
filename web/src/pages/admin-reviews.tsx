import { FlaggedReviews } from "@/components/admin/flagged-reviews";
import { ReportQueue } from "@/components/admin/report-queue";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";

/** Admin: the reviews users flagged (keep, hide, show again) and the reports about reviews.
 * Hiding one takes it out of every list and rating; it stays on record. */
export function Component() {
  return (
    <section aria-labelledby="admin-reviews" className="flex flex-col gap-4">
      <title>Reviews · Admin · ReelByte</title>
      <div>
        <h1 id="admin-reviews" className="text-2xl font-bold tracking-tight">
          Reported reviews
        </h1>
        <p className="text-sm text-muted-foreground">
          Hide a review that breaks the rules: it leaves every list and rating, and stays on record.
        </p>
      </div>
      <Tabs defaultValue="flagged">
        <TabsList>
          <TabsTrigger value="flagged">Flagged</TabsTrigger>
          <TabsTrigger value="reports">Reports</TabsTrigger>
        </TabsList>
        <TabsContent value="flagged">
          <FlaggedReviews />
        </TabsContent>
        <TabsContent value="reports">
          <ReportQueue target="review" label="Reported reviews" />
        </TabsContent>
      </Tabs>
    </section>
  );
}
Component.displayName = "AdminReviewsPage";
