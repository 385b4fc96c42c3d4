"""Creator plans (subscriptions), usage metering and limits, outgoing webhooks."""
