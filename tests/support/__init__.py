"""Test helpers shared across layers."""
