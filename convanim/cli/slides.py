"""slides and gallery: being written."""
