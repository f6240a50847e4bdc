"""The demo bank: synthetic month-end extracts of a retail bank, written as the bank's own exports would be."""
