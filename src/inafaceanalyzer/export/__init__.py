"""Exporters: plain functions taking a results table and a path."""

from .csv import read_csv, write_csv

__all__ = ["read_csv", "write_csv"]
