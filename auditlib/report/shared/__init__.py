"""Sections and phrases both reports share, written once."""
