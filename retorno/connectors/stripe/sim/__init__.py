"""A local Stripe (the Refunds API and its webhooks) for tests and the demo, built from Stripe's
published API reference; it uses nothing of Retorno's (an import contract holds it to that)."""
