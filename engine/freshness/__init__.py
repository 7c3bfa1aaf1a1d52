"""Freshness: which articles may answer right now, and why the others may not. Pure policy; time is passed in."""
