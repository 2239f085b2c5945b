"""CRM sync (NGP VAN) and webhooks through a durable outbox."""
