"""Checks of the manuscript and of each built edition."""
