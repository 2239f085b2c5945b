"""Phonebank controller: domain, pacing, store, telephony, engine and sync."""
