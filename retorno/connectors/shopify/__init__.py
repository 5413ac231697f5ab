"""The Shopify connector (docs/integrations.md): orders and returns in from a Shopify store, its
returns, refunds, reverse deliveries, exchanges and restocks out to it, over the Admin GraphQL API at
a pinned version."""
