import { Link } from "react-router";
import { useSubscription } from "@/api/billing";
import { ApiKeyList, CreateApiKeyForm } from "@/components/developers/api-keys";
import { CreateEndpointForm, WebhookEndpointList } from "@/components/developers/webhooks";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";

/** A short line on what the plan allows, with the way to upgrade when it does not. */
function PlanLine({ feature }: { feature: "api_access" | "webhooks" }) {
  const subscription = useSubscription();
  const plan = subscription.data?.plan;
  if (!plan || plan[feature]) return null;
  return (
    <p role="note" className="rounded-md border bg-accent px-3 py-2 text-sm">
      {feature === "api_access"
        ? `Your ${plan.name} plan does not include API access: keys come with Pro and Premium.`
        : `Your ${plan.name} plan does not include webhooks: they come with Premium.`}{" "}
      <Link to="/billing" className="font-medium text-primary hover:underline">
        See the plans
      </Link>
    </p>
  );
}

export function Component() {
  return (
    <div className="flex flex-col gap-10">
      <title>Developers · ReelByte</title>
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-bold tracking-tight md:text-3xl">Developers</h1>
        <p className="text-muted-foreground">
          API keys for your own tools and webhook endpoints that hear about your orders, payments
          and videos. See the{" "}
          <a href="/docs" className="font-medium text-primary hover:underline">
            API reference
          </a>
          .
        </p>
      </div>

      <section aria-labelledby="api-keys" className="flex flex-col gap-4">
        <h2 id="api-keys" className="text-xl font-semibold tracking-tight">
          API keys
        </h2>
        <PlanLine feature="api_access" />
        <div className="grid items-start gap-6 lg:grid-cols-[1fr_22rem]">
          <ApiKeyList />
          <Card>
            <CardHeader>
              <h3 className="text-lg font-semibold">Create an API key</h3>
              <CardDescription>
                A key may do what its scopes allow and nothing else. It is shown once.
              </CardDescription>
            </CardHeader>
            <CardContent>
              <CreateApiKeyForm />
            </CardContent>
          </Card>
        </div>
      </section>

      <section aria-labelledby="webhooks" className="flex flex-col gap-4">
        <h2 id="webhooks" className="text-xl font-semibold tracking-tight">
          Webhook endpoints
        </h2>
        <PlanLine feature="webhooks" />
        <div className="grid items-start gap-6 lg:grid-cols-[1fr_22rem]">
          <WebhookEndpointList />
          <Card>
            <CardHeader>
              <h3 className="text-lg font-semibold">Add a webhook endpoint</h3>
              <CardDescription>
                Deliveries are signed with the endpoint&apos;s secret, shown once.
              </CardDescription>
            </CardHeader>
            <CardContent>
              <CreateEndpointForm />
            </CardContent>
          </Card>
        </div>
      </section>
    </div>
  );
}
