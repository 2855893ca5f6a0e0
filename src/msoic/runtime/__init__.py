"""Running the service for real: the task worker, scheduled tasks, backups and restores."""
