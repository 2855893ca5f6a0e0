"""Feedback surveys of training events: questions, single-use links by email, anonymous
responses and results under disclosure control (docs/training.md)."""
