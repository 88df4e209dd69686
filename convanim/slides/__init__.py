"""convanim.slides (being written)."""
