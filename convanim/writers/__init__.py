"""convanim.writers (being written)."""
