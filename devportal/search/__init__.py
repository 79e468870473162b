"""Catalog search: what the portal knows of each API to find it (and its operations) by a few words."""
