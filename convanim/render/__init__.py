"""convanim.render (being written)."""
