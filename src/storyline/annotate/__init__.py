"""Annotation stage: entities, quotes, quantities and time expressions."""
