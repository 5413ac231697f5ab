"""Store connectors: the platforms a store sells on, kept in step with its returns."""
