"""The engine: extracts in, tiers and metrics out, for every unit a user may see. No Streamlit here; the layers,
from the bottom, are core, ingest, store, metrics, lists, access and cli (docs/architecture.md)."""
