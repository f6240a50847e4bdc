"""Helpers the test modules import (plain functions and constants); fixtures live in the conftest.py files."""
