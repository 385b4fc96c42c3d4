"""Running the marketplace: verifying and suspending users, the audit log of admin actions."""
