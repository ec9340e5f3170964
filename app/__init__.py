"""Folio: turn piles of PDFs and scans into searchable, trustworthy text."""

__version__ = "0.1.0"
