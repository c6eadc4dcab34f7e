"""Evaluation metrics and dataset loaders."""
