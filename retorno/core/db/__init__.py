"""Database backends of Retorno (Django ENGINE paths)."""
