"""`retorno shop-sim`: a local stand-in for one Shopify store (Admin GraphQL API and webhooks), built
from Shopify's published documentation. Standard library and graphql-core only; it imports nothing
else of Retorno."""
