"""Notifications: in-app rows, live pushes over /ws/notifications, and e-mails, by preference."""
