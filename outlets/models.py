"""Outlets, stalls, vendors, allocation rounds, offers and leases."""
