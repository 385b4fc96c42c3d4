"""Your data (GDPR): export it as a ZIP, or erase the account while keeping the legal record."""
