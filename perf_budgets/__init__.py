"""Budgets: the declarative budget file, its loader and validator, and the evaluator (the gate)."""
