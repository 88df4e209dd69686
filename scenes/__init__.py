"""The built-in scenes, one module per figure, registered explicitly by importing them here.

This folder ships inside the wheel as ``convanim.scenes``. Each module registers its scenes with
``@scene`` (or ``register`` for scenes generated from a table); the import list below is the
whole catalogue, in the order ``convanim list`` shows it.
"""
