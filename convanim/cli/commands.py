"""render, all, custom and info: being written."""
